namespace MixQ.Codegen.Arithmetic;

/// <summary>
/// The pipelined adder tree of one constant-weight dot product, bias + Σ ±(x_i &lt;&lt; s_i): leaves are the terms (and
/// the bias), every level adds neighbours in pairs and is registered, and every node is exactly as wide as the range
/// of its value. Why this shape and not one sum expression: yosys turns a multi-operand sum into a compressor tree of
/// full adders as wide as the accumulator (about twice the LUTs of two-input carry-chain adders, and tens of minutes
/// of synthesis on the MNIST mlp), and only a register between two additions keeps it from merging them again
/// (measured, docs/codegen.md "Adder trees"). A register after every level is also what the cost model prices
/// (<c>CostModel.AdderTree</c>) and what a 200 MHz clock needs.
/// <para>
/// A node stores <c>Stored</c> with the value <c>(Negated ? -1 : 1) * (Stored &lt;&lt; Shift)</c>: terms are
/// summed before they are shifted (terms with the same shift are neighbours), and negative terms are subtracted rather
/// than negated, so no adder is spent on a negation (a node is negated only when all its leaves are).
/// </para>
/// </summary>
public sealed class AdderTree
{
    public enum Op { Tap, Constant, Add, Subtract, Delay }

    /// <param name="Level">0 for leaves (wires), 1.. for the registered levels.</param>
    /// <param name="Left">Operand nodes (indices into <see cref="Nodes"/>), -1 when unused; Subtract is Left - Right.</param>
    /// <param name="LeftShift">Left shifts of the operands before the operation.</param>
    /// <param name="Value">Tap index for <see cref="Op.Tap"/>, the constant for <see cref="Op.Constant"/>.</param>
    public sealed record Node(Op Op, int Level, int Width, long Lo, long Hi, int Shift, bool Negated,
        int Left = -1, int Right = -1, int LeftShift = 0, int RightShift = 0, long Value = 0);

    private AdderTree(IReadOnlyList<Node> nodes, int levels)
    {
        Nodes = nodes;
        Levels = levels;
    }

    /// <summary>All nodes, leaves first, then level by level; the last node is the root.</summary>
    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>Registered levels: the root is registered at this level.</summary>
    public int Levels { get; }

    public Node Root => Nodes[^1];

    /// <summary>Two-input additions and subtractions (the adders synthesis builds).</summary>
    public int Adders => Nodes.Count(n => n.Op is Op.Add or Op.Subtract);

    /// <summary>Levels needed for <paramref name="leaves"/> leaves (at least one: the result is always registered).</summary>
    public static int LevelsFor(int leaves)
    {
        int levels = 1;
        while ((1L << levels) < leaves) levels++;
        return levels;
    }

    /// <summary>Leaves of a row: one per term (plus the bias when it is not zero).</summary>
    public static int LeafCount(IReadOnlyList<ShiftAddTerm> terms, long bias) => terms.Count + (bias != 0 ? 1 : 0);

    /// <summary>
    /// The tree of <paramref name="terms"/> over inputs with the ranges <paramref name="tapRanges"/>, padded with delay
    /// registers to <paramref name="levels"/> levels (so all rows of a layer finish together).
    /// </summary>
    public static AdderTree Build(IReadOnlyList<ShiftAddTerm> terms, long bias, IReadOnlyList<(long Lo, long Hi)> tapRanges, int levels)
    {
        if (levels < LevelsFor(LeafCount(terms, bias))) throw new ArgumentException($"{LeafCount(terms, bias)} leaves need {LevelsFor(LeafCount(terms, bias))} levels, not {levels}");
        var nodes = new List<Node>();
        var current = new List<int>();
        if (bias != 0 || terms.Count == 0)
        {
            long magnitude = checked(Math.Abs(bias));
            nodes.Add(new Node(Op.Constant, 0, Width(magnitude, magnitude), magnitude, magnitude, 0, bias < 0, Value: magnitude));
            current.Add(nodes.Count - 1);
        }
        // Same shift next to each other, so most pairs add without a shift; inputs in order within a shift.
        foreach (var t in terms.OrderBy(t => t.Shift).ThenBy(t => t.Input).ThenBy(t => t.Negative))
        {
            var (lo, hi) = tapRanges[t.Input];
            nodes.Add(new Node(Op.Tap, 0, Width(lo, hi), lo, hi, t.Shift, t.Negative, Value: t.Input));
            current.Add(nodes.Count - 1);
        }
        for (int level = 1; level <= levels; level++)
        {
            var next = new List<int>();
            for (int k = 0; k < current.Count; k += 2)
            {
                nodes.Add(k + 1 < current.Count ? Combine(nodes[current[k]], current[k], nodes[current[k + 1]], current[k + 1], level) : Delay(nodes[current[k]], current[k], level));
                next.Add(nodes.Count - 1);
            }
            current = next;
        }
        return new AdderTree(nodes, levels);
    }

    /// <summary>The value the tree computes for tap values <paramref name="taps"/> (a scalar reference for tests and the cost model).</summary>
    public long Evaluate(IReadOnlyList<long> taps)
    {
        long root = Stored(taps)[^1] << Root.Shift;
        return Root.Negated ? -root : root;
    }

    /// <summary>What every node's register holds for tap values <paramref name="taps"/>.</summary>
    public long[] Stored(IReadOnlyList<long> taps)
    {
        var stored = new long[Nodes.Count];
        for (int i = 0; i < Nodes.Count; i++)
        {
            var n = Nodes[i];
            stored[i] = n.Op switch
            {
                Op.Tap => taps[(int)n.Value],
                Op.Constant => n.Value,
                Op.Delay => stored[n.Left],
                Op.Add => checked((stored[n.Left] << n.LeftShift) + (stored[n.Right] << n.RightShift)),
                _ => checked((stored[n.Left] << n.LeftShift) - (stored[n.Right] << n.RightShift)),
            };
        }
        return stored;
    }

    private static Node Delay(Node a, int ia, int level) => new(Op.Delay, level, a.Width, a.Lo, a.Hi, a.Shift, a.Negated, Left: ia);

    private static Node Combine(Node a, int ia, Node b, int ib, int level)
    {
        int shift = Math.Min(a.Shift, b.Shift);
        int sa = a.Shift - shift, sb = b.Shift - shift;
        long alo = checked(a.Lo << sa), ahi = checked(a.Hi << sa), blo = checked(b.Lo << sb), bhi = checked(b.Hi << sb);
        if (a.Negated == b.Negated)
        {
            long lo = checked(alo + blo), hi = checked(ahi + bhi);
            return new Node(Op.Add, level, Width(lo, hi), lo, hi, shift, a.Negated, ia, ib, sa, sb);
        }
        // One negated: the positive one minus the other, a positive node.
        if (a.Negated)
        {
            long lo = checked(blo - ahi), hi = checked(bhi - alo);
            return new Node(Op.Subtract, level, Width(lo, hi), lo, hi, shift, false, ib, ia, sb, sa);
        }
        long plo = checked(alo - bhi), phi = checked(ahi - blo);
        return new Node(Op.Subtract, level, Width(plo, phi), plo, phi, shift, false, ia, ib, sa, sb);
    }

    /// <summary>Two's-complement bits that hold every integer in [lo, hi].</summary>
    public static int Width(long lo, long hi) => Quantization.Integer.IntegerModel.BitsFor(lo, hi);
}
