// mixq_fixed.h - MixQ's own arbitrary-precision fixed-point type for generated HLS C++.
//
// mixq::fixed<W, I, S, Q, O>: W total bits (1..64), I integer bits (sign included when S), signed when S.
// The value is raw / 2^(W - I); I may be larger than W or negative, as in the usual HLS fixed-point types.
//
// Semantics follow the common arbitrary-precision fixed-point conventions of HLS tools:
//   * every conversion to a narrower type first QUANTIZES (drops fraction bits with mode Q), then handles
//     OVERFLOW of the integer part (mode O);
//   * arithmetic (+, -, *) is exact: the result type is wide enough for every operand value, and carries the
//     default modes TRN / WRAP;
//   * quantization modes: TRN (toward -inf, the default), TRN_ZERO (toward 0), RND (half toward +inf),
//     RND_ZERO (half toward 0), RND_MIN_INF (half toward -inf), RND_INF (half away from 0), RND_CONV (half to
//     even);
//   * overflow modes: WRAP (keep the low W bits, the default), SAT (clamp to [min, max]), SAT_ZERO (0 when out
//     of range), SAT_SYM (signed: clamp to [-max, max], so the most negative code never appears; unsigned: SAT).
// Documented choice: subtraction always gives a signed result (an unsigned difference may be negative).
//
// Single header, C++17, no dependencies beyond <cstdint> and <cmath>; uses the GCC/Clang __int128 extension for
// exact intermediate results. Written for MixQ; the MixQ test-suite checks it bit for bit against a C# reference.
#ifndef MIXQ_FIXED_H
#define MIXQ_FIXED_H

#include <cmath>
#include <cstdint>

namespace mixq {

enum quant_mode { TRN, TRN_ZERO, RND, RND_ZERO, RND_MIN_INF, RND_INF, RND_CONV };
enum overflow_mode { WRAP, SAT, SAT_ZERO, SAT_SYM };

namespace detail {

typedef __int128 wide;

constexpr int max_i(int a, int b) { return a > b ? a : b; }

// Rounds v / 2^d (d > 0) to an integer. q = floor(v / 2^d), rem = v - q * 2^d is in [0, 2^d).
inline wide round_shift(wide v, int d, quant_mode q_mode, bool negative) {
    wide q = v >> d;  // arithmetic shift: floor
    wide rem = v - (q << d);
    wide half = wide(1) << (d - 1);
    switch (q_mode) {
        case TRN: return q;
        case TRN_ZERO: return (negative && rem != 0) ? q + 1 : q;
        case RND: return rem >= half ? q + 1 : q;
        case RND_ZERO: return (rem > half || (rem == half && negative)) ? q + 1 : q;
        case RND_MIN_INF: return rem > half ? q + 1 : q;
        case RND_INF: return (rem > half || (rem == half && !negative)) ? q + 1 : q;
        case RND_CONV: return (rem > half || (rem == half && (q & 1) != 0)) ? q + 1 : q;
    }
    return q;
}

// Re-expresses v (with `from` fraction bits) with `to` fraction bits, rounding with q_mode.
inline wide requantize(wide v, int from, int to, quant_mode q_mode) {
    if (to >= from) return v << (to - from);  // exact
    int d = from - to;
    if (d > 120) return round_shift(v >> (d - 120), 120, q_mode, v < 0);  // far below the least significant bit
    return round_shift(v, d, q_mode, v < 0);
}

// Fits an integer code into W bits with overflow mode o_mode.
inline int64_t fit(wide v, int w, bool s, overflow_mode o_mode) {
    const wide max = s ? (wide(1) << (w - 1)) - 1 : (wide(1) << w) - 1;
    const wide min = s ? -(wide(1) << (w - 1)) : wide(0);
    switch (o_mode) {
        case WRAP: {
            wide mask = (wide(1) << w) - 1;
            wide low = v & mask;
            if (s && low > max) low -= wide(1) << w;
            return (int64_t)low;
        }
        case SAT: return (int64_t)(v > max ? max : v < min ? min : v);
        case SAT_ZERO: return (int64_t)((v > max || v < min) ? 0 : v);
        case SAT_SYM: {
            wide lo = s ? -max : min;
            return (int64_t)(v > max ? max : v < lo ? lo : v);
        }
    }
    return (int64_t)v;
}

}  // namespace detail

template <int W, int I, bool S = true, quant_mode Q = TRN, overflow_mode O = WRAP>
struct fixed {
    static_assert(W >= 1 && W <= 64, "mixq::fixed supports 1 to 64 bits");
    static constexpr int width = W;
    static constexpr int int_bits = I;
    static constexpr int frac_bits = W - I;
    static constexpr bool is_signed = S;

