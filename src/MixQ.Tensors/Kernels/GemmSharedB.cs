using System.Runtime.CompilerServices;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// The whole of op(B), packed once and shared by workers that split C by rows. Each (k panel, column group)
/// chunk is packed by whichever worker claims it first; others wait only for a chunk that an active worker is
/// already packing, so there is no barrier and no deadlock even if a worker starts late.
/// Layout: panel pc (kc rows) starts at pc * PaddedN; its sliver of columns [j, j + width) at + j * kc.
/// </summary>
internal unsafe struct GemmSharedB
{
    private const int Free = 0, Packing = 1, Ready = 2;

    public float* Packed;
    public int* State;
    public int PaddedN;
    public int GroupColumns;
    public int GroupsPerPanel;

    public static int GroupCount(int n, int groupColumns) => (n + groupColumns - 1) / groupColumns;

    /// <summary>Makes sure columns [jc, jc + nc) of panel pc are packed and returns the block's start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly float* Ensure<TKernel>(in GemmOperands op, int pc, int pcIndex, int kc, int jc, int nc)
        where TKernel : struct, IGemmKernel
    {
        float* panel = Packed + (nint)pc * PaddedN;
        int first = jc / GroupColumns, last = (jc + nc - 1) / GroupColumns;
        for (int g = first; g <= last; g++)
        {
            int* state = State + pcIndex * GroupsPerPanel + g;
            if (Volatile.Read(ref *state) == Free && Interlocked.CompareExchange(ref *state, Packing, Free) == Free)
            {
                int j = g * GroupColumns;
                GemmPacking.PackB(op, j, Math.Min(GroupColumns, op.N - j), pc, kc, TKernel.Width, TKernel.Lanes, panel + (nint)j * kc);
                Volatile.Write(ref *state, Ready);
            }
        }
        for (int g = first; g <= last; g++)
        {
            int* state = State + pcIndex * GroupsPerPanel + g;
            var spin = new SpinWait();
            while (Volatile.Read(ref *state) != Ready) spin.SpinOnce();
        }
        return panel + (nint)jc * kc;
    }
}
