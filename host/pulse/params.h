// Parameters of a simulated detector-pulse data set (docs/pulse.md).
//
// Times are in ns, amplitudes and the baseline in ADC counts (LSB). A pulse
// arriving at t0 (its onset) is sampled at t_k = k * Ts, k = 0 .. samples-1,
// Ts = 1000 / rate_msps ns:
//   x_k = clip(round(baseline + A * s(t_k - t0) + sigma * g_k), 0, 2^bits - 1)
// with s the unit-peak shape (shape.h), A uniform in [amplitude_min,
// amplitude_max), t0 uniform in [first_sample, first_sample + spread_samples) * Ts,
// g_k independent standard normals, and sigma set by the SNR:
//   SNR_dB = 20 log10(A_ref / sigma),
// A_ref = A of each pulse (noise_reference = pulse) or amplitude_max
// (noise_reference = max_amplitude).
#pragma once

#include <cstdint>
#include <limits>
#include <string>

namespace strata::pulse {

enum class ShapeKind : std::uint32_t { crrc = 0, double_exp = 1 };
enum class NoiseReference : std::uint32_t { pulse = 0, max_amplitude = 1 };

struct PulseParams {
  // Shape.
  ShapeKind shape = ShapeKind::crrc;
  std::uint32_t order = 4;  // crrc: n of CR-RC^n
  double tau_ns = 10.0;     // crrc: shaping time constant (peak at n * tau)
  double rise_ns = 10.0;    // double_exp: rise time constant
  double decay_ns = 100.0;  // double_exp: decay time constant (> rise_ns)
  // ADC.
  std::uint32_t adc_bits = 12;
  double rate_msps = 125.0;
  std::uint32_t samples = 32;
  double baseline = 400.0;
  // Arrival time: t0 / Ts uniform in [first_sample, first_sample + spread_samples).
  std::uint32_t first_sample = 4;
  double spread_samples = 1.0;
  // Amplitude above the baseline, counts: uniform in [amplitude_min, amplitude_max).
  double amplitude_min = 500.0;
  double amplitude_max = 3000.0;
  // Noise: +infinity for none.
  double snr_db = 47.4;
  NoiseReference noise_reference = NoiseReference::pulse;
  // The data set.
  std::uint64_t count = 10000;
  std::uint64_t seed = 1;

  double ts_ns() const { return 1000.0 / rate_msps; }
  int max_code() const { return (1 << adc_bits) - 1; }
  bool noisy() const { return snr_db != std::numeric_limits<double>::infinity(); }
};

// Limits of every parameter (shared by the YAML reader and the file readers).
struct PulseLimits {
  static constexpr std::uint32_t order_min = 1, order_max = 10;
  static constexpr double time_min_ns = 0.01, time_max_ns = 1e5;
  static constexpr std::uint32_t bits_min = 4, bits_max = 15;
  static constexpr double rate_min_msps = 1.0, rate_max_msps = 1e5;
  static constexpr std::uint32_t samples_min = 4, samples_max = 4096;
  static constexpr double snr_min_db = -20.0, snr_max_db = 200.0;
  static constexpr std::uint64_t count_max = 100'000'000;
};

// The first problem with `p` as "KEY: PROBLEM; allowed: WHAT" (KEY as in the
// YAML file, e.g. "adc.bits"), or "" when every parameter is valid.
std::string check_params(const PulseParams& p);

const char* shape_name(ShapeKind k);
const char* noise_reference_name(NoiseReference r);

}  // namespace strata::pulse
