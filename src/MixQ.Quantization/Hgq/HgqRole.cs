namespace MixQ.Quantization.Hgq;

/// <summary>What an <see cref="HgqQuantizer"/> formats: a layer's weight, or the activations entering it.</summary>
public enum HgqRole
{
    /// <summary>Ranges come from the weight itself at every forward pass; bits count as the non-zero span.</summary>
    Weight,

    /// <summary>Ranges are recorded from the data (training or calibration); bits count as the full width k + i + f.</summary>
    Activation,
}
