#include "pulse/params.h"

#include <cmath>

#include <fmt/format.h>

namespace strata::pulse {

const char* shape_name(ShapeKind k) { return k == ShapeKind::crrc ? "crrc" : "double_exp"; }
const char* noise_reference_name(NoiseReference r) { return r == NoiseReference::pulse ? "pulse" : "max_amplitude"; }

namespace {
std::string range(const char* key, double v, double lo, double hi) {
  if (std::isfinite(v) && v >= lo && v <= hi) return "";
  return fmt::format("{}: {} is out of range; allowed: a number from {} to {}", key, v, lo, hi);
}
std::string range_u(const char* key, std::uint64_t v, std::uint64_t lo, std::uint64_t hi) {
  if (v >= lo && v <= hi) return "";
  return fmt::format("{}: {} is out of range; allowed: an integer from {} to {}", key, v, lo, hi);
}
}  // namespace

std::string check_params(const PulseParams& p) {
  using L = PulseLimits;
  std::string e;
  if (p.shape != ShapeKind::crrc && p.shape != ShapeKind::double_exp)
    return fmt::format("shape.kind: code {} is not a shape; allowed: 0 (crrc), 1 (double_exp)", static_cast<std::uint32_t>(p.shape));
  if (!(e = range_u("shape.order", p.order, L::order_min, L::order_max)).empty()) return e;
  if (!(e = range("shape.tau_ns", p.tau_ns, L::time_min_ns, L::time_max_ns)).empty()) return e;
  if (!(e = range("shape.rise_ns", p.rise_ns, L::time_min_ns, L::time_max_ns)).empty()) return e;
  if (!(e = range("shape.decay_ns", p.decay_ns, L::time_min_ns, L::time_max_ns)).empty()) return e;
  if (!(p.decay_ns > p.rise_ns))
    return fmt::format("shape.decay_ns: {} is not above shape.rise_ns ({}); allowed: a decay time longer than the rise time", p.decay_ns,
                       p.rise_ns);
  if (!(e = range_u("adc.bits", p.adc_bits, L::bits_min, L::bits_max)).empty()) return e;
  if (!(e = range("adc.rate_msps", p.rate_msps, L::rate_min_msps, L::rate_max_msps)).empty()) return e;
  if (!(e = range_u("adc.samples", p.samples, L::samples_min, L::samples_max)).empty()) return e;
  if (!(e = range("adc.baseline", p.baseline, 0, p.max_code())).empty()) return e;
  if (!(e = range_u("arrival.first_sample", p.first_sample, 0, p.samples - 1)).empty()) return e;
  if (!(e = range("arrival.spread_samples", p.spread_samples, 0, p.samples - p.first_sample)).empty()) return e;
  if (!(e = range("amplitude.min", p.amplitude_min, 1e-3, 1e9)).empty()) return e;
  if (!(e = range("amplitude.max", p.amplitude_max, p.amplitude_min, 1e9)).empty()) return e;
  if (p.noisy() && !(e = range("noise.snr_db", p.snr_db, L::snr_min_db, L::snr_max_db)).empty()) return e + " (or none)";
  if (p.noise_reference != NoiseReference::pulse && p.noise_reference != NoiseReference::max_amplitude)
    return fmt::format("noise.reference: code {} is not a noise reference; allowed: 0 (pulse), 1 (max_amplitude)",
                       static_cast<std::uint32_t>(p.noise_reference));
  if (!(e = range_u("count", p.count, 1, L::count_max)).empty()) return e;
  return "";
}

}  // namespace strata::pulse
