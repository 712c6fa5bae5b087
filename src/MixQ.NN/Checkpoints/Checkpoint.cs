using System.Globalization;
using MixQ.NN.Layers;
using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Checkpoints;

/// <summary>
/// Saves a module's state (parameters and buffers, by their dotted StateDict names) with optional optimizer
/// state and metadata to a safetensors file, and loads it back with strict name and shape checks.
/// Layout: model tensors under their own names; optimizer tensors under "optim." + key; metadata keys
/// "mixq.model" (description JSON), "mixq.epoch", plus the caller's extra keys.
/// </summary>
public static class Checkpoint
{
    public const string OptimizerPrefix = "optim.";
    public const string ReservedMetadataPrefix = "mixq.";
    public const string ModelDescriptionKey = "mixq.model";
    public const string EpochKey = "mixq.epoch";

    /// <summary>Writes <paramref name="model"/>'s state and <paramref name="metadata"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, Module model, CheckpointMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        metadata ??= new CheckpointMetadata();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in model.StateDict())
        {
            if (name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                throw new ArgumentException($"model tensor '{name}' clashes with the checkpoint's optimizer prefix '{OptimizerPrefix}'");
            if (!tensors.TryAdd(name, tensor)) throw new ArgumentException($"model {model.GetType().Name} has two tensors named '{name}'");
        }
        if (metadata.OptimizerState is { } optimizer)
            foreach (var (key, tensor) in optimizer) tensors.Add(OptimizerPrefix + key, tensor);

        var strings = new Dictionary<string, string>();
        if (metadata.Extra is { } extra)
        {
            foreach (var (key, value) in extra)
            {
                if (key.StartsWith(ReservedMetadataPrefix, StringComparison.Ordinal))
                    throw new ArgumentException($"metadata key '{key}' uses the reserved prefix '{ReservedMetadataPrefix}'");
                strings[key] = value;
            }
        }
        if (metadata.ModelDescription is { } description) strings[ModelDescriptionKey] = description;
        if (metadata.Epoch is { } epoch) strings[EpochKey] = epoch.ToString(CultureInfo.InvariantCulture);
        SafeTensors.Write(path, tensors, strings);
    }

    /// <summary>
    /// Copies the checkpoint's model tensors into <paramref name="model"/> and returns the rest. The checkpoint
    /// must hold exactly the model's StateDict names with the same shapes; otherwise nothing is changed and a
    /// <see cref="MixQException"/> lists the differences ("checkpoint X does not match model Y: ...").
    /// </summary>
    public static CheckpointMetadata Load(string path, Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var file = SafeTensors.Read(path);
        var problems = new List<string>();
        var expected = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in model.StateDict()) expected.TryAdd(name, tensor);

        foreach (var (name, target) in expected)
        {
            if (file.Tensors.TryGetValue(name, out var stored))
            {
                if (!stored.Shape.SequenceEqual(target.Shape))
                    problems.Add($"tensor '{name}' has shape {ShapeUtil.Format(stored.Shape)} in the checkpoint but {ShapeUtil.Format(target.Shape)} in the model");
            }
            else if (file.Arrays.ContainsKey(name))
            {
                problems.Add($"tensor '{name}' is {SafeTensors.DTypeOf(file.Arrays[name])} in the checkpoint, not F32");
            }
            else
            {
                problems.Add($"missing tensor '{name}'");
            }
        }
        foreach (var name in file.Tensors.Keys.Concat(file.Arrays.Keys).Order(StringComparer.Ordinal))
            if (!name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && !expected.ContainsKey(name))
                problems.Add($"unexpected tensor '{name}'");
        // A quantized model's checkpoint offered where a float model is wanted (`mixq quantize` on its own output): say
        // that, rather than listing every quantizer tensor as unexpected.
        var quantizerEntry = file.Tensors.Keys.Concat(file.Arrays.Keys).Where(QuantizableLayer.IsQuantizerEntry).Order(StringComparer.Ordinal).FirstOrDefault();
        if (quantizerEntry is not null && !expected.Keys.Any(QuantizableLayer.IsQuantizerEntry))
            throw new MixQException($"checkpoint {path} is a quantized model (it holds quantizer state such as '{quantizerEntry}'), " +
                                    "but a float model is expected here: use the float checkpoint it was quantized from");
        if (problems.Count > 0)
        {
            const int shown = 8;
            string list = string.Join("; ", problems.Take(shown)) + (problems.Count > shown ? $"; and {problems.Count - shown} more" : "");
            throw new MixQException($"checkpoint {path} does not match model {model.GetType().Name}: {list}");
        }

        foreach (var (name, target) in expected)
            if (!target.IsContiguous) throw new InvalidOperationException($"model tensor '{name}' is a strided view and cannot be loaded in place");
        foreach (var (name, target) in expected) file.Tensors[name].Span.CopyTo(target.Span);

        var optimizer = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in file.Tensors)
            if (name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) optimizer[name[OptimizerPrefix.Length..]] = tensor;

        int? epoch = null;
        if (file.Metadata.TryGetValue(EpochKey, out var epochText))
        {
            if (!int.TryParse(epochText, NumberStyles.None, CultureInfo.InvariantCulture, out int e))
                throw new MixQException($"checkpoint {path} has an invalid epoch '{epochText}' in metadata '{EpochKey}'");
            epoch = e;
        }
        return new CheckpointMetadata
        {
            ModelDescription = file.Metadata.GetValueOrDefault(ModelDescriptionKey),
            Epoch = epoch,
            OptimizerState = optimizer.Count > 0 ? optimizer : null,
            Extra = file.Metadata.Where(kv => !kv.Key.StartsWith(ReservedMetadataPrefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key, kv => kv.Value),
        };
    }
}
