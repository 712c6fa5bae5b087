using System.Text.Json;
using MixQ.NN.Layers;
using MixQ.Quantization.Assignment;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Plans;
using static MixQ.Quantization.Tests.Plans.PlanTestModels;

namespace MixQ.Quantization.Tests.Plans;

public sealed class QuantizationPlanTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mixq-plan-tests").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static QuantizationPlan HandMadePlan() => new(
        "rmsmp", "tiny", Rmsmp, AssignmentRule.Kurtosis, 7, 4, new EdgeLayerPolicy(Fixed8, null),
        [
            new LayerPlan("features.0", LayerKind.Conv2d, 18, [Fixed8, Fixed8], LayerRole.First),
            new LayerPlan("head", LayerKind.Linear, 12, [Sp2x4, Fixed4, Fixed8, Sp2x4, NumberFormat.PowerOfTwo(3)], LayerRole.Last),
        ]);

    [Fact]
    public void RowFormatsAreOneBase36CharacterPerRowIndexingTheFormatList()
    {
        using var doc = JsonDocument.Parse(HandMadePlan().ToJson());
        var root = doc.RootElement;
        Assert.Equal("mixq-plan", root.GetProperty("format").GetString());
        // Palette: the mix's formats in order, then the edge format (already listed), then others in layer order.
        Assert.Equal(["sp2-4", "fixed-4", "fixed-8", "pot-3"], root.GetProperty("formats").EnumerateArray().Select(e => e.GetString()));
        var layers = root.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal("22", layers[0].GetProperty("row_formats").GetString());
        Assert.Equal("01203", layers[1].GetProperty("row_formats").GetString());
        Assert.Equal("first", layers[0].GetProperty("role").GetString());
        Assert.Equal("conv2d", layers[0].GetProperty("kind").GetString());
        Assert.Equal("fixed-8", root.GetProperty("first_layer_format").GetString());
        Assert.Equal("mix", root.GetProperty("last_layer_format").GetString());
        Assert.Equal("kurtosis", root.GetProperty("rule").GetString());
    }

    [Fact]
    public void SaveAndLoadRoundTripExactly()
    {
        var model = ConvNet();
        foreach (var (rule, edges) in new[] { (AssignmentRule.Error, EdgeLayerPolicy.Default), (AssignmentRule.Random, EdgeLayerPolicy.FollowMix) })
        {
            var plan = PlanBuilder.Build(model, new PlanOptions { Method = "rmsmp", Mix = Rmsmp, Rule = rule, Edges = edges, Seed = 3, ActivationBits = 6 });
            string path = Path.Combine(_folder, $"{rule}.json");
            plan.Save(path);
            var loaded = QuantizationPlan.Load(path);
            Assert.Equal(plan, loaded);
            Assert.Equal(plan.ToJson(), loaded.ToJson());
            Assert.Equal(path, loaded.Source);
            Assert.Equal(6, loaded.ActivationBits);
            Assert.Null(loaded.ModelName);
            for (int i = 0; i < plan.Layers.Count; i++) Assert.Equal(plan.Layers[i].RowFormats, loaded.Layers[i].RowFormats);
        }
        var handMade = HandMadePlan();
        var again = QuantizationPlan.FromJson(handMade.ToJson(), "memory");
        Assert.Equal(handMade, again);
        Assert.Equal(new EdgeLayerPolicy(Fixed8, null), again.Edges);
        Assert.Equal("tiny", again.ModelName);
        Assert.Equal(7, again.Seed);
        Assert.NotEqual(handMade, QuantizationPlan.FromJson(handMade.ToJson().Replace("\"01203\"", "\"01202\""), "memory"));
    }

    [Fact]
    public void SaveReplacesAnExistingFile()
    {
        string path = Path.Combine(_folder, "plan.json");
        File.WriteAllText(path, "old");
        HandMadePlan().Save(path);
        Assert.Equal(HandMadePlan(), QuantizationPlan.Load(path));
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Theory]
    [InlineData("{", "is not valid JSON")]
    [InlineData("[]", "expected a JSON object")]
    [InlineData("{\"format\": \"other\"}", "format is 'other'")]
    public void BrokenFilesFailWithTheirPath(string json, string expected)
    {
        string path = Path.Combine(_folder, "broken.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<MixQException>(() => QuantizationPlan.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("\"01203\"", "\"0120\"", "layer head: row_formats has 4 characters for 5 rows")]
    [InlineData("\"01203\"", "\"0120z\"", "layer head: row 4 has code 'z'")]
    [InlineData("\"version\": 1", "\"version\": 9", "version 9 is not supported")]
    [InlineData("\"rule\": \"kurtosis\"", "\"rule\": \"magic\"", "unknown row assignment rule 'magic'")]
    [InlineData("\"activation_bits\": 4", "\"activation_bits\": 12", "activation bits must be between 2 and 8, got 12")]
    [InlineData("\"mix\": \"sp2-4:60,fixed-4:35,fixed-8:5\"", "\"mix\": \"sp2-4:60\"", "sum to 60, not 100")]
    [InlineData("\"seed\": 7,", "", "missing field 'seed'")]
    [InlineData("\"role\": \"first\"", "\"role\": \"inner\"", "is marked inner, expected first")]
    [InlineData("\"kind\": \"conv2d\"", "\"kind\": \"conv3d\"", "unknown layer kind 'conv3d'")]
    public void InconsistentContentsFailWithOneLine(string find, string replace, string expected)
    {
        string json = HandMadePlan().ToJson();
        Assert.Contains(find, json);
        var e = Assert.Throws<MixQException>(() => QuantizationPlan.FromJson(json.Replace(find, replace), "p.json"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("p.json", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MissingFileIsAUserError()
    {
        var e = Assert.Throws<MixQException>(() => QuantizationPlan.Load(Path.Combine(_folder, "nope.json")));
        Assert.Contains("cannot read plan", e.Message);
    }

    [Fact]
    public void LayersFollowModelOrderWithGeometryAndEdgeRoles()
    {
        var plan = PlanBuilder.Build(ConvNet(), new PlanOptions { Mix = Rmsmp });
        Assert.Equal(["0", "3", "5"], plan.Layers.Select(l => l.Name));
        Assert.Equal([LayerKind.Conv2d, LayerKind.Linear, LayerKind.Linear], plan.Layers.Select(l => l.Kind));
        Assert.Equal([5, 12, 3], plan.Layers.Select(l => l.Rows));
        Assert.Equal([18, 20, 12], plan.Layers.Select(l => l.RowLength));
        Assert.Equal([LayerRole.First, LayerRole.Inner, LayerRole.Last], plan.Layers.Select(l => l.Role));
        Assert.Equal("0", plan.FirstLayer!.Name);
        Assert.Equal("5", plan.LastLayer!.Name);
        // Default edges: fixed-8 everywhere on the first and last layers; the mix in between (12 rows -> 7, 4, 1).
        Assert.All(plan["0"].RowFormats, f => Assert.Equal(Fixed8, f));
        Assert.All(plan["5"].RowFormats, f => Assert.Equal(Fixed8, f));
        Assert.Equal([7, 4, 1], Rmsmp.Formats.Select(plan["3"].CountOf));

        var single = PlanBuilder.Build(new Sequential(new Linear(4, 3, new Random(1))), new PlanOptions { Mix = Rmsmp });
        Assert.Equal(LayerRole.Only, single.Layers.Single().Role);
    }

    [Fact]
    public void EdgePolicyCanApplyTheMixOrAnyFormat()
    {
        var model = MlpOf(2, 6, 40, 40, 20);
        var everywhere = PlanBuilder.Build(model, new PlanOptions { Mix = Rmsmp, Edges = EdgeLayerPolicy.FollowMix });
        foreach (var layer in everywhere.Layers)
            Assert.Equal(Rmsmp.CountsFor(layer.Rows), Rmsmp.Formats.Select(layer.CountOf));
        var custom = PlanBuilder.Build(model, new PlanOptions { Mix = Rmsmp, Edges = new EdgeLayerPolicy(null, NumberFormat.Fixed(6)) });
        Assert.Equal([24, 14, 2], Rmsmp.Formats.Select(custom.Layers[0].CountOf));
        Assert.All(custom.Layers[^1].RowFormats, f => Assert.Equal(NumberFormat.Fixed(6), f));
    }

    [Fact]
    public void ValidateAcceptsTheModelItWasMadeFor()
    {
        var plan = PlanBuilder.Build(ConvNet(seed: 1), new PlanOptions { Mix = Rmsmp });
        plan.Validate(ConvNet(seed: 2), "convnet");
    }

    [Fact]
    public void ValidateNamesTheLayerWhoseRowCountDiffers()
    {
        string path = Path.Combine(_folder, "p.json");
        PlanBuilder.Build(ConvNet(hidden: 12), new PlanOptions { Mix = Rmsmp }).Save(path);
        var plan = QuantizationPlan.Load(path);
        var e = Assert.Throws<MixQException>(() => plan.Validate(ConvNet(hidden: 16), "convnet"));
        Assert.Equal($"plan {path} does not match model convnet: layer 3 has 12 rows in the plan but 16 in the model", e.Message);
    }

    [Fact]
    public void ValidateReportsMissingExtraReorderedAndReshapedLayers()
    {
        var plan = PlanBuilder.Build(Mlp(), new PlanOptions { Mix = Rmsmp });
        var rng = new Random(1);

        var missing = new Sequential(new Linear(6, 10, rng), new ReLU(), new Linear(10, 8, rng));
        Assert.Contains("layer 4 is in the plan but not in the model", Assert.Throws<MixQException>(() => plan.Validate(missing, "m")).Message);

        var extra = new Sequential(new Linear(6, 10, rng), new ReLU(), new Linear(10, 8, rng), new ReLU(), new Linear(8, 3, rng), new Linear(3, 3, rng));
        Assert.Contains("layer 5 is in the model but not in the plan", Assert.Throws<MixQException>(() => plan.Validate(extra, "m")).Message);

        var longer = new Sequential(new Linear(7, 10, rng), new ReLU(), new Linear(10, 8, rng), new ReLU(), new Linear(8, 3, rng));
        Assert.Contains("layer 0 has rows of 6 weights in the plan but 7 in the model", Assert.Throws<MixQException>(() => plan.Validate(longer)).Message);

        var conv = new Sequential(new Conv2d(1, 10, 1, rng), new ReLU(), new Linear(10, 8, rng), new ReLU(), new Linear(8, 3, rng));
        var e = Assert.Throws<MixQException>(() => plan.Validate(conv));
        Assert.Equal($"plan {plan.Source} does not match the model: layer 0 is linear in the plan but conv2d in the model", e.Message);
    }
}
