namespace MixQ.NN.Data;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator whose state can be built from (seed, epoch, index)
/// in a few instructions. The data loader derives one per sample so that augmentation depends only on those
/// three numbers, never on which thread handled the sample or what else was in its batch. Shuffles use it
/// too: unlike System.Random, whose seeded sequence the runtime does not promise to keep, this algorithm is
/// fixed here, so a seed names the same data order on every machine and .NET version.
/// </summary>
internal struct SeedMixer(ulong state)
{
    private ulong _state = state;

    /// <summary>A well-mixed 64-bit value from several inputs (each is folded in through the finalizer).</summary>
    public static ulong Mix(ulong a, ulong b, ulong c = 0)
    {
        var g = new SeedMixer(a);
        ulong x = g.Next() ^ b;
        g = new SeedMixer(x);
        x = g.Next() ^ c;
        g = new SeedMixer(x);
        return g.Next();
    }

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, bound) by multiply-shift of the top 32 bits (Lemire); bias is below 2^-32 * bound.</summary>
    public int NextInt(int bound) => (int)(((Next() >> 32) * (ulong)bound) >> 32);

    public bool NextBool() => (Next() >> 63) != 0;

    /// <summary>Fisher-Yates shuffle (Knuth, TAOCP vol. 2, algorithm P) driven by a generator seeded with <paramref name="seed"/>.</summary>
    public static void Shuffle(Span<int> items, ulong seed)
    {
        var rng = new SeedMixer(seed);
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
