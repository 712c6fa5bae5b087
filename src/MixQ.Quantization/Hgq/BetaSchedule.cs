using System.Globalization;

namespace MixQ.Quantization.Hgq;

/// <summary>
/// beta over training progress p in [0, 1]: constant, linear or log ramp from <see cref="Start"/> to <see cref="End"/>.
/// Text form: "constant:B", "linear:B0:B1", "log:B0:B1".
/// </summary>
public sealed record BetaSchedule(BetaScheduleKind Kind, double Start, double End)
{
    /// <summary>Larger betas are refused as absurd: even 10^4 EBOPs would outweigh the task loss a hundredfold.</summary>
    public const double MaxBeta = 1e-2;

    public double At(double progress)
    {
        double p = Math.Clamp(progress, 0, 1);
        return Kind switch
        {
            BetaScheduleKind.Constant => Start,
            BetaScheduleKind.Linear => Start + (End - Start) * p,
            BetaScheduleKind.LogRamp => Start * Math.Pow(End / Start, p),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
        };
    }

    public override string ToString() => Kind switch
    {
        BetaScheduleKind.Constant => $"constant:{Start.ToString("R", CultureInfo.InvariantCulture)}",
        BetaScheduleKind.Linear => $"linear:{Start.ToString("R", CultureInfo.InvariantCulture)}:{End.ToString("R", CultureInfo.InvariantCulture)}",
        _ => $"log:{Start.ToString("R", CultureInfo.InvariantCulture)}:{End.ToString("R", CultureInfo.InvariantCulture)}",
    };

    /// <summary>Parses the text form; throws a <see cref="MixQException"/> naming <paramref name="option"/>.</summary>
    public static BetaSchedule Parse(string text, string option = "--beta-schedule")
    {
        var parts = text.Trim().Split(':');
        string kind = parts[0].ToLowerInvariant();
        int expected = kind switch { "constant" => 1, "linear" or "log" => 2, _ => -1 };
        if (expected != parts.Length - 1) throw new MixQException($"{option} '{text}' is not constant:B, linear:B0:B1 or log:B0:B1");
        double[] values = parts.Skip(1).Select(p => ParseBeta(p, option, text)).ToArray();
        var schedule = (kind, values.Length) switch
        {
            ("constant", 1) => new BetaSchedule(BetaScheduleKind.Constant, values[0], values[0]),
            ("linear", 2) => new BetaSchedule(BetaScheduleKind.Linear, values[0], values[1]),
            ("log", 2) => new BetaSchedule(BetaScheduleKind.LogRamp, values[0], values[1]),
            _ => throw new MixQException($"{option} '{text}' is not constant:B, linear:B0:B1 or log:B0:B1"),
        };
        if (schedule.Kind == BetaScheduleKind.LogRamp && (schedule.Start <= 0 || schedule.End <= 0))
            throw new MixQException($"{option} '{text}': a log ramp needs positive start and end betas");
        return schedule;
    }

    private static double ParseBeta(string part, string option, string text)
    {
        if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double beta) || !double.IsFinite(beta))
            throw new MixQException($"{option} '{text}': '{part}' is not a number");
        if (beta < 0) throw new MixQException($"{option} '{text}': beta must not be negative, got {part}");
        if (beta > MaxBeta) throw new MixQException($"{option} '{text}': beta {part} is absurd (at most {MaxBeta.ToString(CultureInfo.InvariantCulture)})");
        return beta;
    }
}
