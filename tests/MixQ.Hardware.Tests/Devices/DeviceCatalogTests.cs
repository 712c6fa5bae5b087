using MixQ.Hardware.Devices;

namespace MixQ.Hardware.Tests.Devices;

public sealed class DeviceCatalogTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixq-dev-" + Guid.NewGuid().ToString("N"));

    public DeviceCatalogTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Figures of the vendor product tables as methods.md §6 lists them.
    [Theory]
    [InlineData("XC7Z020", 53_200, 106_400, 220, DspKind.DSP48E1, 140)]
    [InlineData("XC7Z045", 218_600, 437_200, 900, DspKind.DSP48E1, 545)]
    [InlineData("XCZU9EG", 274_080, 548_160, 2_520, DspKind.DSP48E2, 912)]
    [InlineData("XCVU9P", 1_182_240, 2_364_480, 6_840, DspKind.DSP48E2, 2_160)]
    public void BuiltInDevicesCarryTheDataSheetFigures(string name, long luts, long ffs, long dsps, DspKind kind, long bram)
    {
        var d = DeviceCatalog.Resolve(name.ToLowerInvariant());
        Assert.Equal(name, d.Name);
        Assert.Equal(luts, d.Luts);
        Assert.Equal(ffs, d.FlipFlops);
        Assert.Equal(dsps, d.Dsps);
        Assert.Equal(kind, d.DspKind);
        Assert.Equal(bram, d.Bram36);
        Assert.True(d.ClockMHz > 0);
        Assert.Equal(kind == DspKind.DSP48E1 ? "xc7" : "xcup", d.SynthFamily);
    }

    [Fact]
    public void AnUnknownNameListsTheKnownDevices()
    {
        var e = Assert.Throws<MixQException>(() => DeviceCatalog.Resolve("XC9999"));
        Assert.Equal("unknown device 'XC9999' (expected one of: XC7Z020, XC7Z045, XCZU9EG, XCVU9P, or a device .json file)", e.Message);
    }

    [Fact]
    public void AUserDeviceFileLoads()
    {
        string path = Write("""{"name":"tiny","luts":1000,"flip_flops":2000,"dsps":4,"dsp_kind":"dsp48e2","bram36":2,"clock_mhz":125.5}""");
        var d = DeviceCatalog.Resolve(path);
        Assert.Equal(new FpgaDevice("tiny", 1000, 2000, DspKind.DSP48E2, 4, 2, 125.5), d);
    }

    [Theory]
    [InlineData("""{"luts":1000,"flip_flops":2000,"dsps":4,"dsp_kind":"DSP48E1","bram36":2,"clock_mhz":100}""", "missing field 'name'")]
    [InlineData("""{"name":"x","flip_flops":2000,"dsps":4,"dsp_kind":"DSP48E1","bram36":2,"clock_mhz":100}""", "missing field 'luts'")]
    [InlineData("""{"name":"x","luts":1000,"flip_flops":2000,"dsp_kind":"DSP48E1","bram36":2,"clock_mhz":100}""", "missing field 'dsps'")]
    [InlineData("""{"name":"x","luts":1000,"flip_flops":2000,"dsps":4,"dsp_kind":"DSP48E1","bram36":2}""", "missing field 'clock_mhz'")]
    [InlineData("""{"name":"x","luts":1000,"flip_flops":2000,"dsps":-4,"dsp_kind":"DSP48E1","bram36":2,"clock_mhz":100}""", "field 'dsps' must not be negative, got -4")]
    [InlineData("""{"name":"x","luts":1000,"flip_flops":2000,"dsps":4,"dsp_kind":"DSP48E1","bram36":-1,"clock_mhz":100}""", "field 'bram36' must not be negative, got -1")]
    [InlineData("""{"name":"x","luts":0,"flip_flops":2000,"dsps":4,"dsp_kind":"DSP48E1","bram36":2,"clock_mhz":100}""", "field 'luts' must be positive, got 0")]
    [InlineData("""{"name":"x","luts":1.5,"flip_flops":2000,"dsps":4,"dsp_kind":"DSP48E1","bram36":2,"clock_mhz":100}""", "field 'luts' must be a whole number")]
    [InlineData("""{"name":"x","luts":1000,"flip_flops":2000,"dsps":4,"dsp_kind":"DSP58","bram36":2,"clock_mhz":100}""", "field 'dsp_kind' must be DSP48E1 or DSP48E2, got 'DSP58'")]
    [InlineData("""{"name":"x","luts":1000,"flip_flops":2000,"dsps":4,"dsp_kind":"DSP48E1","bram36":2,"clock_mhz":0}""", "field 'clock_mhz' must be positive, got 0")]
    public void ABadDeviceFileNamesTheFieldInOneLine(string json, string problem)
    {
        string path = Write(json);
        var e = Assert.Throws<MixQException>(() => DeviceCatalog.Resolve(path));
        Assert.Equal($"device file {path}: {problem}", e.Message);
    }

    [Fact]
    public void MalformedJsonAndMissingFilesAreOneLine()
    {
        string path = Write("{\"name\": ");
        Assert.StartsWith($"device file {path} is not valid JSON", Assert.Throws<MixQException>(() => DeviceCatalog.Resolve(path)).Message);
        string missing = Path.Combine(_dir, "nope.json");
        Assert.Equal($"cannot read device file {missing}: no such file", Assert.Throws<MixQException>(() => DeviceCatalog.Resolve(missing)).Message);
    }

    private string Write(string json)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }
}
