using System.Net;
using Microsoft.AspNetCore.Http;
using PepperCache.Server.Cluster;
using PepperCache.Server.Http;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>Who may call <c>/join</c>, <c>/cluster/gossip</c> and <c>/leave</c>, checked on the request alone.</summary>
public sealed class MembershipAccessTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void WithoutASecretALoopbackPeerIsAllowed(string remote)
    {
        Assert.Null(MembershipAccess.Refusal(Request(remote), secret: ""));
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("192.168.1.20")]
    [InlineData("::ffff:10.0.0.5")]
    [InlineData("fe80::1")]
    [InlineData(null)]
    public void WithoutASecretAnyOtherPeerIsRefused(string? remote)
    {
        Assert.Equal("not a loopback peer, and no cluster secret is set", MembershipAccess.Refusal(Request(remote), secret: ""));
        // A header is no substitute for a secret the node does not have.
        Assert.NotNull(MembershipAccess.Refusal(Request(remote, header: ""), secret: ""));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.5")]
    public void WithASecretOnlyTheSecretCounts(string remote)
    {
        Assert.Null(MembershipAccess.Refusal(Request(remote, header: "pepper-s3cret"), "pepper-s3cret"));
        Assert.Equal("missing or wrong cluster secret", MembershipAccess.Refusal(Request(remote), "pepper-s3cret"));
        Assert.Equal("missing or wrong cluster secret", MembershipAccess.Refusal(Request(remote, header: "pepper-s3creT"), "pepper-s3cret"));
        Assert.Equal("missing or wrong cluster secret", MembershipAccess.Refusal(Request(remote, header: "pepper-s3cret "), "pepper-s3cret"));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.0.0.2", true)]
    [InlineData("::1", true)]
    [InlineData("localhost", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::", false)]
    [InlineData("10.1.2.3", false)]
    public void OnlyALoopbackListenAddressNeedsNoSecret(string bind, bool loopback)
    {
        Assert.Equal(loopback, MembershipAccess.IsLoopbackBind(bind));
    }

    private static DefaultHttpContext Request(string? remote, string? header = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = remote is null ? null : IPAddress.Parse(remote);
        if (header is not null)
        {
            context.Request.Headers[PeerClient.SecretHeader] = header;
        }

        return context;
    }
}
