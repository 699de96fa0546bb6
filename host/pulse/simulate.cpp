#include "pulse/simulate.h"

#include <cmath>
#include <stdexcept>

#include "pulse/detmath.h"
#include "pulse/rng.h"
#include "pulse/shape.h"

namespace strata::pulse {

namespace {
constexpr double kLn10 = 2.30258509299404568402;
}

double noise_sigma(const PulseParams& p, double a) {
  if (!p.noisy()) return 0.0;
  const double ref = p.noise_reference == NoiseReference::pulse ? a : p.amplitude_max;
  return ref * det_exp(-p.snr_db / 20.0 * kLn10);
}

double ideal_sample(const PulseParams& p, double t0_ns, double amplitude, std::uint32_t k) {
  const Shape shape(p);
  return p.baseline + amplitude * shape.value(k * p.ts_ns() - t0_ns);
}

Dataset simulate(const PulseParams& params) {
  if (const std::string e = check_params(params); !e.empty()) throw std::invalid_argument(e);
  Dataset d;
  d.params = params;
  const std::size_t n = params.samples;
  d.samples.resize(params.count * n);
  d.t0_ns.resize(params.count);
  d.amplitude.resize(params.count);
  const Shape shape(params);
  const double ts = params.ts_ns();
  const double max_code = params.max_code();
  PulseRng rng(params.seed);
  for (std::size_t i = 0; i < params.count; ++i) {
    const double t0 = (params.first_sample + params.spread_samples * rng.uniform()) * ts;
    const double a = rng.uniform(params.amplitude_min, params.amplitude_max);
    const double sigma = noise_sigma(params, a);
    d.t0_ns[i] = t0;
    d.amplitude[i] = a;
    std::int16_t* out = d.samples.data() + i * n;
    for (std::size_t k = 0; k < n; ++k) {
      double v = params.baseline + a * shape.value(static_cast<double>(k) * ts - t0);
      if (params.noisy()) v += sigma * rng.gaussian();
      v = std::floor(v + 0.5);
      v = v < 0 ? 0 : (v > max_code ? max_code : v);
      out[k] = static_cast<std::int16_t>(v);
    }
    rng.drop_spare();
  }
  return d;
}

}  // namespace strata::pulse
