using MixQ.Hardware.Devices;
using MixQ.Hardware.Synthesis;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Hardware.Cost;

/// <summary>
/// Resource cost of the arithmetic MixQ's hardware is built from, per multiply kind and weight binding, with adders,
/// adder trees and accumulators. LUT figures are linear in a few structural quantities per block kind
/// (<see cref="CostFeatures"/>) with coefficients fitted by least squares to the yosys calibration table; the
/// residual per block is <see cref="Residuals"/> (docs/cost-model.md). DSP counts follow from the packing rules of
/// <see cref="DspPacking"/>. Flip-flops are counted structurally (pipeline registers), not calibrated.
/// </summary>
public sealed class CostModel
{
    private static readonly Lazy<CostModel> DefaultModel = new(() => new CostModel(CalibrationTable.Default));

    private readonly double[] _fixedLut;
    private readonly double[] _pot;
    private readonly double[] _sp2;
    private readonly double[] _constant;
    private readonly double[] _adder;
    private readonly double[] _accumulator;
    private readonly double[] _packed;
    private readonly double[] _requantMultiplier;
    private readonly double[] _requantTail;

    public CostModel(CalibrationTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        Table = table;
        _fixedLut = FitKind(BlockKind.FixedLutMultiplier, e => CostFeatures.FixedLut(e.WeightBits, e.ActBits));
        _pot = FitKind(BlockKind.PotRuntimeMultiplier, e => CostFeatures.PotRuntime(e.WeightBits, e.ActBits));
        _sp2 = FitKind(BlockKind.Sp2RuntimeMultiplier, e => CostFeatures.Sp2Runtime(e.WeightBits, e.ActBits));
        _constant = FitKind(BlockKind.ConstantMultipliers, ConstantBlockFeatures, e => e.Scheme != "pot");
        _adder = FitKind(BlockKind.Adder, e => CostFeatures.Linear(e.Width));
        _accumulator = FitKind(BlockKind.Accumulator, e => CostFeatures.Linear(e.Width));
        _packed = FitKind(BlockKind.PackedDsp, e => CostFeatures.PackedCorrection(e.Count, e.WeightBits, e.ActBits));
        // The generated-design primitives are fitted to LUTs as `mixq synth` counts them (INV cells included, see
        // MeasuredLuts): the constant offsets and rounding constants of a requantization become inverters on the carry chain.
        _requantMultiplier = FitKind(BlockKind.RequantMultiplier, e => CostFeatures.RequantMultiplier(e.Width, e.WeightBits, DspKind.DSP48E1));
        _requantTail = FitKind(BlockKind.RequantTail, e => CostFeatures.RequantTail(e.Width, e.WeightBits, e.ActBits));
    }

    /// <summary>The model fitted to the table shipped with MixQ.</summary>
    public static CostModel Default => DefaultModel.Value;

    public CalibrationTable Table { get; }

    /// <summary>Inputs each adder tree of a GEMM core sums per cycle (the tile depth along a row). Design choice.</summary>
    public int TreeInputs { get; init; } = 16;

    /// <summary>Longest row (dot-product length) an accumulator must hold without overflow (ResNet-18: 512 x 3 x 3).</summary>
    public long MaxRowLength { get; init; } = 4608;

    /// <summary>Controller, address generators and memory interface of one GEMM core, in LUTs. Design choice, not calibrated.</summary>
    public double CoreControlLuts { get; init; } = 600;

    /// <summary>Flip-flops of the same control logic. Design choice, not calibrated.</summary>
    public double CoreControlFlipFlops { get; init; } = 600;

    /// <summary>Whether narrow fixed-point products are packed two or four to a DSP slice (off: one product per slice).</summary>
    public bool PackDsp { get; init; } = true;

    /// <summary>Products one DSP slice computes per cycle under this model (<see cref="DspPacking.ProductsPerDsp"/>, or 1 without packing).</summary>
    public int ProductsPerDsp(int weightBits, int actBits, DspKind dsp) => PackDsp ? DspPacking.ProductsPerDsp(weightBits, actBits, dsp) : 1;

