namespace MixQ.Hardware.Estimate;

/// <summary>A resource a design needs more of than the device has: by how much, absolutely and as a share of the device.</summary>
public sealed record ResourceOverrun(string Resource, double Needed, double Available)
{
    public double Excess => Needed - Available;

    public double ExcessShare => Available > 0 ? Excess / Available : double.PositiveInfinity;

    public override string ToString() =>
        $"{Resource} needs {Needed:N0} of {Available:N0} (over by {Excess:N0}{(Available > 0 ? $", {ExcessShare:P0}" : "")})";
}
