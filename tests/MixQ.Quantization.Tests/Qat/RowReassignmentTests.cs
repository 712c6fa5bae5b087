using MixQ.NN.Optim;
using MixQ.NN.Training;
using MixQ.Quantization.Assignment;
using MixQ.Quantization.Plans;
using MixQ.Quantization.Qat;
using MixQ.Tensors;
using static MixQ.Quantization.Tests.Plans.PlanTestModels;

namespace MixQ.Quantization.Tests.Qat;

public class RowReassignmentTests
{
    private static EpochReport Epoch(int n) => new(n, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>The plan with rows <paramref name="a"/> and <paramref name="b"/> of layer <paramref name="layer"/> swapped.</summary>
    private static QuantizationPlan Swapped(QuantizationPlan plan, string layer, int a, int b) =>
        new(plan.Method, plan.ModelName, plan.Mix, plan.Rule, plan.Seed, plan.ActivationBits, plan.Edges,
            plan.Layers.Select(l =>
            {
                if (l.Name != layer) return l;
                var formats = l.RowFormats.ToArray();
                (formats[a], formats[b]) = (formats[b], formats[a]);
                return new LayerPlan(l.Name, l.Kind, l.RowLength, formats, l.Role);
            }));

    [Fact]
    public void RowsThatChangeFormatLoseTheirScaleMomentumAndNothingElseDoes()
    {
        var model = MlpOf(2, 6, 40, 8, 3); // inner layer "2": 8 rows of sp2-4/fixed-4/fixed-8
        var plan = PlanBuilder.Build(model, new PlanOptions { Method = "rmsmp", Mix = Rmsmp });
        QatModel.Attach(model, plan, "rmsmp", learnScales: true, [Tensor.RandN(new Random(5), 1f, [16, 6])]);
        var inner = plan["2"].RowFormats;
        int a = 0, b = Enumerable.Range(1, inner.Count - 1).First(r => inner[r] != inner[0]);
        var next = Swapped(plan, "2", a, b);

        var parameters = model.Parameters().ToList();
        var sgd = new Sgd(parameters, new SgdOptions(0.01f) { Momentum = 0.9f });
        foreach (var p in parameters) p.Grad = Tensor.Full(1f, p.ShapeArray());
        sgd.Step(); // every momentum buffer is now 1

        QuantizationPlan? applied = null;
        var reassignment = new RowReassignment(model, every: 1, epochs: 3, () => next, p => applied = p);
        reassignment.OnOptimizer(sgd);
        reassignment.AfterEvaluation(Epoch(1));

        Assert.Same(next, applied);
        var scale = ((RowWiseWeightQuantizer)QatModel.Layers(model)[1].Layer.WeightQuantizer!).Scale;
        var state = sgd.ExportState();
        for (int i = 0; i < parameters.Count; i++)
        {
            var momentum = state[$"{i}.momentum_buffer"].ToArray();
            for (int e = 0; e < momentum.Length; e++)
            {
                bool restarted = ReferenceEquals(parameters[i], scale) && (e == a || e == b);
                Assert.Equal(restarted ? 0f : 1f, momentum[e]);
            }
        }
        Assert.Equal(next["2"].RowFormats, ((RowWiseWeightQuantizer)QatModel.Layers(model)[1].Layer.WeightQuantizer!).Formats);
    }

    [Theory]
    [InlineData(2, 1, false)] // not a multiple of every
    [InlineData(2, 2, true)]
    [InlineData(1, 3, false)] // the last epoch: nothing trains afterwards
    public void ReassignsAfterEveryNthEpochButTheLast(int every, int epoch, bool expected)
    {
        var model = Mlp();
        var plan = PlanBuilder.Build(model, new PlanOptions { Method = "msq", Mix = Rmsmp });
        QatModel.Attach(model, plan, "msq", learnScales: true, [Tensor.RandN(new Random(5), 1f, [4, 6])]);
        bool assigned = false;
        var reassignment = new RowReassignment(model, every, epochs: 3, () => { assigned = true; return plan; }, _ => { });
        reassignment.AfterEvaluation(Epoch(epoch));
        Assert.Equal(expected, assigned);
    }
}
