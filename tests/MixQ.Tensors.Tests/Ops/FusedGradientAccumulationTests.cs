namespace MixQ.Tensors.Tests;

/// <summary>
/// Fused ops write a fresh input gradient in place but must add to an existing one (an input used twice, as in
/// a residual block). Using the op twice on the same input must give exactly twice the single-use gradient.
/// </summary>
public class FusedGradientAccumulationTests
{
    public static TheoryData<string> OpNames => new()
    {
        "conv", "conv1x1", "maxpool", "avgpool", "gap", "batchnorm", "batchnorm1d", "layernorm", "softmax", "logsoftmax",
        "gelu", "relu6", "leakyrelu", "dropout", "cross_entropy", "mse",
    };

    [Theory]
    [MemberData(nameof(OpNames))]
    public void UsingAnInputTwiceDoublesItsGradient(string name)
    {
        var rng = new Random(name.Length);
        var shape = name is "batchnorm1d" or "cross_entropy" ? new[] { 4, 5 } : new[] { 2, 3, 6, 5 };
        var weight = Tensor.RandUniform(rng, -1, 1, 4, 3, 3, 3);
        var pointwise = Tensor.RandUniform(rng, -1, 1, 4, 3, 1, 1);
        Func<Tensor, Tensor> op = name switch
        {
            "conv" => x => Ops.Conv2d(x, weight, null, 2, 1),
            "conv1x1" => x => Ops.Conv2d(x, pointwise),
            "maxpool" => x => Ops.MaxPool2d(x, 3, 2, 1),
            "avgpool" => x => Ops.AvgPool2d(x, 2),
            "gap" => Ops.GlobalAvgPool2d,
            "batchnorm" or "batchnorm1d" => x => Ops.BatchNorm(x, null, null, null, null, training: true),
            "layernorm" => x => Ops.LayerNorm(x, null, null),
            "softmax" => x => Ops.Softmax(x),
            "logsoftmax" => x => Ops.LogSoftmax(x),
            "gelu" => Ops.Gelu,
            "relu6" => Ops.Relu6,
            "leakyrelu" => x => Ops.LeakyRelu(x),
            "dropout" => x => Ops.Dropout(x, 0.5f, true, new Random(3)),
            "cross_entropy" => x => Ops.SoftmaxCrossEntropy(x, [0, 4, 2, 1]),
            "mse" => x => Ops.MseLoss(x, Tensor.Zeros(x.ShapeArray())),
            _ => throw new ArgumentException(name),
        };
        var data = Tensor.RandUniform(rng, -3, 3, shape);

        var once = data.Clone();
        once.RequiresGrad = true;
        var y1 = op(once);
        var seed = Tensor.RandUniform(rng, -1, 1, y1.ShapeArray());
        y1.Backward(seed);

        var twice = data.Clone();
        twice.RequiresGrad = true;
        Ops.Add(op(twice), op(twice)).Backward(seed);

        var single = once.Grad!.ToArray();
        var doubled = twice.Grad!.ToArray();
        for (int i = 0; i < single.Length; i++)
            Approx.AssertClose(2.0 * single[i], doubled[i], 1e-5, $"{name} grad[{i}]");
    }
}
