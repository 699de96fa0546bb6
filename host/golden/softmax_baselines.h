// Published softmax approximations, as their papers describe them, for the
// accuracy comparison of the benchmark (docs/results/softmax_gelu.md). Both
// take the integer logits and the real scale S of one logit step and give
// output codes of the same types as the unit (softmax.h), so they are
// measured on exactly the unit's inputs against the same float64 reference.
// Neither is part of the hardware.
#pragma once

#include <vector>

#include "golden/softmax.h"

namespace strata::golden::softmax {

// I-BERT's integer-only softmax (Kim, Gholami, Yao, Mahoney, Keutzer,
// "I-BERT: Integer-only BERT Quantization", ICML 2021, arXiv:2101.01321,
// Algorithms 1 and 2). On q~ = q - max q with scale S:
//   i-EXP: q_ln2 = floor(ln2 / S), z = floor(-q~ / q_ln2), q_p = q~ + z q_ln2
//   (p in (-ln2, 0]); i-POLY exp(p) ~ a (p + b)^2 + c with a = 0.3585,
//   b = 1.353, c = 0.344: q_b = floor(b / S), q_c = floor(c / (a S^2)),
//   q_L = (q_p + q_b)^2 + q_c; q_exp = q_L >> z (scale a S^2).
//   Normalisation by one integer division as in the authors' reference
//   (IntSoftmax): factor = floor(2^32 / sum q_exp), code =
//   floor(q_exp * factor / 2^(32 - B)) for B output bits (8: uint8, then
//   -128 for TFLite's int8; 16: uint16), clamped to 2^B - 1.
// All integer arithmetic is exact (GMP). For S > ln 2, q_ln2 is clamped to 1.
std::vector<int> ibert_softmax(const std::vector<int>& logits, double scale, OutType out);

// Edge-MoE's single-pass softmax (Sarkar, Liang, Fan, Wang, Hao, "Edge-MoE:
// Memory-Efficient Multi-Task Vision Transformer Architecture with Task-level
// Sparsity via Mixture-of-Experts", ICCAD 2023, arXiv:2305.18691; as in the
// authors' src/attention.cpp): one pass keeps a running bias (the maximum)
// and sum, on a new maximum sum = sum * exp(old - new) + 1, else sum +=
// exp(x - bias); then p_i = exp(x_i - bias) * recip(sum). Every value is
// their feature-map type ap_fixed<32,10> (22 fraction bits, truncation);
// here x = S q is exact, saturated to that type's range, and exp and recip
// are float64 truncated to the type (the method's best case). The
// probability is rounded to the output code (half to even), clamped.
std::vector<int> edge_moe_softmax(const std::vector<int>& logits, double scale, OutType out);

}  // namespace strata::golden::softmax
