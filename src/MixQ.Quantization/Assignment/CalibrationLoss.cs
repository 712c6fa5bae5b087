using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.Quantization.Assignment;

/// <summary>Loss closures for the Hessian rule: the scalar loss of the model on one fixed calibration batch.</summary>
public static class CalibrationLoss
{
    /// <summary>Mean softmax cross-entropy of <paramref name="model"/>(<paramref name="inputs"/>) against <paramref name="labels"/>.</summary>
    public static Func<Tensor> CrossEntropy(Module model, Tensor inputs, int[] labels)
    {
        if (inputs.Rank == 0 || inputs.Dim(0) != labels.Length)
            throw new ArgumentException($"calibration batch has {(inputs.Rank == 0 ? 0 : inputs.Dim(0))} inputs but {labels.Length} labels");
        return () => Ops.SoftmaxCrossEntropy(model.Forward(inputs), labels);
    }
}
