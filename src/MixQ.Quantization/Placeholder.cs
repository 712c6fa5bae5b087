namespace MixQ.Quantization; internal static class Placeholder { }
