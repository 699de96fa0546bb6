// Least-squares template fit (docs/pulse.md, "Template fit"): the classical
// method that uses the pulse shape itself.
//
// With the shape s known (from the data set's parameters), minimise
//   R(A, t0) = sum_k (y_k - A s(k Ts - t0))^2
// over A and t0: for a fixed t0 the best A is sum y s / sum s^2, so t0 is first
// searched on a grid of `grid` points over the arrival range widened by one
// sample on each side (the largest (sum y s)^2 / sum s^2 wins), then refined by
// up to 20 Gauss-Newton steps on (A, t0), each halved while it does not lower R.
#pragma once

#include "pulse/params.h"
#include "pulse/shape.h"

namespace strata::pulse {

struct FitResult {
  double t0_ns = 0, amplitude = 0;
  bool ok = false;
};

class TemplateFit {
 public:
  explicit TemplateFit(const PulseParams& p, int grid = 24);
  // On baseline-subtracted samples y[0 .. samples-1].
  FitResult fit(const double* y) const;

 private:
  PulseParams p_;
  Shape shape_;
  int grid_;
};

}  // namespace strata::pulse
