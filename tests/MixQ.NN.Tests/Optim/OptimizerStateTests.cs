using MixQ.NN.Optim;
using MixQ.Tensors;
using static MixQ.NN.Tests.Optim.OptimizerTestData;

namespace MixQ.NN.Tests.Optim;

public class OptimizerStateTests
{
    public static TheoryData<string> Kinds => ["sgd", "nesterov", "adam", "adamw"];

    private static Optimizer Create(string kind, IReadOnlyList<Tensor> parameters) => kind switch
    {
        "sgd" => new Sgd(parameters, new SgdOptions(0.05f) { Momentum = 0.9f, Dampening = 0.1f, WeightDecay = 0.01f }),
        "nesterov" => new Sgd(parameters, new SgdOptions(0.05f) { Momentum = 0.9f, Nesterov = true }),
        "adam" => new Adam(parameters, new AdamOptions(0.01f) { WeightDecay = 0.01f }),
        "adamw" => new AdamW(parameters, new AdamOptions(0.01f) { WeightDecay = 0.01f }),
        _ => throw new ArgumentException(kind),
    };

    private static Tensor[] MakeParameters(Random rng)
    {
        var scale = Tensor.Scalar(RandomValues(rng, 1)[0]); // rank 0: its state must keep shape []
        scale.Name = "scale";
        return [Parameter("weight", RandomValues(rng, 19)), Parameter("bias", RandomValues(rng, 3)), scale];
    }

    private static void RandomStep(Optimizer optimizer, Random rng, bool skipSecond = false)
    {
        foreach (var p in optimizer.Parameters) p.Grad = Tensor.Wrap(RandomValues(rng, p.Size), p.ShapeArray());
        if (skipSecond) optimizer.Parameters[1].Grad = null;
        optimizer.Step();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ResumedOptimizerContinuesBitForBit(string kind)
    {
        var original = Create(kind, MakeParameters(new Random(1)));
        var grads = new Random(2);
        RandomStep(original, grads, skipSecond: true); // uneven per-parameter step counts
        RandomStep(original, grads);
        RandomStep(original, grads);

        var state = original.ExportState();
        var resumed = Create(kind, original.Parameters.Select(p => { var c = p.Clone(); c.Name = p.Name; return c; }).ToArray());
        resumed.ImportState(state);
        Assert.Equal(original.StepCount, resumed.StepCount);

        var gradsA = new Random(3);
        var gradsB = new Random(3);
        for (int i = 0; i < 4; i++)
        {
            RandomStep(original, gradsA);
            RandomStep(resumed, gradsB);
        }
        for (int i = 0; i < original.Parameters.Count; i++)
            Assert.Equal(original.Parameters[i].ToArray(), resumed.Parameters[i].ToArray());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ResumingWithoutStateDiverges(string kind)
    {
        // Guards the test above: if state did not matter, it could pass with ImportState doing nothing.
        var original = Create(kind, MakeParameters(new Random(1)));
        var grads = new Random(2);
        for (int i = 0; i < 3; i++) RandomStep(original, grads);
        var fresh = Create(kind, original.Parameters.Select(p => p.Clone()).ToArray());
        RandomStep(original, new Random(3));
        RandomStep(fresh, new Random(3));
        Assert.NotEqual(original.Parameters[0].ToArray(), fresh.Parameters[0].ToArray());
    }

    [Fact]
    public void ExportedStateIsACopyWithDocumentedNames()
    {
        var p = MakeParameters(new Random(4));
        var adam = new Adam(p, new AdamOptions(0.01f));
        RandomStep(adam, new Random(5), skipSecond: true);
        var state = adam.ExportState();
        Assert.Equal(["0.exp_avg", "0.exp_avg_sq", "0.step", "2.exp_avg", "2.exp_avg_sq", "2.step", "step"], state.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([0f, 1f], state["step"].ToArray());
        Assert.Equal(p[0].ShapeArray(), state["0.exp_avg"].ShapeArray());
        Assert.Equal(Array.Empty<int>(), state["2.exp_avg_sq"].ShapeArray());

        var before = state["0.exp_avg"].ToArray();
        RandomStep(adam, new Random(6));
        Assert.Equal(before, state["0.exp_avg"].ToArray());
    }

    [Fact]
    public void ImportedStateIsCopied()
    {
        var a = new Sgd([Parameter("w", 1f, 2f)], new SgdOptions(0.1f) { Momentum = 0.9f });
        RandomStep(a, new Random(1));
        var state = a.ExportState();
        var b = new Sgd([Parameter("w", 1f, 2f)], new SgdOptions(0.1f) { Momentum = 0.9f });
        b.ImportState(state);
        var buffer = state["0.momentum_buffer"].ToArray();
        RandomStep(b, new Random(2));
        Assert.Equal(buffer, state["0.momentum_buffer"].ToArray());
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(16_777_217L)]      // 2^24 + 1: the first integer float32 cannot hold
    [InlineData(1_099_511_627_781L)] // 2^40 + 5
    public void StepCountsSurviveExactly(long count)
    {
        Assert.Equal(count, StepCountTensor.Decode(StepCountTensor.Encode(count), "test"));
    }

    [Fact]
    public void MismatchedStateIsRejectedWithoutChangingTheOptimizer()
    {
        var adam = new Adam(MakeParameters(new Random(1)), new AdamOptions(0.01f));
        RandomStep(adam, new Random(2));
        var good = adam.ExportState();

        var sgd = new Sgd(MakeParameters(new Random(1)), new SgdOptions(0.1f) { Momentum = 0.9f });
        var e = Assert.Throws<MixQException>(() => sgd.ImportState(good));
        Assert.Contains("exp_avg", e.Message);
        Assert.Equal(0, sgd.StepCount);

        var wrongShape = new Dictionary<string, Tensor>(good) { ["0.exp_avg"] = Tensor.Zeros(5) };
        Assert.Contains("shape", Assert.Throws<MixQException>(() => adam.ImportState(wrongShape)).Message);

        var missing = new Dictionary<string, Tensor>(good);
        missing.Remove("1.exp_avg_sq");
        Assert.Contains("1.exp_avg_sq", Assert.Throws<MixQException>(() => adam.ImportState(missing)).Message);

        var noStep = new Dictionary<string, Tensor>(good);
        noStep.Remove("step");
        Assert.Contains("'step'", Assert.Throws<MixQException>(() => adam.ImportState(noStep)).Message);

        var badIndex = new Dictionary<string, Tensor>(good) { ["7.exp_avg"] = Tensor.Zeros(3) };
        Assert.Contains("7.exp_avg", Assert.Throws<MixQException>(() => adam.ImportState(badIndex)).Message);

        var fractional = new Dictionary<string, Tensor>(good) { ["0.step"] = Tensor.FromArray([0f, 1.5f]) };
        Assert.Throws<MixQException>(() => adam.ImportState(fractional));
    }
}
