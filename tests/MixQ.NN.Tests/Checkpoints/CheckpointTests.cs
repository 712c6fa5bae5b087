using MixQ.NN.Checkpoints;
using MixQ.NN.Layers;
using MixQ.NN.Tests.IO;
using MixQ.NN.Modules;
using MixQ.NN.Optim;
using MixQ.Tensors;

namespace MixQ.NN.Tests.Checkpoints;

public class CheckpointTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A small module with a parameter, a buffer and a child, like a layer followed by a norm.</summary>
    private sealed class TinyNet : Module
    {
        public TinyNet(Random rng, int hidden = 3)
        {
            Weight = RegisterParameter("weight", Tensor.RandN(rng, 1f, hidden, 2));
            Norm = RegisterModule("norm", new TinyNorm(rng, hidden));
        }

        public Tensor Weight { get; }
        public TinyNorm Norm { get; }

        public override Tensor Forward(Tensor input) => input;
    }

    private sealed class TinyNorm : Module
    {
        public TinyNorm(Random rng, int n)
        {
            Scale = RegisterParameter("weight", Tensor.RandN(rng, 1f, n));
            RunningMean = RegisterBuffer("running_mean", Tensor.RandN(rng, 1f, n));
        }

        public Tensor Scale { get; }
        public Tensor RunningMean { get; }

        public override Tensor Forward(Tensor input) => input;
    }

    private static Dictionary<string, float[]> Values(Module m) => m.StateDict().ToDictionary(p => p.Name, p => p.Tensor.ToArray());

    [Fact]
    public void ModelStateAndMetadataRoundTrip()
    {
        string path = _folder.File("ckpt.safetensors");
        var saved = new TinyNet(new Random(1));
        Checkpoint.Save(path, saved, new CheckpointMetadata
        {
            ModelDescription = "{\"layers\":[\"linear\",\"norm\"]}",
            Epoch = 12,
            Extra = new Dictionary<string, string> { ["dataset"] = "mnist" },
        });

        var loaded = new TinyNet(new Random(2));
        Assert.NotEqual(Values(saved)["weight"], Values(loaded)["weight"]);
        var metadata = Checkpoint.Load(path, loaded);

        Assert.Equal(Values(saved), Values(loaded));
        Assert.Equal(["weight", "norm.weight", "norm.running_mean"], Values(loaded).Keys);
        Assert.Equal("{\"layers\":[\"linear\",\"norm\"]}", metadata.ModelDescription);
        Assert.Equal(12, metadata.Epoch);
        Assert.Equal(new Dictionary<string, string> { ["dataset"] = "mnist" }, metadata.Extra);
        Assert.Null(metadata.OptimizerState);
    }

    [Fact]
    public void OptimizerStateTravelsUnderItsPrefixAndResumesIdentically()
    {
        string path = _folder.File("resume.safetensors");
        var model = new TinyNet(new Random(1));
        var optimizer = new AdamW(model.Parameters(), new AdamOptions(0.01f) { WeightDecay = 0.1f });
        var grads = new Random(5);
        void TrainStep(Module m, Optimizer o, Random r)
        {
            foreach (var p in m.Parameters()) p.Grad = Tensor.RandN(r, 1f, p.ShapeArray());
            o.Step();
        }
        for (int i = 0; i < 3; i++) TrainStep(model, optimizer, grads);
        Checkpoint.Save(path, model, new CheckpointMetadata { Epoch = 3, OptimizerState = optimizer.ExportState() });

        var names = SafeTensors.Read(path).Tensors.Keys.ToHashSet();
        Assert.Contains("optim.step", names);
        Assert.Contains("optim.0.exp_avg", names);

        var resumedModel = new TinyNet(new Random(9));
        var metadata = Checkpoint.Load(path, resumedModel);
        var resumedOptimizer = new AdamW(resumedModel.Parameters(), new AdamOptions(0.01f) { WeightDecay = 0.1f });
        resumedOptimizer.ImportState(metadata.OptimizerState!);

        var a = new Random(6);
        var b = new Random(6);
        for (int i = 0; i < 3; i++)
        {
            TrainStep(model, optimizer, a);
            TrainStep(resumedModel, resumedOptimizer, b);
        }
        Assert.Equal(Values(model), Values(resumedModel));
    }

    [Fact]
    public void ShapeMismatchIsReportedAndLeavesTheModelUnchanged()
    {
        string path = _folder.File("wide.safetensors");
        Checkpoint.Save(path, new TinyNet(new Random(1), hidden: 4));
        var model = new TinyNet(new Random(2), hidden: 3);
        var before = Values(model);

        var e = Assert.Throws<MixQException>(() => Checkpoint.Load(path, model));

        Assert.StartsWith($"checkpoint {path} does not match model TinyNet: ", e.Message);
        Assert.Contains("tensor 'weight' has shape [4, 2] in the checkpoint but [3, 2] in the model", e.Message);
        Assert.Contains("'norm.running_mean'", e.Message);
        Assert.Equal(before, Values(model));
    }

    /// <summary>A stand-in quantizer with one learned value, attached the way quantization attaches its own.</summary>
    private sealed class ScaleQuantizer : Module
    {
        public ScaleQuantizer() => RegisterParameter("scale", Tensor.Ones(2));

        public override Tensor Forward(Tensor input) => input;
    }

    [Fact]
    public void AQuantizedModelOfferedForAFloatOneIsNamedAsSuch()
    {
        string path = _folder.File("quantized.safetensors");
        var quantized = new Linear(3, 2, new Random(1));
        quantized.AttachQuantizers(new ScaleQuantizer(), new ScaleQuantizer());
        Checkpoint.Save(path, quantized);
        var floatModel = new Linear(3, 2, new Random(2));
        var before = Values(floatModel);

        var e = Assert.Throws<MixQException>(() => Checkpoint.Load(path, floatModel));

        Assert.Equal($"checkpoint {path} is a quantized model (it holds quantizer state such as 'input_quant.scale'), " +
                     "but a float model is expected here: use the float checkpoint it was quantized from", e.Message);
        Assert.Equal(before, Values(floatModel));

        // The other way round (a float checkpoint for a model with quantizers) is an ordinary mismatch, and a quantized
        // model loads its own checkpoint.
        var other = new Linear(3, 2, new Random(3));
        other.AttachQuantizers(new ScaleQuantizer(), new ScaleQuantizer());
        string floatPath = _folder.File("float.safetensors");
        Checkpoint.Save(floatPath, floatModel);
        var mismatch = Assert.Throws<MixQException>(() => Checkpoint.Load(floatPath, other));
        Assert.Contains("missing tensor 'weight_quant.scale'", mismatch.Message);
        Checkpoint.Load(path, other);
        Assert.Equal(Values(quantized), Values(other));
    }

    [Theory]
    [InlineData("0.weight_quant.scale", true)]
    [InlineData("layers.3.input_quant.fractional_bits", true)]
    [InlineData("input_quant.clip", true)]
    [InlineData("0.weight", false)]
    [InlineData("weight_quantity", false)]
    [InlineData("my_input_quant.x", false)]
    public void QuantizerEntriesAreRecognisedByTheirModuleName(string name, bool expected) =>
        Assert.Equal(expected, QuantizableLayer.IsQuantizerEntry(name));

    [Fact]
    public void MissingAndUnexpectedTensorsAreReported()
    {
        string path = _folder.File("other.safetensors");
        var stored = new TinyNet(new Random(1)).StateDict().ToDictionary(p => p.Name, p => p.Tensor);
        stored.Remove("norm.running_mean");
        stored["head.bias"] = Tensor.Zeros(2);
        stored["optim.step"] = Tensor.Zeros(2); // optimizer entries are not model tensors
        SafeTensors.Write(path, stored, new Dictionary<string, object> { ["token_ids"] = new NDArray<long>([2]) }, null);

        var e = Assert.Throws<MixQException>(() => Checkpoint.Load(path, new TinyNet(new Random(2))));

        Assert.Contains($"checkpoint {path} does not match model TinyNet", e.Message);
        Assert.Contains("missing tensor 'norm.running_mean'", e.Message);
        Assert.Contains("unexpected tensor 'head.bias'", e.Message);
        Assert.Contains("unexpected tensor 'token_ids'", e.Message);
        Assert.DoesNotContain("optim.step", e.Message);
        Assert.DoesNotContain("'weight'", e.Message);
    }

    [Fact]
    public void ReservedMetadataKeysAreRefused()
    {
        string path = _folder.File("x.safetensors");
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, new TinyNet(new Random(1)),
            new CheckpointMetadata { Extra = new Dictionary<string, string> { ["mixq.epoch"] = "1" } }));
    }

    [Fact]
    public void CorruptEpochIsAUserError()
    {
        string path = _folder.File("epoch.safetensors");
        var model = new TinyNet(new Random(1));
        var tensors = model.StateDict().ToDictionary(p => p.Name, p => p.Tensor);
        SafeTensors.Write(path, tensors, new Dictionary<string, string> { ["mixq.epoch"] = "three" });
        var e = Assert.Throws<MixQException>(() => Checkpoint.Load(path, model));
        Assert.Contains(path, e.Message);
        Assert.Contains("epoch", e.Message);
    }
}
