namespace MixQ.Quantization.Tests; internal static class Placeholder { }
