// The Cramer-Rao bound of the pulse bench (docs/pulse.md, "Evaluation").
//
// For x_k = b + A s(k Ts - t0) + sigma g_k with b known and (A, t0) unknown, the
// Fisher information is J = (1/sigma^2) sum_k grad mu_k grad mu_k^T with
// d mu_k / dA = s_k and d mu_k / dt0 = -A s'_k; the bounds are the diagonal of
// J^-1. They are averaged (as variances) over t0 at `phases` evenly spaced points
// of the arrival range and A at `amplitudes` points of the amplitude range.
// ADC quantization and clipping are ignored.
#pragma once

#include "pulse/params.h"

namespace strata::pulse {

struct Bound {
  double time_ps = 0;       // sqrt of the mean variance of t0
  double energy_rel = 0;    // sqrt of the mean variance of A / A
};

Bound cramer_rao(const PulseParams& p, int phases = 64, int amplitudes = 16);

}  // namespace strata::pulse
