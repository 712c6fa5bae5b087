namespace MixQ.Quantization;

/// <summary>How an activation quantizer's clipping threshold a is obtained.</summary>
public enum ClipMode
{
    /// <summary>PACT: a is a trainable parameter (it may still be initialised by calibration).</summary>
    Learned,

    /// <summary>a is fixed from calibration statistics (maximum or a percentile) and not trained.</summary>
    Calibrated,
}
