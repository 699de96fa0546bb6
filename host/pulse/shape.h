// Detector pulse shapes, normalised to a peak of 1 (docs/pulse.md).
//
//   crrc:       s(t) = (x/n)^n e^(n - x),  x = t / tau         (CR-RC^n; peak at t = n tau)
//   double_exp: s(t) = N (e^(-t/decay) - e^(-t/rise)),          peak at
//               t_p = rise decay / (decay - rise) ln(decay / rise), N = 1 / (e^(-t_p/decay) - e^(-t_p/rise))
// and s(t) = 0 for t <= 0 (t is the time since the pulse's onset t0).
// Computed with det_exp/det_log, so the values are the same on every platform.
#pragma once

#include "pulse/params.h"

namespace strata::pulse {

class Shape {
 public:
  explicit Shape(const PulseParams& p);
  double value(double t_ns) const;       // s(t)
  double derivative(double t_ns) const;  // ds/dt, 1/ns
  double peak_time_ns() const { return peak_ns_; }

 private:
  ShapeKind kind_;
  std::uint32_t order_;
  double tau_, rise_, decay_;
  double peak_ns_ = 0, norm_ = 1;
};

}  // namespace strata::pulse
