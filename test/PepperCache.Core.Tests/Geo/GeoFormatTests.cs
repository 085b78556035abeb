using PepperCache.Core.Geo;

namespace PepperCache.Core.Tests.Geo;

/// <summary>
/// glibc printf's fixed notation, which the geo replies must reproduce: the exact binary value rounded half to even
/// (0.03125 is 0.0312 at four decimals), the sign of a negative zero kept, every digit of a huge value printed.
/// The expected texts are what C's printf (and Python's %-formatting, which rounds the same) writes.
/// </summary>
public sealed class GeoFormatTests
{
    [Theory]
    [InlineData(0.03125, 4, "0.0312")]
    [InlineData(0.09375, 4, "0.0938")]
    [InlineData(2.5, 0, "2")]
    [InlineData(3.5, 0, "4")]
    [InlineData(-0.0, 4, "-0.0000")]
    [InlineData(-0.00001, 4, "-0.0000")]
    [InlineData(0.00001, 4, "0.0000")]
    [InlineData(166274.15156960033, 4, "166274.1516")]
    [InlineData(0.5, 17, "0.50000000000000000")]
    [InlineData(0.1, 17, "0.10000000000000001")]
    [InlineData(13.361389338970184, 17, "13.36138933897018433")]
    [InlineData(200.0, 6, "200.000000")]
    [InlineData(double.PositiveInfinity, 6, "inf")]
    [InlineData(double.NegativeInfinity, 6, "-inf")]
    [InlineData(1e300, 6,
        "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.000000")]
    public void FixedWritesWhatPrintfWrites(double value, int decimals, string expected) =>
        Assert.Equal(expected, GeoFormat.Fixed(value, decimals));

    [Theory]
    [InlineData(13.361389338970184, "13.36138933897018433")]
    [InlineData(180.0, "180")]
    [InlineData(0.5, "0.5")]
    [InlineData(-1e-20, "0")]
    [InlineData(-0.0, "0")]
    [InlineData(-85.05112751263942528, "-85.05112751263942528")]
    public void HumanDropsTrailingZerosAndNegativeZero(double value, string expected)
    {
        Span<byte> text = stackalloc byte[GeoFormat.MaxLength];
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(text[..GeoFormat.Human(value, text)]));
    }
}
