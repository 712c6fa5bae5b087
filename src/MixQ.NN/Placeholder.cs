namespace MixQ.NN;
internal static class Placeholder { }
