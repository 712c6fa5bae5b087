namespace MixQ.Quantization.Assignment;

/// <summary>The "random" rule: a seeded uniform assignment with the mix's exact counts (the ablation baseline).</summary>
public static class RandomAssignment
{
    /// <summary>
    /// counts[0] zeros, counts[1] ones, ... in a uniformly random order: Fisher-Yates (Knuth, TAOCP vol. 2,
    /// algorithm P) driven by <paramref name="rng"/>.
    /// </summary>
    public static int[] Assign(IReadOnlyList<int> counts, Random rng)
    {
        var labels = counts.SelectMany((c, f) => Enumerable.Repeat(f, c)).ToArray();
        for (int i = labels.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (labels[i], labels[j]) = (labels[j], labels[i]);
        }
        return labels;
    }

    /// <summary>
    /// A seed for stream <paramref name="stream"/> (e.g. a layer index) of run seed <paramref name="seed"/>, so that
    /// layers get independent orders from one user seed. SplitMix64's finalizer (Steele, Lea, Flood 2014).
    /// </summary>
    public static int DeriveSeed(int seed, int stream)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)stream) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & int.MaxValue);
    }
}
