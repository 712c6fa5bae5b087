namespace MixQ.NN.Data;

/// <summary>
/// Token strings and their integer ids. Id 0 is padding and id 1 stands for any token not in the vocabulary,
/// so a model's embedding table can reserve those rows.
/// </summary>
public sealed class Vocabulary
{
    public const int PadId = 0;
    public const int UnknownId = 1;
    public const string PadToken = "<pad>";
    public const string UnknownToken = "<unk>";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    /// <summary>Rebuilds a vocabulary from its tokens in id order (as stored in a checkpoint).</summary>
    public Vocabulary(IEnumerable<string> tokensInIdOrder)
    {
        _tokens = tokensInIdOrder.ToArray();
        if (_tokens.Length < 2 || _tokens[PadId] != PadToken || _tokens[UnknownId] != UnknownToken)
            throw new ArgumentException($"a vocabulary must start with {PadToken} and {UnknownToken}");
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Length; i++)
            if (!_ids.TryAdd(_tokens[i], i)) throw new ArgumentException($"token '{_tokens[i]}' appears twice");
    }

    /// <summary>
    /// Counts tokens and keeps those seen at least <paramref name="minFrequency"/> times, most frequent first
    /// (ties in ordinal order, so the ids never depend on hash ordering).
    /// </summary>
    public static Vocabulary Build(IEnumerable<IReadOnlyList<string>> texts, int minFrequency = 1, int? maxSize = null)
    {
        if (minFrequency < 1) throw new ArgumentOutOfRangeException(nameof(minFrequency), "must be at least 1");
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (string token in text)
                counts[token] = counts.GetValueOrDefault(token) + 1;
        counts.Remove(PadToken);
        counts.Remove(UnknownToken);

        var kept = counts.Where(kv => kv.Value >= minFrequency)
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key);
        if (maxSize is int max) kept = kept.Take(Math.Max(0, max - 2));
        return new Vocabulary(new[] { PadToken, UnknownToken }.Concat(kept));
    }

    public int Count => _tokens.Length;

    public IReadOnlyList<string> Tokens => _tokens;

    public int IdOf(string token) => _ids.TryGetValue(token, out int id) ? id : UnknownId;

    public string TokenOf(int id) => _tokens[id];

    /// <summary>
    /// Writes the ids of <paramref name="tokens"/> into <paramref name="destination"/>, keeping the first
    /// destination.Length tokens and padding the rest with <see cref="PadId"/>.
    /// </summary>
    public void Encode(IReadOnlyList<string> tokens, Span<float> destination)
    {
        int n = Math.Min(tokens.Count, destination.Length);
        for (int i = 0; i < n; i++) destination[i] = IdOf(tokens[i]);
        destination[n..].Fill(PadId);
    }
}
