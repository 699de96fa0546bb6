// Golden model of the softmax unit: the specification, bit for bit, of each
// of its three algorithms. docs/blocks/softmax.md explains it in prose.
//
// Input: a vector of L integer logits q_i (int8 or int16) of real value
// S * q_i. Output: one code per logit, probability p_i as uint8 (p * 2^8),
// uint16 (p * 2^16), or int8 in TensorFlow Lite's convention (scale 1/256,
// zero point -128).
//
// Scale. Softmax only sees differences, in base 2: p_i = 2^(y_i) / sum 2^(y_j)
// with y = S * log2(e) * q. The runtime scale (M, s), M in [0, 2^16),
// s in [0, 31], stands for S * log2(e) = M * 2^-(s+8) (scale_for() picks it).
// An integer v (a difference of logits, or a logit) becomes the base-2
// exponent w / 2^16 with
//   w = floor((v * M * 2^9 + 2^s) / 2^(s+1))        (v*M*2^8/2^s, half up)
//
// Exponential (exp2_neg): 2^(-w/2^16) = (1 + t/2^16) * 2^-n with
//   n = ceil(w / 2^16),  f = n * 2^16 - w in [0, 2^16)   (so 2^-w' = 2^f' 2^-n)
//   1 + t/2^16 = 2^(f/2^16): table T[k] = round(2^(k/256) * 2^16) - 2^16 on
//   the top 8 bits k of f (T[256] = 2^16), chord to the next entry on the low
//   8 bits fl:  t = T[k] + floor((D[k] * fl + 128) / 256),  D[k] = T[k+1]-T[k].
// t < 2^16 and t is non-decreasing in f, so the exponential is monotone.
//
// Rounding shift used everywhere below: rsh(x, d) = floor((2x + 2^d) / 2^(d+1))
// (x / 2^d rounded half up; 0 once 2^d > 2x).
//
// Sums are fixed point with kSumFrac = 24 fraction bits; a term is
//   term(t, d) = rsh((2^16 + t) * 2^8, d)       (1 + t/2^16) * 2^-d in units 2^-24.
//
// three_pass: qmax = max q; S = sum_i term(t_i, n_i) for v_i = qmax - q_i.
// online:     m = q_0, S = 2^24; then for each further q: if q > m, with
//             (t, n) of v = q - m:  S = rsh(S * (2^16 + t), 16 + n) + 2^24,
//             m = q; else S += term(t, n) of v = m - q.  The output uses m.
// two_pass:   (t_i, n_i) of v_i = -q_i (n signed: the pair carries any
//             range, no max pass); r = n_0, S = term(t_0, 0); then if n < r:
//             S = rsh(S, r - n) + term(t, 0), r = n; else S += term(t, n - r).
//             The output uses d_i = n_i - r.
// Every S is at least 2^24 (the largest term is at least 1).
//
// Reciprocal (reciprocal): S = 2^k * sigma, k = msb(S) - 24, sigma in [1, 2)
// truncated to 18 bits sig = floor(S / 2^(msb-17)), then by exact (restoring)
// division R = min(floor((2^34 + floor(sig/2)) / sig), 2^17 - 1), so R / 2^17
// is 1/sigma rounded to 17 bits (clamped below 1 when sigma = 1).
//
// Output (output_code), with B output bits (8 or 16) and d = n_i + k (three_pass,
// online) or n_i - r + k (two_pass):
//   Q = (2^16 + t_i) * R,  c = rsh(Q, 33 - B + min(d, B + 2)),  c = min(c, 2^B - 1);
//   int8: c - 128.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace strata::golden::softmax {

enum class Algorithm { three_pass, online, two_pass };
enum class InType { int8, int16 };
enum class OutType { uint8, uint16, int8 };

inline constexpr int kExpFrac = 16;     // fraction bits of the base-2 exponent w
inline constexpr int kTableBits = 8;    // index bits of the 2^f table
inline constexpr int kSumFrac = 24;     // fraction bits of sums
inline constexpr int kRecipBits = 17;   // R / 2^17
inline constexpr int kMultBits = 16;    // M
inline constexpr int kShiftMax = 31;    // s
inline constexpr int kSigBits = 18;     // sigma, 1.17

std::string_view name(Algorithm a);
std::string_view name(InType t);
std::string_view name(OutType t);
int in_bits(InType t);
int out_bits(OutType t);  // B

struct Scale {
  std::uint32_t mult = 0;  // M in [0, 2^16)
  int shift = 0;           // s in [0, 31]
  bool operator==(const Scale&) const = default;
};
// The (M, s) with M * 2^-(s+8) closest to scale * log2(e) using the largest
// s that keeps M below 2^16. Throws std::invalid_argument if scale is not in
// (0, 177] (then one logit step is 2^256 or more).
Scale scale_for(double real_scale);
// The scale S that (M, s) stands for: M * 2^-(s+8) / log2(e).
double real_scale(Scale s);

struct Exp2 {
  std::int64_t n = 0;  // 2^(-w/2^16) = (1 + t/2^16) * 2^-n
  std::uint32_t t = 0;
  bool operator==(const Exp2&) const = default;
};
struct Recip {
  int k = 0;            // S = 2^k * sigma
  std::uint32_t r = 0;  // R
  bool operator==(const Recip&) const = default;
};

// The table entries T[0..256] (T[256] = 2^16).
const std::array<std::uint32_t, 257>& exp2_table();
std::int64_t exponent(std::int64_t v, Scale s);                 // w
Exp2 exp2_neg(std::int64_t w);
std::uint64_t rsh(std::uint64_t x, std::int64_t d);              // x / 2^d, half up
std::uint64_t term(std::uint32_t t, std::int64_t d);
std::uint64_t online_rescale(std::uint64_t sum, Exp2 e);         // rsh(S (2^16+t), 16+n)
Recip reciprocal(std::uint64_t sum);
int output_code(std::uint32_t t, std::int64_t d, Recip r, OutType out);

// What one vector goes through: the sum, the reciprocal, the codes.
struct Trace {
  std::uint64_t sum = 0;
  Recip recip;
  std::int64_t ref = 0;  // qmax (three_pass), m (online) or r (two_pass)
  std::vector<int> codes;
};
// Throws std::invalid_argument for an empty vector, a logit out of the input
// type's range or a scale out of range.
Trace run_traced(const std::vector<int>& logits, Algorithm a, InType in, Scale s, OutType out);
std::vector<int> run(const std::vector<int>& logits, Algorithm a, InType in, Scale s, OutType out);

// The probability a code stands for.
double probability(int code, OutType out);

// Bits of a sum for vectors up to max_length (never overflows): 25 + bits(max_length).
int sum_bits(int max_length);

}  // namespace strata::golden::softmax