    /// <summary>The multiplier a format gets by default: fixed point on DSPs, PoT and SP2 on LUTs.</summary>
    public static MultiplierKind DefaultKind(NumberFormat format) => format.Scheme switch
    {
        QuantScheme.Fixed => MultiplierKind.FixedDsp,
        QuantScheme.PowerOfTwo => MultiplierKind.PotLut,
        _ => MultiplierKind.Sp2Lut,
    };

    /// <summary>Whether <paramref name="kind"/> uses DSP slices.</summary>
    public static bool UsesDsp(MultiplierKind kind) => kind == MultiplierKind.FixedDsp;

    /// <summary>Signed bits of an m-bit weight times an unsigned a-bit activation on the format's integer grid.</summary>
    public static int ProductBits(NumberFormat weight, int actBits) => actBits + IntegerLevels.MagnitudeBits(weight) + 1;

    /// <summary>Accumulator width for sums of <paramref name="terms"/> products of <paramref name="productBits"/> bits (methods.md §5).</summary>
    public static int AccumulatorBits(int productBits, long terms) => productBits + (terms <= 1 ? 0 : (int)Math.Ceiling(Math.Log2(terms)));

    public Resources Adder(int bits) => Resources.Lut(Math.Max(0, CostFeatures.Dot(CostFeatures.Linear(bits), _adder)));

    /// <summary>
    /// A pipelined balanced tree over <paramref name="inputs"/> signed <paramref name="bits"/>-bit values, one bit wider
    /// per level, each level registered (same shape as the ptree calibration blocks): the sum of its adders in LUTs and
    /// its sums in FFs. An unregistered tree costs 1.4-2.2x the LUTs in yosys, which merges it into one compressor
    /// tree (tree_k*_n* in docs/cost-model.md): generators should register every level.
    /// </summary>
    public Resources AdderTree(int inputs, int bits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        var widths = Enumerable.Repeat(bits, inputs).ToList();
        var total = Resources.Zero;
        while (widths.Count > 1)
        {
            var next = new List<int>();
            for (int i = 0; i < widths.Count; i += 2)
            {
                if (i + 1 == widths.Count)
                {
                    next.Add(widths[i]);
                    continue;
                }
                int w = Math.Max(widths[i], widths[i + 1]);
                total += Adder(w) + new Resources(0, w + 1, 0, 0);
                next.Add(w + 1);
            }
            widths = next;
        }
        return total;
    }

    /// <summary>A registered accumulator of <paramref name="bits"/> bits.</summary>
    public Resources Accumulator(int bits) =>
        new(Math.Max(0, CostFeatures.Dot(CostFeatures.Linear(bits), _accumulator)), bits, 0, 0);

