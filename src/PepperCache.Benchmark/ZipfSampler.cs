namespace PepperCache.Benchmark;

/// <summary>
/// Draws ranks 1..N with P(k) proportional to 1/k^S, exactly (not an approximation), in O(1) time and memory per
/// draw and without allocating: rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-inversion to generate
/// variates from monotone discrete distributions", ACM TOMACS 6(3), 1996).
/// </summary>
/// <remarks>
/// The idea: h(x) = x^-S is a continuous, decreasing hat over the probabilities. A uniform u over the area under h
/// from 1/2 to N + 1/2 is inverted to x (H is h's integral, with a closed-form inverse); k = round(x) is accepted
/// when u lies in the part of k's strip that matches P(k), which is almost always (the rejection rate is a few
/// percent at most, lower for large N). H and its inverse are written with log1p/expm1 helpers so that S = 1 (where
/// H is a logarithm) and S close to 1 stay accurate. Setup needs no table, so N can be a billion keys.
/// </remarks>
internal sealed class ZipfSampler
{
    private readonly long _count;
    private readonly double _exponent;
    private readonly double _hIntegralX1;
    private readonly double _hIntegralN;
    private readonly double _squeeze;

    public ZipfSampler(long count, double exponent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!(exponent > 0 && double.IsFinite(exponent)))
        {
            throw new ArgumentOutOfRangeException(nameof(exponent), exponent, "the exponent must be a finite number above 0");
        }

        _count = count;
        _exponent = exponent;
        _hIntegralX1 = HIntegral(1.5) - 1.0;
        _hIntegralN = HIntegral(count + 0.5);
        // Below this distance from x to k, k is accepted without evaluating H (the "squeeze" of the paper).
        _squeeze = 2.0 - HIntegralInverse(HIntegral(2.5) - H(2.0));
    }

    public long Count => _count;

    public double Exponent => _exponent;

    /// <summary>A rank in 1..<see cref="Count"/>; rank 1 is the most frequent.</summary>
    public long Sample(ref ulong random)
    {
        while (true)
        {
            var u = _hIntegralN + (Uniform(ref random) * (_hIntegralX1 - _hIntegralN));
            var x = HIntegralInverse(u);
            var k = (long)(x + 0.5);
            if (k < 1)
            {
                k = 1;
            }
            else if (k > _count)
            {
                k = _count;
            }

            if (k - x <= _squeeze || u >= HIntegral(k + 0.5) - H(k))
            {
                return k;
            }
        }
    }

    /// <summary>A double in [0, 1) from the top 53 bits of the next xorshift64* value.</summary>
    internal static double Uniform(ref ulong random) => (CommandBuilder.Next(ref random) >> 11) * (1.0 / (1UL << 53));

    /// <summary>h(x) = x^-S.</summary>
    private double H(double x) => Math.Exp(-_exponent * Math.Log(x));

    /// <summary>H(x) = integral of h from 1 to x = (x^(1-S) - 1) / (1 - S), or log(x) at S = 1.</summary>
    private double HIntegral(double x)
    {
        var logX = Math.Log(x);
        return ExpM1OverX((1.0 - _exponent) * logX) * logX;
    }

    /// <summary>The inverse of <see cref="HIntegral"/>.</summary>
    private double HIntegralInverse(double y)
    {
        var t = y * (1.0 - _exponent);
        if (t < -1.0)
        {
            // Only rounding can take t below -1 (y is at most H's value at N + 1/2); keep log1p defined.
            t = -1.0;
        }

        return Math.Exp(Log1POverX(t) * y);
    }

    /// <summary>log(1 + t) / t, and its limit 1 at t = 0 (Taylor terms near 0, where the quotient loses digits).</summary>
    private static double Log1POverX(double t) =>
        Math.Abs(t) > 1e-8 ? LogOnePlus(t) / t : 1.0 - (t * (0.5 - (t * ((1.0 / 3.0) - (0.25 * t)))));

    /// <summary>(e^t - 1) / t, and its limit 1 at t = 0.</summary>
    private static double ExpM1OverX(double t) =>
        Math.Abs(t) > 1e-8 ? ExpMinusOne(t) / t : 1.0 + (t * 0.5 * (1.0 + (t / 3.0 * (1.0 + (0.25 * t)))));

    // log(1 + t) and e^t - 1 that keep their digits for small t (Kahan's and Higham's formulations); written out
    // because double.LogP1/ExpM1 do not document that accuracy near 0.
    private static double LogOnePlus(double t)
    {
        var u = 1.0 + t;
        return u == 1.0 ? t : Math.Log(u) * t / (u - 1.0);
    }

    private static double ExpMinusOne(double t)
    {
        var u = Math.Exp(t);
        if (u == 1.0)
        {
            return t;
        }

        var um1 = u - 1.0;
        return um1 == -1.0 ? -1.0 : um1 * t / Math.Log(u);
    }
}
