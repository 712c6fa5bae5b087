using MixQ.NN.IO;
using MixQ.NN.Modules;
using MixQ.Quantization.Assignment;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Plans;

/// <summary>
/// The number format of every row of every quantizable layer (Linear and Conv2d, in model order, by dotted
/// module name), with the settings that produced it: method, mix, assignment rule, seed, activation bits and
/// the first/last-layer policy. Saved as JSON (docs/plan-format.md); loading and saving round-trip exactly.
/// </summary>
public sealed class QuantizationPlan : IEquatable<QuantizationPlan>
{
    private readonly LayerPlan[] _layers;
    private readonly Dictionary<string, LayerPlan> _byName;

    public QuantizationPlan(string method, string? modelName, MixSpec mix, AssignmentRule rule, int seed, int activationBits,
        EdgeLayerPolicy edges, IEnumerable<LayerPlan> layers, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(mix);
        ArgumentNullException.ThrowIfNull(edges);
        if (activationBits is < NumberFormat.MinBits or > NumberFormat.MaxBits)
            throw new MixQException($"plan {source ?? method}: activation bits must be between {NumberFormat.MinBits} and {NumberFormat.MaxBits}, got {activationBits}");
        Method = method;
        ModelName = modelName;
        Mix = mix;
        Rule = rule;
        Seed = seed;
        ActivationBits = activationBits;
        Edges = edges;
        _layers = layers.ToArray();
        Source = source ?? method;
        _byName = new Dictionary<string, LayerPlan>(StringComparer.Ordinal);
        for (int i = 0; i < _layers.Length; i++)
        {
            var layer = _layers[i];
            if (!_byName.TryAdd(layer.Name, layer)) throw new MixQException($"plan {Source}: layer {layer.Name} appears more than once");
            var expected = QuantTarget.RoleAt(i, _layers.Length);
            if (layer.Role != expected)
                throw new MixQException($"plan {Source}: layer {layer.Name} at position {i + 1} of {_layers.Length} is marked {PlanJson.RoleText(layer.Role)}, expected {PlanJson.RoleText(expected)}");
        }
    }

    /// <summary>The method that made the plan ("msq", "rmsmp", ...).</summary>
    public string Method { get; }

    /// <summary>The model architecture the plan was made for (e.g. "lenet5"), when known.</summary>
    public string? ModelName { get; }

    public MixSpec Mix { get; }

    public AssignmentRule Rule { get; }

    /// <summary>Seed of the random rule and of the Hessian probes.</summary>
    public int Seed { get; }

    public int ActivationBits { get; }

    public EdgeLayerPolicy Edges { get; }

    public IReadOnlyList<LayerPlan> Layers => _layers;

    /// <summary>Where the plan came from (its file, or its method name when it was built in memory); used in messages.</summary>
    public string Source { get; }

    public LayerPlan? FirstLayer => _layers.Length > 0 ? _layers[0] : null;

    public LayerPlan? LastLayer => _layers.Length > 0 ? _layers[^1] : null;

    public LayerPlan this[string name] =>
        _byName.TryGetValue(name, out var layer) ? layer : throw new KeyNotFoundException($"plan {Source} has no layer {name}");

    public bool TryGetLayer(string name, out LayerPlan layer) => _byName.TryGetValue(name, out layer!);

    /// <summary>
    /// The distinct formats the plan uses, in a fixed order: the mix's formats as listed, then the edge formats,
    /// then any other format in layer order. Plan files index rows into this list.
    /// </summary>
    public IReadOnlyList<NumberFormat> Palette()
    {
        var palette = new List<NumberFormat>();
        void Add(NumberFormat? f)
        {
            if (f is not null && !palette.Contains(f)) palette.Add(f);
        }
        foreach (var f in Mix.Formats) Add(f);
        Add(Edges.First);
        Add(Edges.Last);
        foreach (var layer in _layers)
            foreach (var f in layer.RowFormats) Add(f);
        return palette;
    }

    public string ToJson() => PlanJson.Write(this);

    public static QuantizationPlan FromJson(string json, string source) => PlanJson.Read(json, source);

    /// <summary>Writes the plan atomically (a crash leaves the old file or the new one, never half of one).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    public static QuantizationPlan Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MixQException($"cannot read plan {path}: {e.Message}", e);
        }
        return FromJson(json, path);
    }

    /// <summary>
    /// Checks that <paramref name="model"/> has exactly this plan's quantizable layers, in the same order, with the
    /// same kinds and row geometry; otherwise a one-line <see cref="MixQException"/>
    /// "plan X does not match model Y: layer Z has N rows in the plan but M in the model".
    /// </summary>
    public void Validate(Module model, string? modelName = null)
    {
        string prefix = $"plan {Source} does not match {(modelName is null ? "the model" : $"model {modelName}")}";
        var actual = QuantTarget.Find(model);
        var actualByName = actual.ToDictionary(l => l.Name, StringComparer.Ordinal);
        foreach (var layer in _layers)
        {
            if (!actualByName.TryGetValue(layer.Name, out var real))
                throw new MixQException($"{prefix}: layer {layer.Name} is in the plan but not in the model");
            if (real.Kind != layer.Kind)
                throw new MixQException($"{prefix}: layer {layer.Name} is {PlanJson.KindText(layer.Kind)} in the plan but {PlanJson.KindText(real.Kind)} in the model");
            if (real.Rows != layer.Rows)
                throw new MixQException($"{prefix}: layer {layer.Name} has {layer.Rows} rows in the plan but {real.Rows} in the model");
            if (real.RowLength != layer.RowLength)
                throw new MixQException($"{prefix}: layer {layer.Name} has rows of {layer.RowLength} weights in the plan but {real.RowLength} in the model");
        }
        foreach (var real in actual)
        {
            if (!_byName.ContainsKey(real.Name))
                throw new MixQException($"{prefix}: layer {real.Name} is in the model but not in the plan");
        }
        for (int i = 0; i < actual.Count; i++)
        {
            if (actual[i].Name != _layers[i].Name)
                throw new MixQException($"{prefix}: layer order differs (position {i + 1} is {_layers[i].Name} in the plan but {actual[i].Name} in the model)");
        }
    }

    /// <summary>Equal settings and equal row formats (the <see cref="Source"/> is not compared).</summary>
    public bool Equals(QuantizationPlan? other) =>
        other is not null && Method == other.Method && ModelName == other.ModelName && Mix.Equals(other.Mix) &&
        Rule == other.Rule && Seed == other.Seed && ActivationBits == other.ActivationBits && Edges == other.Edges &&
        _layers.AsSpan().SequenceEqual(other._layers);

    public override bool Equals(object? obj) => Equals(obj as QuantizationPlan);

    public override int GetHashCode() => HashCode.Combine(Method, Mix, Rule, _layers.Length);
}
