using MixQ.NN.Checkpoints;
using MixQ.NN.Data;
using MixQ.NN.Modules;

namespace MixQ.NN.Models;

/// <summary>The models MixQ builds by name, their descriptions and default training recipes.</summary>
public static class ModelZoo
{
    public static IReadOnlyList<string> Names { get; } = ["mlp", "jetmlp", "lenet5", "cifarnet", "resnet20", "transformer"];

    /// <summary>The description of model <paramref name="name"/> for data shaped like <paramref name="train"/>.</summary>
    public static ModelSpec SpecFor(string name, Dataset train)
    {
        name = CheckName(name);
        var spec = new ModelSpec(name, train.SampleShape, train.NumClasses, train.Vocabulary?.Count ?? 0);
        CheckCompatible(spec, train, train.Name);
        return spec;
    }

    /// <summary>The canonical (lower-case) name, or an error listing the known models.</summary>
    public static string CheckName(string name)
    {
        string canonical = name.ToLowerInvariant();
        return Names.Contains(canonical) ? canonical
            : throw new MixQException($"unknown model '{name}' (expected one of: {string.Join(", ", Names)})");
    }

    /// <summary>Rejects data the architecture cannot take, with a message naming both.</summary>
    public static void CheckCompatible(ModelSpec spec, Dataset data, string source)
    {
        var shape = data.SampleShape;
        bool text = spec.Name is "transformer";
        string? problem = spec.Name switch
        {
            _ when text && data.Kind != DatasetKind.Text => "needs a text data set (e.g. sst2)",
            _ when !text && data.Kind == DatasetKind.Text => "needs numeric inputs, not text",
            "lenet5" when !(shape.Length == 3 && shape[1] == 28 && shape[2] == 28) => "needs 28x28 images",
            "cifarnet" or "resnet20" when !(shape.Length == 3 && shape[1] == 32 && shape[2] == 32) => "needs 32x32 images",
            _ => null,
        };
        if (problem is null && !spec.InputShape.AsSpan().SequenceEqual(shape))
            problem = $"was built for inputs {Tensors.ShapeUtil.Format(spec.InputShape)}, data has {Tensors.ShapeUtil.Format(shape)}";
        if (problem is null && spec.NumClasses != data.NumClasses)
            problem = $"has {spec.NumClasses} outputs, data has {data.NumClasses} classes";
        if (problem is null && text && spec.VocabSize != (data.Vocabulary?.Count ?? 0))
            problem = $"has a vocabulary of {spec.VocabSize}, data has {data.Vocabulary?.Count ?? 0}";
        if (problem is not null)
            throw new MixQException($"model {spec.Name} {problem} ({source}: {data.Name})");
    }

    public static Module Create(ModelSpec spec, Random rng) => spec.Name switch
    {
        "mlp" => Architectures.Mlp(spec, [256, 128], rng),
        "jetmlp" => Architectures.Mlp(spec, [64, 32, 32], rng),
        "lenet5" => Architectures.LeNet5(spec, rng),
        "cifarnet" => Architectures.CifarNet(spec, rng),
        "resnet20" => Architectures.ResNet20(spec, rng),
        "transformer" => Architectures.TransformerClassifier(spec, rng),
        _ => throw new MixQException($"unknown model '{spec.Name}' (expected one of: {string.Join(", ", Names)})"),
    };

    public static ModelDefaults DefaultsFor(string name) => name switch
    {
        "mlp" or "jetmlp" => new("sgd", 0.05, 1e-4, false),
        "lenet5" => new("sgd", 0.05, 5e-4, false),
        "cifarnet" => new("sgd", 0.05, 5e-4, true, WarmupEpochs: 1),
        "resnet20" => new("sgd", 0.1, 1e-4, true, WarmupEpochs: 1),
        "transformer" => new("adamw", 1e-3, 0.01, false),
        _ => new("sgd", 0.05, 5e-4, false),
    };

    /// <summary>Reads the model description stored in a checkpoint.</summary>
    public static ModelSpec ReadSpec(string checkpointPath)
    {
        var file = SafeTensors.Read(checkpointPath);
        if (!file.Metadata.TryGetValue(Checkpoint.ModelDescriptionKey, out var json))
            throw new MixQException($"checkpoint {checkpointPath} has no model description (metadata '{Checkpoint.ModelDescriptionKey}')");
        return ModelSpec.FromJson(json, checkpointPath);
    }
}
