using MixQ.NN.Data;
using MixQ.NN.Modules;
using MixQ.Quantization.Qat;

namespace MixQ.Quantization.Integer;

/// <summary>
/// Runs a fake-quantized model and its integer model side by side on a data set and compares predictions and the
/// input codes of every quantized layer (the fake model's codes are its layer inputs passed through the same
/// quantizer formula; the integer model's are the tensors that enter its Dense/Conv2d layers).
/// </summary>
public static class IntegerAgreement
{
    public static AgreementReport Compare(Module fakeQuant, IntegerModel integer, Dataset data, int batchSize = 256)
    {
        var probes = QatModel.Layers(fakeQuant).Select(l =>
        {
            var quantizer = (ActivationQuantizer)l.Layer.InputQuantizer!;
            return new AgreementLoop.Probe(l.Name, l.Layer, input =>
            {
                // The clip is read at call time: it is a learned parameter.
                var codes = new InputQuantization(quantizer.Clip.Contiguous().Span[0], new ActivationCodes(quantizer.Config.Bits, quantizer.Config.Signed));
                var result = new long[input.Length];
                codes.Quantize(input, result);
                return result;
            });
        }).ToList();
        return AgreementLoop.Run(fakeQuant, integer, data, batchSize, probes, exactOutputs: false);
    }
}
