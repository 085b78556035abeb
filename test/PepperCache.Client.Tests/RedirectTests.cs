using System.Text;
using PepperCache.Client.Cluster;

namespace PepperCache.Client.Tests;

public sealed class RedirectTests
{
    [Fact]
    public void Moved_gives_the_slot_and_the_new_owner()
    {
        Assert.True(Redirect.TryParse("MOVED 3999 127.0.0.2:9004"u8, out var redirect));

        Assert.Equal(new Redirect(RedirectKind.Moved, 3999, "127.0.0.2", 9004), redirect);
        Assert.Equal("127.0.0.2:9004", redirect.Target.ToString());
    }

    [Fact]
    public void Ask_gives_the_slot_and_the_importing_node()
    {
        Assert.True(Redirect.TryParse("ASK 0 10.0.0.7:7001"u8, out var redirect));

        Assert.Equal(new Redirect(RedirectKind.Ask, 0, "10.0.0.7", 7001), redirect);
    }

    [Theory]
    [InlineData("MOVED 16383 ::1:7000", "::1", 7000)] // IPv6 written bare, as Redis writes it: the port is after the last colon
    [InlineData("MOVED 12 :7000", "", 7000)] // the node does not know its address: same host as the node asked
    [InlineData("MOVED 12 cache-2.example:7000", "cache-2.example", 7000)]
    public void Hosts_are_split_at_the_last_colon(string error, string host, int port)
    {
        Assert.True(Redirect.TryParse(Encoding.ASCII.GetBytes(error), out var redirect));

        Assert.Equal((host, port), (redirect.Host, redirect.Port));
    }

    [Theory]
    [InlineData("ERR unknown command 'x'")]
    [InlineData("MOVEDX 1 a:1")]
    [InlineData("moved 1 a:1")]
    [InlineData("MOVED")]
    [InlineData("MOVED 1")]
    [InlineData("MOVED 1 host")]
    [InlineData("MOVED 16384 a:1")]
    [InlineData("MOVED -1 a:1")]
    [InlineData("MOVED x a:1")]
    [InlineData("MOVED 1 a:0")]
    [InlineData("MOVED 1 a:65536")]
    [InlineData("MOVED 1 a:1x")]
    [InlineData("ASK 1  a:1")]
    [InlineData("CLUSTERDOWN Hash slot not served")]
    public void Other_errors_are_not_redirects(string error) =>
        Assert.False(Redirect.TryParse(Encoding.ASCII.GetBytes(error), out _));
}
