// Published GELU approximations, as their papers describe them, for the
// accuracy comparison of the benchmark (docs/results/softmax_gelu.md). Both
// take the integer input code and give the output code, so they are
// measured on exactly the inputs and against the same float64 reference as
// the unit (gelu.h). Neither is part of the hardware.
#pragma once

#include "golden/gelu.h"

namespace strata::golden::gelu {

// I-BERT's integer-only i-GELU (Kim, Gholami, Yao, Mahoney, Keutzer,
// "I-BERT: Integer-only BERT Quantization", ICML 2021, arXiv:2101.01321,
// Algorithm 2): erf(x) ~ sgn(x) [a (min(|x|, -b) + b)^2 + 1] with
// a = -0.2888, b = -1.769, evaluated in integers on q' = q - z_in with scale
// S = s_in: i-ERF(q', S' = S / sqrt 2) with q_b = floor(b / S'),
// q_c = floor(1 / (a S'^2)), q_erf = sgn(q') ((min(|q'|, -q_b) + q_b)^2 + q_c),
// S_erf = a S'^2; then q_1 = floor(1 / S_erf), q_out = q' (q_erf + q_1),
// S_out = S S_erf / 2. The integer result's real value q_out S_out is
// requantized to the output code in float64 (round to nearest even, plus
// z_out, clamped): the method's best case.
int ibert_code(const Quant& qp, int q, int qmin, int qmax);

// Edge-MoE's GELU (Sarkar, Liang, Fan, Wang, Hao, "Edge-MoE: Memory-Efficient
// Multi-Task Vision Transformer Architecture with Task-level Sparsity via
// Mixture-of-Experts", ICCAD 2023, arXiv:2305.18691; step and range as in
// the authors' src/gelu.cpp): gelu(x) = relu(x) - delta(|x|), delta
// tabulated at step 1/32 on [0, 5.5] (177 entries) and interpolated
// linearly, relu(x) alone for |x| >= 5.5. Here the table holds the float64
// delta of the erf form and x is the exact dequantized input, the method's
// best case; the result is rounded to the output code as for I-BERT.
int edge_moe_code(const Quant& qp, int q, int qmin, int qmax);

}  // namespace strata::golden::gelu
