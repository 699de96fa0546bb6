// Golden model of the GELU unit: the specification, bit for bit, of what the
// unit computes and of the programs (table, coefficients, registers) the host
// loads into it. docs/blocks/gelu.md explains it in prose.
//
// Input and output are quantized like TFLite: real = scale * (q - zero_point),
// int8 in, int8 out, or int16 in, int16 out. The reference is
//   f(q) = gelu(s_in * (q - z_in)) / s_out + z_out     (float64)
// with gelu the erf form x * Phi(x) = x/2 * (1 + erf(x / sqrt 2)) or the
// tanh form x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))). The error of a
// code c is |c - clamp(f(q), qmin, qmax)| in output LSBs.
//
// int8: a 256-entry table, entry [q & 0xff] = clamp(round(f(q))) with
// round to nearest, ties to even (std::nearbyint): correctly rounded, error
// at most 0.5 LSB by construction.
//
// int16: GELU = ReLU - delta with delta(x) = relu(x) - gelu(x), an even
// function, bounded (0 <= delta <= 0.17) and vanishing fast (delta(5) < 2e-6).
// With F = kFracBits = 8 fraction bits below the output LSB:
//   d = q - z_in                           (17-bit signed)
//   a = |d|, r = max(d, 0)                 (16-bit unsigned)
//   relu = floor(r * M / 2^sh)             (M: 24-bit unsigned, sh: 0..63; r * M < 2^40)
//   seg = floor(a / 2^w), u = a mod 2^w    (w: 0..15; u < 2^15)
//   delta = 0 if seg >= N (N = segments), else by Horner on the segment's
//   signed coefficients c_0..c_D (kCoeffBits = 24 bits each):
//     h_D = c_D,  h_k = c_k + floor(h_(k+1) * u / 2^w)  for k = D-1 .. 0
//     (floor of a signed value: an arithmetic shift), delta = h_0
//   y = relu - delta + z_out * 2^F          (units 2^-F output LSB)
//   out = clamp(floor((y + 2^(F-1)) / 2^F), -32768, 32767)     (half up)
// Every h_k fits kHornerBits = 25 bits signed: int16_program() checks this
// on every u of every segment, so the hardware's widths never wrap.
//
// int16_program() builds the program for given scales, zero points and
// form: M, sh with M * 2^-sh ~ (s_in / s_out) * 2^F (M in [2^23, 2^24));
// the cover T, the smallest multiple of 1/16 with delta(T) / s_out <= 2^-7
// (at most 8), and w, the smallest with N * 2^w >= min(ceil(T / s_in), A + 1)
// where A = max |q - z_in| over the int16 codes; per
// segment a degree-D interpolation of delta(s_in * a) / s_out * 2^F at D+1
// Chebyshev nodes of the segment, its coefficients in powers of u / 2^w
// rounded to integers, then c_0 moved so that the largest errors over the
// segment's codes above and below are balanced. It throws
// std::invalid_argument for what the widths cannot carry: s_in / s_out
// outside [2^-16, 32], zero points outside int16, or a coefficient or h_k
// past its bits (an output scale too fine for delta's range).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace strata::golden::gelu {

enum class Form { erf, tanh };

// float64 GELU and delta = relu - gelu (delta computed without
// cancellation: |x|/2 erfc(|x| / sqrt 2), or |x| / (1 + e^(2k)) for tanh).
double gelu(double x, Form form);
double delta(double x, Form form);

struct Quant {
  double in_scale = 1.0;  // > 0
  int in_zero = 0;
  double out_scale = 1.0;  // > 0
  int out_zero = 0;
};

// The float64 reference f(q) clamped to [qmin, qmax], in output codes.
double reference(const Quant& qp, Form form, int q, int qmin, int qmax);

// ---- int8 -------------------------------------------------------------------

// Entry i is the output for the input code with byte i (i = q & 0xff).
std::array<std::int8_t, 256> int8_table(const Quant& qp, Form form);
inline std::int8_t int8_eval(const std::array<std::int8_t, 256>& table, std::int8_t q) {
  return table[static_cast<std::uint8_t>(q)];
}

// ---- int16 ------------------------------------------------------------------

inline constexpr int kFracBits = 8;
inline constexpr int kCoeffBits = 24;
inline constexpr int kHornerBits = 25;
inline constexpr int kMultBits = 24;
inline constexpr int kMaxDegree = 3;

struct Int16Shape {
  int segments = 64;  // N, a power of two from 16 to 256
  int degree = 2;     // D, 1 to 3
};

struct Int16Program {
  std::int16_t in_zero = 0;
  std::int16_t out_zero = 0;
  std::uint32_t relu_mult = 0;  // M, < 2^24
  int relu_shift = 0;           // sh, 0..63
  int seg_shift = 0;            // w, 0..15
  // coeffs[seg][k] = c_k, each within kCoeffBits signed; k > D unused (0).
  std::vector<std::array<std::int32_t, kMaxDegree + 1>> coeffs;
};

Int16Program int16_program(const Quant& qp, Form form, const Int16Shape& shape);
std::int16_t int16_eval(const Int16Program& p, const Int16Shape& shape, std::int16_t q);

}  // namespace strata::golden::gelu
