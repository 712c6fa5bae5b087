using MixQ.NN.Layers;
using MixQ.NN.Modules;

namespace MixQ.Quantization.Integer;

/// <summary>
/// The leaf modules of a sequential model in execution order, each with its name in the model — what both integer
/// converters (row-wise and HGQ) walk. Residual blocks are refused: the integer IR is a chain of layers.
/// </summary>
internal static class SequentialLeaves
{
    public static List<(string Name, Module Module)> Of(Module model, string converter)
    {
        var names = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, module) in model.NamedModules()) names.TryAdd(module, name);
        var leaves = new List<(string Name, Module Module)>();
        Collect(model, names, leaves, converter);
        return leaves;
    }

    private static void Collect(Module module, Dictionary<Module, string> names, List<(string, Module)> leaves, string converter)
    {
        switch (module)
        {
            case Sequential seq:
                foreach (var child in seq.Layers) Collect(child, names, leaves, converter);
                break;
            case Residual:
                throw new MixQException($"{converter}: residual block '{names[module]}' is not supported (sequential models only)");
            default:
                leaves.Add((names.TryGetValue(module, out var n) ? n : module.GetType().Name, module));
                break;
        }
    }
}
