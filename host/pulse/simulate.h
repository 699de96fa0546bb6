// The pulse simulator: a seeded, reproducible data set (docs/pulse.md).
//
// Random numbers (PulseRng, seeded with params.seed), in this order for each
// event i = 0 .. count-1:
//   1. u_t = uniform(): t0 = (first_sample + spread_samples * u_t) * Ts;
//   2. u_a = uniform(): A = amplitude_min + (amplitude_max - amplitude_min) * u_a;
//   3. if noisy: g_0 .. g_{samples-1} = gaussian() in sample order, then the
//      pair's unused second normal (odd sample counts) is dropped;
// then x_k = clip(floor(baseline + A s(k Ts - t0) + sigma g_k + 0.5), 0, 2^bits - 1)
// with sigma = A_ref * 10^(-snr_db / 20) (params.h).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pulse/params.h"

namespace strata::pulse {

struct Dataset {
  PulseParams params;                // params.count == t0_ns.size()
  std::vector<std::int16_t> samples;  // count * params.samples ADC codes, event after event
  std::vector<double> t0_ns;         // true arrival (onset) time, ns from sample 0
  std::vector<double> amplitude;     // true peak amplitude above the baseline, counts

  std::size_t count() const { return t0_ns.size(); }
  std::span<const std::int16_t> event(std::size_t i) const {
    return {samples.data() + i * params.samples, params.samples};
  }
};

// Noise sigma (counts) for a pulse of amplitude `a`; 0 without noise.
double noise_sigma(const PulseParams& p, double a);

// Generates params.count events. Throws std::invalid_argument on invalid params.
Dataset simulate(const PulseParams& params);

// The noise-free analog value of sample k (before noise, rounding and clipping).
double ideal_sample(const PulseParams& p, double t0_ns, double amplitude, std::uint32_t k);

}  // namespace strata::pulse
