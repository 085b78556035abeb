using PepperCache.Core.Geo;

namespace PepperCache.Core.Tests.Geo;

/// <summary>Scores as Redis computes and decodes them, C conversions included (values checked against redis-server 7.0).</summary>
public sealed class GeoHashTests
{
    [Fact]
    public void ScoresDecodeAsX8664CConvertsThem()
    {
        // (uint64_t)-1.0 is all ones; (uint64_t)+inf and 1e300 are 0; (uint64_t)-inf is 2^63.
        Assert.Equal(ulong.MaxValue, GeoHash.ToUInt64(-1.0));
        Assert.Equal(0UL, GeoHash.ToUInt64(double.PositiveInfinity));
        Assert.Equal(0UL, GeoHash.ToUInt64(1e300));
        Assert.Equal(0x8000000000000000UL, GeoHash.ToUInt64(double.NegativeInfinity));
        Assert.Equal(13510798882111488UL, GeoHash.Score(180, 85.05112878));
        Assert.Equal(3479099956230698UL, GeoHash.Score(13.361389, 38.115556));
    }
}
