using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;
using MixQ.Hardware.Partition;
using MixQ.Quantization.Plans;

namespace MixQ.Hardware.Estimate;

/// <summary>
/// Estimates a quantized model's design on a device (docs/hardware.md):
/// "gemm" — the mixed-scheme GEMM engine with runtime weights, sized by <see cref="GemmArchitecture.Best"/> for the
/// plan's own row formats, weights and a ping-pong activation buffer in block RAM, layers one after another;
/// "unrolled" — every weight a constant shift-add multiplier (<see cref="CostModel.ConstantMultiplier"/>) feeding one
/// adder tree per row, one output position per cycle, layers pipelined, with EBOPs and the EBOPs-based LUT figure.
/// </summary>
public static class Estimator
{
    public static DesignEstimate Gemm(FpgaDevice device, CostModel cost, IReadOnlyList<LayerShape> shapes, QuantizationPlan plan, double cap = 0.8)
    {
        var planned = Match(shapes, plan);
        var workloads = planned.Select(p => new LayerWorkload(p.Shape,
            p.Plan.RowFormats.GroupBy(f => f).Select(g => (CoreFormat.Default(g.Key), g.Count())).ToArray())).ToArray();
        var arch = new GemmArchitecture(device, cost, plan.ActivationBits, cap);
        var design = arch.Best(workloads) ?? throw new MixQException(
            $"the model does not fit device {device.Name} at all: not even one group of {cost.TreeInputs} multipliers per core fits within {cap:P0} of its {device.Luts:N0} LUTs and {device.Dsps:N0} DSPs");
        double clock = device.ClockMHz * 1e6;
        var layers = workloads.Select((w, i) =>
        {
            long weightBits = planned[i].Plan.RowFormats.Sum(f => (long)f.Bits) * w.Shape.RowLength;
            return new LayerEstimate(w.Shape.Name, w.Shape.Kind, w.Shape.Macs, w.MacsOf(f => !f.OnDsp), w.MacsOf(f => f.OnDsp),
                0, 0, 0, (double)weightBits / FpgaDevice.BitsPerBram36, design.LayerCycles[i], design.LayerCycles[i] / clock, 0);
        }).ToArray();
        // Weights stay on chip; activations ping-pong between two buffers as large as the largest layer input/output.
        long weightBram = (long)Math.Ceiling(layers.Sum(l => l.Bram36));
        long largest = shapes.Max(s => Math.Max(s.InputElements, s.OutputElements));
        long bufferBram = 2 * (long)Math.Ceiling((double)largest * plan.ActivationBits / FpgaDevice.BitsPerBram36);
        var total = design.Total + new Resources(0, 0, 0, weightBram + bufferBram);
        return new DesignEstimate("gemm", device, plan.ActivationBits, layers, total, design.Cycles, design.Cycles, design);
    }

    public static DesignEstimate Unrolled(FpgaDevice device, CostModel cost, IReadOnlyList<LayerShape> shapes, QuantizationPlan plan,
        IReadOnlyList<WeightLevels> levels)
    {
        var planned = Match(shapes, plan);
        int a = plan.ActivationBits;
        double clock = device.ClockMHz * 1e6;
        var layers = new List<LayerEstimate>();
        for (int i = 0; i < planned.Length; i++)
        {
            var (shape, layerPlan) = planned[i];
            var weights = levels.FirstOrDefault(l => l.Layer == shape.Name)
                          ?? throw new MixQException($"no weights for layer {shape.Name}");
            double luts = 0, ffs = 0, ebops = 0;
            for (int r = 0; r < layerPlan.Rows; r++)
            {
                var format = layerPlan.RowFormats[r];
                int products = 0;
                foreach (long c in weights.Row(r))
                {
                    if (c == 0) continue;
                    products++;
                    luts += cost.ConstantMultiplier(format, c, a).Luts;
                    ebops += a * WeightLevels.Span(format, c);
                }
                int productBits = CostModel.ProductBits(format, a);
                // A pipelined tree (registers after every level, as the cost model's trees are); a row with a single
                // product still registers it.
                var tree = cost.AdderTree(Math.Max(1, products), productBits);
                luts += tree.Luts;
                ffs += products <= 1 ? productBits : tree.FlipFlops;
            }
            layers.Add(new LayerEstimate(shape.Name, shape.Kind, shape.Macs, shape.Macs, 0, luts, ffs, 0, 0,
                shape.Positions, shape.Positions / clock, ebops));
        }
        var total = new Resources(layers.Sum(l => l.Luts), layers.Sum(l => l.FlipFlops), 0, 0);
        long cycles = layers.Sum(l => l.Cycles);
        long perFrame = layers.Max(l => l.Cycles);
        return new DesignEstimate("unrolled", device, a, layers, total, cycles, perFrame, null);
    }

    private static (LayerShape Shape, LayerPlan Plan)[] Match(IReadOnlyList<LayerShape> shapes, QuantizationPlan plan)
    {
        if (shapes.Count != plan.Layers.Count)
            throw new MixQException($"plan {plan.Source} has {plan.Layers.Count} layers but the model has {shapes.Count}");
        return shapes.Select(s =>
        {
            if (!plan.TryGetLayer(s.Name, out var layer) || layer.Rows != s.Rows || layer.RowLength != s.RowLength)
                throw new MixQException($"plan {plan.Source} does not match the model at layer {s.Name}");
            return (s, layer);
        }).ToArray();
    }
}
