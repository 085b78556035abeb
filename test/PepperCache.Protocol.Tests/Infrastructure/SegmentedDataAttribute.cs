using System.Reflection;
using Xunit.Sdk;
using Xunit.v3;

namespace PepperCache.Protocol.Tests.Infrastructure;

/// <summary>
/// One theory row per memory layout of <paramref name="payload"/> (see <see cref="Segmentation"/>): the test gets
/// <c>(string payload, string variant, ...extra)</c>. Payload chars are bytes (Latin-1).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
internal sealed class SegmentedDataAttribute(string payload, params object?[] extra) : DataAttribute
{
    public string Payload { get; } = payload;

    public IReadOnlyList<object?> Extra { get; } = extra;

    public override ValueTask<IReadOnlyCollection<ITheoryDataRow>> GetData(MethodInfo testMethod, DisposalTracker disposalTracker)
    {
        var rows = Segmentation.VariantsFor(Bytes.Of(Payload).Length)
            .Select(variant => (ITheoryDataRow)new TheoryDataRow([Payload, variant, .. Extra]))
            .ToList();
        return new ValueTask<IReadOnlyCollection<ITheoryDataRow>>(rows);
    }

    public override bool SupportsDiscoveryEnumeration() => true;
}
