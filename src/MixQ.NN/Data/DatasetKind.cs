namespace MixQ.NN.Data;

/// <summary>What the features of a <see cref="Dataset"/> are, which decides the default normalization.</summary>
public enum DatasetKind
{
    /// <summary>Raw 0..255 pixels laid out [C, H, W]; normalized by 1/255 then per-channel mean/std.</summary>
    Image,

    /// <summary>Numeric columns [F]; each column standardized with its own mean/std.</summary>
    Table,

    /// <summary>Token ids stored as floats [T]; never normalized.</summary>
    Text,
}
