#include "pulse/shape.h"

#include "pulse/detmath.h"

namespace strata::pulse {

Shape::Shape(const PulseParams& p) : kind_(p.shape), order_(p.order), tau_(p.tau_ns), rise_(p.rise_ns), decay_(p.decay_ns) {
  if (kind_ == ShapeKind::crrc) {
    peak_ns_ = order_ * tau_;
  } else {
    peak_ns_ = rise_ * decay_ / (decay_ - rise_) * det_log(decay_ / rise_);
    norm_ = 1.0 / (det_exp(-peak_ns_ / decay_) - det_exp(-peak_ns_ / rise_));
  }
}

double Shape::value(double t) const {
  if (!(t > 0)) return 0.0;
  if (kind_ == ShapeKind::crrc) {
    const double x = t / tau_;
    const double r = x / order_;
    double p = 1.0;
    for (std::uint32_t i = 0; i < order_; ++i) p *= r;
    return p * det_exp(order_ - x);
  }
  return norm_ * (det_exp(-t / decay_) - det_exp(-t / rise_));
}

double Shape::derivative(double t) const {
  if (!(t > 0)) return 0.0;
  if (kind_ == ShapeKind::crrc) {
    const double x = t / tau_;
    return value(t) * (order_ / x - 1.0) / tau_;
  }
  return norm_ * (det_exp(-t / rise_) / rise_ - det_exp(-t / decay_) / decay_);
}

}  // namespace strata::pulse