    int64_t raw_;  // the W-bit code, sign-extended (signed) or zero-extended (unsigned)

    constexpr fixed() : raw_(0) {}

    // From another fixed type: quantize the fraction, then handle overflow.
    template <int W2, int I2, bool S2, quant_mode Q2, overflow_mode O2>
    fixed(const fixed<W2, I2, S2, Q2, O2>& other)
        : raw_(detail::fit(detail::requantize(other.raw_, W2 - I2, W - I, Q), W, S, O)) {}

    // From a real number (exact: the scaled double is split into integer and remainder without error).
    fixed(double v) : raw_(from_double(v)) {}
    fixed(float v) : raw_(from_double(v)) {}
    fixed(int v) : fixed(fixed<64, 64, true>::from_raw(v)) {}
    fixed(long v) : fixed(fixed<64, 64, true>::from_raw(v)) {}
    fixed(long long v) : fixed(fixed<64, 64, true>::from_raw(v)) {}
    fixed(unsigned v) : fixed(fixed<64, 64, true>::from_raw((int64_t)v)) {}

    static fixed from_raw(int64_t code) {
        fixed f;
        f.raw_ = detail::fit(code, W, S, WRAP);
        return f;
    }

    int64_t raw() const { return raw_; }
    double to_double() const { return std::ldexp((double)raw_, -(W - I)); }
    // Integer part, rounded toward minus infinity (like the usual to_int of a fixed-point value).
    int64_t to_int64() const {
        detail::wide v = detail::requantize(raw_, W - I, 0, TRN);
        return (int64_t)v;
    }

private:
    static int64_t from_double(double v) {
        double scaled = std::ldexp(v, W - I);
        double fl = std::floor(scaled);
        double rem = scaled - fl;  // exact for |scaled| < 2^52
        bool negative = v < 0;
        detail::wide q = (detail::wide)fl;
        switch (Q) {
            case TRN: break;
            case TRN_ZERO: if (negative && rem != 0) q += 1; break;
            case RND: if (rem >= 0.5) q += 1; break;
            case RND_ZERO: if (rem > 0.5 || (rem == 0.5 && negative)) q += 1; break;
            case RND_MIN_INF: if (rem > 0.5) q += 1; break;
            case RND_INF: if (rem > 0.5 || (rem == 0.5 && !negative)) q += 1; break;
            case RND_CONV: if (rem > 0.5 || (rem == 0.5 && (q & 1) != 0)) q += 1; break;
        }
        return detail::fit(q, W, S, O);
    }
};

// Exact result types of the arithmetic operators.
template <int W1, int I1, bool S1, int W2, int I2, bool S2>
struct result_of {
    static constexpr int f1 = W1 - I1, f2 = W2 - I2;
    static constexpr int fp = detail::max_i(f1, f2);
    // An unsigned operand needs one more integer bit when the result is signed.
    static constexpr bool sp = S1 || S2;
    static constexpr int i1 = I1 + ((sp && !S1) ? 1 : 0), i2 = I2 + ((sp && !S2) ? 1 : 0);
    static constexpr int ip = detail::max_i(i1, i2) + 1;
    typedef fixed<ip + fp, ip, sp> plus;
    typedef fixed<detail::max_i(I1 + (S1 ? 0 : 1), I2 + (S2 ? 0 : 1)) + 1 + fp,
                  detail::max_i(I1 + (S1 ? 0 : 1), I2 + (S2 ? 0 : 1)) + 1, true> minus;
    typedef fixed<W1 + W2, I1 + I2, sp> mult;
};

template <int W1, int I1, bool S1, quant_mode Q1, overflow_mode O1, int W2, int I2, bool S2, quant_mode Q2, overflow_mode O2>
typename result_of<W1, I1, S1, W2, I2, S2>::plus operator+(const fixed<W1, I1, S1, Q1, O1>& a, const fixed<W2, I2, S2, Q2, O2>& b) {
    typedef result_of<W1, I1, S1, W2, I2, S2> R;
    detail::wide x = detail::requantize(a.raw_, W1 - I1, R::fp, TRN);
    detail::wide y = detail::requantize(b.raw_, W2 - I2, R::fp, TRN);
    return R::plus::from_raw((int64_t)(x + y));
}

template <int W1, int I1, bool S1, quant_mode Q1, overflow_mode O1, int W2, int I2, bool S2, quant_mode Q2, overflow_mode O2>
typename result_of<W1, I1, S1, W2, I2, S2>::minus operator-(const fixed<W1, I1, S1, Q1, O1>& a, const fixed<W2, I2, S2, Q2, O2>& b) {
    typedef result_of<W1, I1, S1, W2, I2, S2> R;
    detail::wide x = detail::requantize(a.raw_, W1 - I1, R::fp, TRN);
    detail::wide y = detail::requantize(b.raw_, W2 - I2, R::fp, TRN);
    return R::minus::from_raw((int64_t)(x - y));
}

template <int W1, int I1, bool S1, quant_mode Q1, overflow_mode O1, int W2, int I2, bool S2, quant_mode Q2, overflow_mode O2>
typename result_of<W1, I1, S1, W2, I2, S2>::mult operator*(const fixed<W1, I1, S1, Q1, O1>& a, const fixed<W2, I2, S2, Q2, O2>& b) {
    typedef result_of<W1, I1, S1, W2, I2, S2> R;
    return R::mult::from_raw((int64_t)((detail::wide)a.raw_ * (detail::wide)b.raw_));
}

// Comparisons align both operands exactly.
template <int W1, int I1, bool S1, quant_mode Q1, overflow_mode O1, int W2, int I2, bool S2, quant_mode Q2, overflow_mode O2>
int compare(const fixed<W1, I1, S1, Q1, O1>& a, const fixed<W2, I2, S2, Q2, O2>& b) {
    constexpr int fp = detail::max_i(W1 - I1, W2 - I2);
    detail::wide x = detail::requantize(a.raw_, W1 - I1, fp, TRN);
    detail::wide y = detail::requantize(b.raw_, W2 - I2, fp, TRN);
    return x < y ? -1 : x > y ? 1 : 0;
}

#define MIXQ_FIXED_COMPARE(op)                                                                                      \
    template <int W1, int I1, bool S1, quant_mode Q1, overflow_mode O1, int W2, int I2, bool S2, quant_mode Q2,     \
              overflow_mode O2>                                                                                     \
    bool operator op(const fixed<W1, I1, S1, Q1, O1>& a, const fixed<W2, I2, S2, Q2, O2>& b) {                     \
        return compare(a, b) op 0;                                                                                  \
    }
MIXQ_FIXED_COMPARE(<)
MIXQ_FIXED_COMPARE(<=)
MIXQ_FIXED_COMPARE(>)
MIXQ_FIXED_COMPARE(>=)
MIXQ_FIXED_COMPARE(==)
MIXQ_FIXED_COMPARE(!=)
#undef MIXQ_FIXED_COMPARE

// Integer shorthand: an I-bit integer is a fixed-point number without fraction bits.
template <int W, bool S = true, quant_mode Q = TRN, overflow_mode O = WRAP>
using fixed_int = fixed<W, W, S, Q, O>;

}  // namespace mixq

#endif  // MIXQ_FIXED_H
