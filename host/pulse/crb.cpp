#include "pulse/crb.h"

#include <cmath>
#include <limits>

#include "pulse/shape.h"
#include "pulse/simulate.h"

namespace strata::pulse {

Bound cramer_rao(const PulseParams& p, int phases, int amplitudes) {
  if (!p.noisy()) return {};
  const Shape shape(p);
  const double ts = p.ts_ns();
  double var_t = 0, var_a = 0;
  int points = 0;
  for (int ia = 0; ia < amplitudes; ++ia) {
    const double a = p.amplitude_min + (p.amplitude_max - p.amplitude_min) * (ia + 0.5) / amplitudes;
    const double sigma = noise_sigma(p, a);
    for (int ip = 0; ip < phases; ++ip) {
      const double t0 = (p.first_sample + p.spread_samples * (ip + 0.5) / phases) * ts;
      double jaa = 0, jat = 0, jtt = 0;
      for (std::uint32_t k = 0; k < p.samples; ++k) {
        const double t = k * ts - t0;
        const double da = shape.value(t), dt = -a * shape.derivative(t);
        jaa += da * da;
        jat += da * dt;
        jtt += dt * dt;
      }
      const double det = (jaa * jtt - jat * jat) / (sigma * sigma * sigma * sigma);
      if (!(det > 0)) return {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
      var_t += jaa / (sigma * sigma) / det;
      var_a += jtt / (sigma * sigma) / det / (a * a);
      ++points;
    }
  }
  return {std::sqrt(var_t / points) * 1000.0, std::sqrt(var_a / points)};
}

}  // namespace strata::pulse
