using System.Text.Json;
using MixQ.Quantization.Plans;

namespace MixQ.Cli.Tests;

/// <summary>`mixq estimate` and `mixq partition` end to end, with their bad-input errors.</summary>
public sealed class HardwareCommandTests(QuantizedCheckpointFixture fixture) : IClassFixture<QuantizedCheckpointFixture>
{
    // The tiny MLP: 6 features -> 256 -> 128 -> 3 classes.
    private const long MlpMacs = 6 * 256 + 256 * 128 + 128 * 3;

    [Fact]
    public void EstimateGemmPrintsATableAndJson()
    {
        var r = MixQProcess.Run(fixture.Folder, "estimate", "--device", "XC7Z020", "--checkpoint", fixture.Checkpoint, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("total", r.Stdout);
        Assert.Contains("frames/s", r.Stdout);
        using var json = JsonDocument.Parse(r.LastStdoutLine);
        var root = json.RootElement;
        Assert.Equal("gemm", root.GetProperty("arch").GetString());
        Assert.Equal("XC7Z020", root.GetProperty("device").GetString());
        Assert.Equal(MlpMacs, root.GetProperty("macs").GetInt64());
        Assert.Equal(3, root.GetProperty("layers").GetArrayLength());
        Assert.True(root.GetProperty("fits").GetBoolean());
        Assert.True(root.GetProperty("luts").GetDouble() <= 0.8 * 53_200);
        Assert.True(root.GetProperty("dsps").GetDouble() <= 0.8 * 220);
        long cycles = root.GetProperty("cycles").GetInt64();
        Assert.Equal(100e6 / cycles, root.GetProperty("frames_per_second").GetDouble(), 6);
        Assert.Equal(cycles / 100e6, root.GetProperty("latency_seconds").GetDouble(), 12);
        Assert.Equal(cycles, root.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("cycles").GetInt64()));
    }

    [Fact]
    public void EstimateUnrolledReportsEbops()
    {
        var r = MixQProcess.Run(fixture.Folder, "estimate", "--device", "xcvu9p", "--checkpoint", fixture.Checkpoint, "--arch", "unrolled", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("EBOPs", r.Stdout);
        using var json = JsonDocument.Parse(r.LastStdoutLine);
        var root = json.RootElement;
        Assert.Equal("unrolled", root.GetProperty("arch").GetString());
        double ebops = root.GetProperty("ebops").GetDouble();
        // At most activation bits (4) x 7 weight bits per MAC, at least one bit for some weight.
        Assert.InRange(ebops, 1, 4.0 * 7 * MlpMacs);
        Assert.Equal(0, root.GetProperty("dsps").GetDouble());
        Assert.True(root.GetProperty("luts").GetDouble() > 0);
        Assert.Equal(3, root.GetProperty("cycles").GetInt64()); // one output vector per cycle in each of the three layers
    }

    [Fact]
    public void ADesignThatDoesNotFitIsReportedWithTheExcess()
    {
        string device = WriteDevice("""{"name":"mini","luts":2000,"flip_flops":4000,"dsps":0,"dsp_kind":"DSP48E1","bram36":0,"clock_mhz":50}""");
        var r = MixQProcess.Run(fixture.Folder, "estimate", "--device", device, "--checkpoint", fixture.Checkpoint, "--arch", "unrolled", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("does not fit mini: LUT needs", r.Stdout);
        using var json = JsonDocument.Parse(r.LastStdoutLine);
        Assert.False(json.RootElement.GetProperty("fits").GetBoolean());
        var over = json.RootElement.GetProperty("overruns")[0];
        Assert.Equal("LUT", over.GetProperty("resource").GetString());
        Assert.Equal(json.RootElement.GetProperty("luts").GetDouble() - 2000, over.GetProperty("excess").GetDouble(), 6);
    }

    [Fact]
    public void AModelThatCannotFitAtAllIsOneErrorLine()
    {
        string device = WriteDevice("""{"name":"speck","luts":500,"flip_flops":1000,"dsps":2,"dsp_kind":"DSP48E1","bram36":1,"clock_mhz":50}""");
        var r = MixQProcess.Run(fixture.Folder, "estimate", "--device", device, "--checkpoint", fixture.Checkpoint);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("mixq: error: the model does not fit device speck at all", r.Stderr.Trim());
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("XC9Z999", "mixq: error: unknown device 'XC9Z999' (expected one of: XC7Z020, XC7Z045, XCZU9EG, XCVU9P, or a device .json file)")]
    public void AnUnknownDeviceIsOneErrorLine(string device, string message)
    {
        var r = MixQProcess.Run(fixture.Folder, "estimate", "--device", device, "--checkpoint", fixture.Checkpoint);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.Stderr.Trim());
    }

    [Fact]
    public void DeviceFilesWithMissingFieldsOrNegativeCountsAreOneErrorLine()
    {
        string missing = WriteDevice("""{"name":"m","flip_flops":1000,"dsps":2,"dsp_kind":"DSP48E1","bram36":1,"clock_mhz":50}""");
        var r = MixQProcess.Run(fixture.Folder, "estimate", "--device", missing, "--checkpoint", fixture.Checkpoint);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"mixq: error: device file {missing}: missing field 'luts'", r.Stderr.Trim());

        string negative = WriteDevice("""{"name":"n","luts":1000,"flip_flops":1000,"dsps":-2,"dsp_kind":"DSP48E1","bram36":1,"clock_mhz":50}""");
        r = MixQProcess.Run(fixture.Folder, "partition", "--device", negative, "--model", "lenet5");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"mixq: error: device file {negative}: field 'dsps' must not be negative, got -2", r.Stderr.Trim());
    }

    [Fact]
    public void EstimateOfAFloatCheckpointIsOneErrorLine()
    {
        string floatCkpt = Path.Combine(fixture.Folder, "float", "checkpoint.safetensors");
        var r = MixQProcess.Run(fixture.Folder, "estimate", "--device", "XC7Z020", "--checkpoint", floatCkpt);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"mixq: error: checkpoint {floatCkpt} is not quantized: run mixq quantize first", r.Stderr.Trim());
    }

    [Fact]
    public void PartitionPrintsARatioThatQuantizeAccepts()
    {
        var r = MixQProcess.Run(fixture.Folder, "partition", "--device", "XC7Z020", "--model", "lenet5", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = JsonDocument.Parse(r.LastStdoutLine);
        var root = json.RootElement;
        string ratio = root.GetProperty("ratio").GetString()!;
        Assert.Contains($"ratio: {ratio}", r.Stdout);
        var mix = MixSpec.Parse(ratio, "--ratio");
        Assert.Equal(ratio, mix.ToString());
        Assert.Equal(5m, mix.Entries.Single(e => e.Format.ToString() == "fixed-8").Percent);
        Assert.True(root.GetProperty("speedup").GetDouble() > 1);
        Assert.Equal(root.GetProperty("design").GetProperty("frames_per_second").GetDouble() /
                     root.GetProperty("baseline").GetProperty("frames_per_second").GetDouble(), root.GetProperty("speedup").GetDouble(), 9);
    }

    private string WriteDevice(string json)
    {
        string path = Path.Combine(fixture.Folder, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }
}