    /// <summary>
    /// One product of <paramref name="weight"/> times an unsigned <paramref name="actBits"/>-bit activation, built as
    /// <paramref name="kind"/>. Runtime weights: a generic multiplier, barrel shifter(s), or a (packed) DSP slice.
    /// Constant weights: the mean over the format's non-zero levels of the CSD shift-add cost (use
    /// <see cref="ConstantMultiplier"/> for one known weight); fixed point on DSP costs the same slice share either way.
    /// </summary>
    public Resources Multiplier(NumberFormat weight, int actBits, MultiplierKind kind, WeightBinding binding, DspKind dsp = DspKind.DSP48E1)
    {
        ArgumentNullException.ThrowIfNull(weight);
        CheckActBits(actBits);
        if (kind == MultiplierKind.FixedDsp)
        {
            int lanes = ProductsPerDsp(weight.Bits, actBits, dsp);
            double correction = lanes == 1 ? 0 : CostFeatures.Dot(CostFeatures.PackedCorrection(lanes, weight.Bits, actBits), _packed);
            return new Resources(correction / lanes, 0, 1.0 / lanes, 0);
        }
        if (binding == WeightBinding.Constant)
        {
            var format = kind switch
            {
                MultiplierKind.PotLut => NumberFormat.PowerOfTwo(weight.Bits),
                MultiplierKind.Sp2Lut => NumberFormat.Sp2(weight.Bits),
                _ => NumberFormat.Fixed(weight.Bits),
            };
            if (format.Scheme == QuantScheme.PowerOfTwo) return Resources.Zero;
            var magnitudes = IntegerLevels.Magnitudes(format);
            return Resources.Lut(magnitudes.Average(c => ConstantMultiplier(format, c, actBits).Luts));
        }
        double luts = kind switch
        {
            MultiplierKind.FixedLut => CostFeatures.Dot(CostFeatures.FixedLut(weight.Bits, actBits), _fixedLut),
            MultiplierKind.PotLut => CostFeatures.Dot(CostFeatures.PotRuntime(Math.Max(3, weight.Bits), actBits), _pot),
            MultiplierKind.Sp2Lut => CostFeatures.Dot(CostFeatures.Sp2Runtime(Math.Max(3, weight.Bits), actBits), _sp2),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return Resources.Lut(Math.Max(0, luts));
    }

    /// <summary>
    /// A runtime two-term shift-add multiplier ±((x &lt;&lt; s1) + (x &lt;&lt; s2)) with a <paramref name="width"/>-bit
    /// datapath and <paramref name="selectBits"/> shift-select bits in all: the structure of the calibrated SP2 runtime
    /// block, for generators whose lane widths are known exactly (the GEMM engine's LUT lanes).
    /// </summary>
    public Resources ShiftAddMultiplier(int width, int selectBits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(selectBits, 0);
        return Resources.Lut(Math.Max(0, CostFeatures.Dot(CostFeatures.ShiftAdd(width, selectBits), _sp2)));
    }

    /// <summary>
    /// x * c for one constant weight magnitude c on the format's integer grid (<see cref="IntegerLevels"/>) as CSD
    /// shift-add: a PoT weight is wiring (0 LUT), an SP2 weight one adder, a fixed-point weight one adder per extra
    /// CSD digit. The sign of the weight folds into the adder tree that follows (add or subtract).
    /// </summary>
    public Resources ConstantMultiplier(NumberFormat format, long magnitude, int actBits)
    {
        if (format.Scheme == QuantScheme.PowerOfTwo || magnitude == 0) return Resources.Zero;
        return Resources.Lut(Math.Max(0, CostFeatures.Dot(CostFeatures.Constant(Math.Abs(magnitude), actBits), _constant)));
    }

    /// <summary>
    /// One product-per-cycle lane of a GEMM core with runtime weights: the multiplier plus its share of the adder tree
    /// (<see cref="TreeInputs"/> products per tree) and of the row accumulator, with a pipeline register on the
    /// product. An unpacked DSP lane sums and accumulates inside the DSP cascade (post-adder, P register), so it costs
    /// no LUTs; packed lanes must be separated, so their sums are built in LUTs.
    /// </summary>
    public Resources GemmLane(NumberFormat weight, int actBits, MultiplierKind kind, DspKind dsp = DspKind.DSP48E1)
    {
        var multiplier = Multiplier(weight, actBits, kind, WeightBinding.Runtime, dsp);
        if (kind == MultiplierKind.FixedDsp && ProductsPerDsp(weight.Bits, actBits, dsp) == 1) return multiplier;
        int productBits = ProductBits(weight, actBits);
        int accBits = AccumulatorBits(productBits, MaxRowLength);
        var tree = AdderTree(TreeInputs, productBits);
        var acc = Accumulator(accBits);
        return multiplier + (1.0 / TreeInputs) * (tree + acc) + new Resources(0, productBits, 0, 0);
    }

    /// <summary>
    /// A registered two-input adder of an adder-tree node: operands of <paramref name="operandBits"/> bits that overlap
    /// (bits below a shifted operand pass through without a LUT) on the carry chain, its <paramref name="sumBits"/>-bit
    /// sum in flip-flops. The calibrated adder (add_n: n LUTs for an (n+1)-bit sum; the ptree blocks are exactly this).
    /// </summary>
    public Resources TreeAdder(int operandBits, int sumBits) => Adder(Math.Max(1, operandBits)) + new Resources(0, sumBits, 0, 0);

    /// <summary>
    /// DSP slices of a signed <paramref name="aBits"/> x <paramref name="bBits"/> multiply as yosys 0.23 maps it: one
    /// slice when the wider operand fits the slice's wide port (25 bits on DSP48E1, 27 on DSP48E2) and the narrower its
    /// 18-bit port; otherwise each operand is cut into the port width plus 17-bit (unsigned) pieces and every pair of
    /// pieces takes a slice. Checked against the calibration table's RequantMultiplier blocks.
    /// </summary>
    public static int MultiplierDsps(int aBits, int bBits, DspKind dsp)
    {
        int wide = Math.Max(aBits, bBits), narrow = Math.Min(aBits, bBits);
        return Pieces(wide, dsp == DspKind.DSP48E1 ? 25 : 27) * Pieces(narrow, 18);
    }

    private static int Pieces(int bits, int port) => bits <= port ? 1 : 1 + (bits - port + 16) / 17;

    /// <summary>
    /// The requantization multiplier of an unrolled row, prod &lt;= acc * m + offset (registered): its DSP slices
    /// (<see cref="MultiplierDsps"/> of the accumulator and the constant as signed numbers), the offset and
    /// partial-product additions in LUTs (calibrated, <see cref="CostFeatures.RequantMultiplier"/>) and the product
    /// register (acc + m + 1 bits) in flip-flops.
    /// </summary>
    public Resources RequantMultiplier(int accBits, int constantBits, DspKind dsp)
    {
        int dsps = MultiplierDsps(accBits, constantBits + 1, dsp);
        double luts = Math.Max(0, CostFeatures.Dot(CostFeatures.RequantMultiplier(accBits, constantBits, dsp), _requantMultiplier));
        return new Resources(luts, accBits + constantBits + 1, dsps, 0);
    }

    /// <summary>
    /// Round half away from zero, shift by <paramref name="shift"/> (0: none) and clamp a <paramref name="width"/>-bit
    /// product into a registered <paramref name="outBits"/>-bit output (calibrated LUTs; the output register in FFs).
    /// </summary>
    public Resources RequantTail(int width, int shift, int outBits) =>
        new(Math.Max(0, CostFeatures.Dot(CostFeatures.RequantTail(width, shift, outBits), _requantTail)), outBits, 0, 0);

    /// <summary>The fitted LUT coefficients per block kind, in the order of the features of docs/hardware.md.</summary>
    public IReadOnlyDictionary<string, double[]> Coefficients => new Dictionary<string, double[]>
    {
        ["fixed_lut (m*a, m+a, 1)"] = _fixedLut,
        ["pot_runtime (W*stages, W, 1)"] = _pot,
        ["sp2_runtime (W*(m1+m2), W, 1)"] = _sp2,
        ["constant (unsigned bits, signed bits, adders, adders*a)"] = _constant,
        ["adder (n, 1)"] = _adder,
        ["accumulator (n, 1)"] = _accumulator,
        ["packed_dsp_correction ((lanes-1)*S)"] = _packed,
        ["requant_multiplier (P, split*P, split, 1)"] = _requantMultiplier,
        ["requant_tail (rounding bits, width, out bits, 1)"] = _requantTail,
    };

    /// <summary>The model's LUT prediction for a calibration entry (what <see cref="Residuals"/> compares against).</summary>
    public double PredictLuts(CalibrationEntry e) => e.Kind switch
    {
        BlockKind.FixedLutMultiplier => Multiplier(NumberFormat.Fixed(e.WeightBits), e.ActBits, MultiplierKind.FixedLut, WeightBinding.Runtime).Luts,
        BlockKind.FixedDspMultiplier => 0,
        BlockKind.PotRuntimeMultiplier => Multiplier(NumberFormat.PowerOfTwo(e.WeightBits), e.ActBits, MultiplierKind.PotLut, WeightBinding.Runtime).Luts,
        BlockKind.Sp2RuntimeMultiplier => Multiplier(NumberFormat.Sp2(e.WeightBits), e.ActBits, MultiplierKind.Sp2Lut, WeightBinding.Runtime).Luts,
        BlockKind.ConstantMultipliers => e.Count * Multiplier(SchemeFormat(e), e.ActBits, KindOf(e.Scheme), WeightBinding.Constant).Luts,
        BlockKind.Adder => Adder(e.Width).Luts,
        BlockKind.AdderTree => AdderTree(e.Count, e.Width).Luts,
        BlockKind.PipelinedAdderTree => AdderTree(e.Count, e.Width).Luts,
        BlockKind.Accumulator => Accumulator(e.Width).Luts,
        BlockKind.PackedDsp => e.Count * Multiplier(NumberFormat.Fixed(e.WeightBits), e.ActBits, MultiplierKind.FixedDsp, WeightBinding.Runtime).Luts,
        BlockKind.RequantMultiplier => RequantMultiplier(e.Width, e.WeightBits, DspKind.DSP48E1).Luts,
        BlockKind.RequantTail => RequantTail(e.Width, e.WeightBits, e.ActBits).Luts,
        _ => throw new ArgumentOutOfRangeException(nameof(e)),
    };

    /// <summary>
    /// The LUTs a block's prediction is compared with: LUT cells, plus INV cells for the kinds fitted to LUTs as
    /// `mixq synth` counts them (the requantization blocks of generated designs).
    /// </summary>
    private static int MeasuredLuts(CalibrationEntry e) => e.Kind is BlockKind.RequantMultiplier or BlockKind.RequantTail ? e.LutsWithInverters : e.Luts;

    /// <summary>Measured LUTs (<see cref="MeasuredLuts"/>: what the block's kind is fitted to) and predicted LUTs for every block of the table.</summary>
    public IReadOnlyList<(CalibrationEntry Entry, int Measured, double Predicted)> Residuals() => Table.Blocks.Select(e => (e, MeasuredLuts(e), PredictLuts(e))).ToArray();

    private static NumberFormat SchemeFormat(CalibrationEntry e) => e.Scheme switch
    {
        "fixed" => NumberFormat.Fixed(e.WeightBits),
        "pot" => NumberFormat.PowerOfTwo(e.WeightBits),
        _ => NumberFormat.Sp2(e.WeightBits),
    };

    private static MultiplierKind KindOf(string scheme) => scheme switch
    {
        "fixed" => MultiplierKind.FixedLut,
        "pot" => MultiplierKind.PotLut,
        _ => MultiplierKind.Sp2Lut,
    };

    /// <summary>Features of a whole constant block: the per-constant features summed over its magnitudes.</summary>
    private static double[] ConstantBlockFeatures(CalibrationEntry e)
    {
        var sum = new double[4];
        foreach (long c in IntegerLevels.Magnitudes(SchemeFormat(e)))
        {
            var f = CostFeatures.Constant(c, e.ActBits);
            for (int i = 0; i < sum.Length; i++) sum[i] += f[i];
        }
        return sum;
    }

    /// <summary>Least-squares LUT coefficients of one block kind, against <see cref="MeasuredLuts"/>.</summary>
    private double[] FitKind(BlockKind kind, Func<CalibrationEntry, double[]> features, Func<CalibrationEntry, bool>? where = null)
    {
        var rows = Table.Blocks.Where(b => b.Kind == kind && (where?.Invoke(b) ?? true)).ToArray();
        if (rows.Length == 0) throw new MixQException($"calibration table ({Table.Tool}) has no {kind} blocks to fit");
        return LeastSquares.Fit(rows.Select(features).ToArray(), rows.Select(r => (double)MeasuredLuts(r)).ToArray());
    }

    private static void CheckActBits(int actBits)
    {
        if (actBits is < 1 or > 16) throw new MixQException($"activation bits must be between 1 and 16, got {actBits}");
    }
}
