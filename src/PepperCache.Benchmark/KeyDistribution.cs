using System.Globalization;

namespace PepperCache.Benchmark;

/// <summary>
/// How keys are drawn from the keyspace (-r N): uniformly (redis-benchmark's way, the default), or by a Zipf law
/// with exponent <see cref="ZipfExponent"/>, where the key of rank k is drawn with probability proportional to
/// 1/k^S. <c>default</c> is uniform.
/// </summary>
internal readonly record struct KeyDistribution(double ZipfExponent)
{
    public const double MaxExponent = 10;

    public static KeyDistribution Uniform => default;

    public bool IsZipf => ZipfExponent > 0;

    /// <summary>Reads <c>uniform</c> or <c>zipf:S</c> (S a number above 0, at most 10; e.g. <c>zipf:0.99</c>).</summary>
    /// <exception cref="FormatException">Anything else.</exception>
    public static KeyDistribution Parse(string text)
    {
        if (text.Equals("uniform", StringComparison.OrdinalIgnoreCase))
        {
            return Uniform;
        }

        if (text.StartsWith("zipf:", StringComparison.OrdinalIgnoreCase)
            && double.TryParse(text.AsSpan(5), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var exponent)
            && exponent > 0 && exponent <= MaxExponent)
        {
            return new KeyDistribution(exponent);
        }

        throw new FormatException($"--key-distribution '{text}' is not uniform or zipf:S with 0 < S <= {MaxExponent} (e.g. zipf:0.99)");
    }

    public override string ToString() =>
        IsZipf ? "zipf:" + ZipfExponent.ToString(CultureInfo.InvariantCulture) : "uniform";
}
