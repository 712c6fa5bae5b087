namespace MixQ.Codegen.Verilog;

/// <summary>
/// Shape of the data on one side of a stage: a stream of <see cref="Beats"/> beats of <see cref="Lanes"/> values
/// each (a pixel of all channels, or one value), or a single beat holding a whole vector (Beats = 1).
/// </summary>
public sealed record StagePorts(int Lanes, int Beats, IntType Element, int Channels = 0, int Height = 0, int Width = 0)
{
    public int DataBits => Lanes * Element.Bits;

    public static StagePorts Stream(int channels, int height, int width, IntType element) =>
        new(channels, height * width, element, channels, height, width);

    public static StagePorts Vector(int length, IntType element) => new(length, 1, element);
}
