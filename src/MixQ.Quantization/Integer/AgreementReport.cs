namespace MixQ.Quantization.Integer;

/// <summary>
/// How an integer model agrees with the fake-quantized model it came from on a data set: predictions, accuracy,
/// and, per quantized layer, how many input codes differ (and by how much at most). <see cref="Outputs"/> compares
/// the outputs themselves where they are meant to be identical (HGQ models), and is null otherwise.
/// </summary>
public sealed record AgreementReport(
    int Samples,
    int IdenticalPredictions,
    double FakeQuantAccuracy,
    double IntegerAccuracy,
    IReadOnlyList<LayerCodeAgreement> Layers,
    IReadOnlyList<PredictionMismatch> Mismatches,
    OutputAgreement? Outputs = null)
{
    public double PredictionAgreement => Samples == 0 ? double.NaN : (double)IdenticalPredictions / Samples;
}

/// <summary>Input codes of one quantized layer: how many of <see cref="Codes"/> differ, and the largest difference.</summary>
public sealed record LayerCodeAgreement(string Layer, long Codes, long Different, long MaxDifference);

/// <summary>
/// A sample whose predictions differ: the fake-quantized model's float logits of both picks (their gap shows how
/// close the call was) and the integer logits of both.
/// </summary>
public sealed record PredictionMismatch(int Sample, int FakeQuantClass, int IntegerClass, float FakeQuantLogitGap, long IntegerLogitGap);

/// <summary>
/// Outputs compared value for value: integer logit times the model's output scale against the float output, exactly.
/// <see cref="IdenticalSamples"/> counts samples all of whose outputs are identical.
/// </summary>
public sealed record OutputAgreement(long Compared, long Different, int IdenticalSamples);
