namespace MixQ.Quantization.NumberSystems;

/// <summary>
/// The hardware encoding of one quantization level: what integer inference and the generated Verilog store
/// for a weight instead of its real value. <see cref="Decode"/> gives the level back exactly (in double).
/// </summary>
public abstract record LevelCode
{
    /// <summary>The level this code stands for, before the row scale alpha is applied.</summary>
    public abstract double Decode();
}
