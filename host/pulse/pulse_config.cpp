#include "pulse/pulse_config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "yaml/yaml_reader.h"

namespace strata::pulse {

namespace {

[[noreturn]] void raise_pulse_config_error(const std::string& message) { throw PulseConfigError(message); }

// The shared YAML reader, throwing PulseConfigError and calling the root "the pulse config",
// with the pulse config's own integers (unsigned, to 2^64 - 1) and numbers (with a note on the range).
class Reader : public yaml::Reader {
 public:
  explicit Reader(std::string file) : yaml::Reader(std::move(file), "the pulse config", raise_pulse_config_error) {}

  std::uint64_t integer(const YAML::Node& n, const std::string& key, std::uint64_t lo, std::uint64_t hi) const {
    const std::string allowed = fmt::format("an integer from {} to {}", lo, hi);
    if (!n.IsScalar()) fail(n, key, fmt::format("{} is not an integer", shown(n)), allowed);
    if (n.Tag() == "!") fail(n, key, fmt::format("'{}' is a quoted string, not an integer", n.Scalar()), allowed);
    const std::string& s = n.Scalar();
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range) fail(n, key, fmt::format("'{}' is out of range", s), allowed);
    if (ec != std::errc() || end != s.data() + s.size()) fail(n, key, fmt::format("'{}' is not an integer", s), allowed);
    if (v < lo || v > hi) fail(n, key, fmt::format("{} is out of range", v), allowed);
    return v;
  }

  double number(const YAML::Node& n, const std::string& key, double lo, double hi, const std::string& also = "") const {
    const std::string allowed = fmt::format("a number from {} to {}{}", lo, hi, also);
    if (!n.IsScalar()) fail(n, key, fmt::format("{} is not a number", shown(n)), allowed);
    if (n.Tag() == "!") fail(n, key, fmt::format("'{}' is a quoted string, not a number", n.Scalar()), allowed);
    const std::string& s = n.Scalar();
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) fail(n, key, fmt::format("'{}' is not a number", s), allowed);
    if (v < lo || v > hi) fail(n, key, fmt::format("{} is out of range", s), allowed);
    return v;
  }
};

const std::vector<std::string> kTopKeys{"shape", "adc", "arrival", "amplitude", "noise", "count", "seed"};
const std::vector<std::string> kShapeKeys{"kind", "order", "tau_ns", "rise_ns", "decay_ns"};
const std::vector<std::string> kAdcKeys{"bits", "rate_msps", "samples", "baseline"};
const std::vector<std::string> kArrivalKeys{"first_sample", "spread_samples"};
const std::vector<std::string> kAmplitudeKeys{"min", "max"};
const std::vector<std::string> kNoiseKeys{"snr_db", "reference"};

}  // namespace

PulseParams parse_pulse_config(const std::string& text, const std::string& file, const PulseParams& defaults) {
  using L = PulseLimits;
  const Reader r(file);
  YAML::Node root;
  try {
    const std::vector<YAML::Node> docs = YAML::LoadAll(text);
    if (docs.size() > 1) r.fail(docs[1].Mark(), fmt::format("{} YAML documents in one file; allowed: one pulse config per file", docs.size()));
    if (!docs.empty()) root = docs[0];
  } catch (const YAML::Exception& e) {
    r.fail(e.mark, fmt::format("invalid YAML: {}", e.msg));
  }
  PulseParams p = defaults;
  if (!root || root.IsNull()) return p;  // an empty file: the defaults
  r.keys(root, "", kTopKeys);
  if (const auto s = root["shape"]) {
    r.keys(s, "shape", kShapeKeys);
    if (const auto n = s["kind"]) p.shape = r.word(n, "shape.kind", {"crrc", "double_exp"}) == "crrc" ? ShapeKind::crrc : ShapeKind::double_exp;
    if (const auto n = s["order"]) p.order = static_cast<std::uint32_t>(r.integer(n, "shape.order", L::order_min, L::order_max));
    if (const auto n = s["tau_ns"]) p.tau_ns = r.number(n, "shape.tau_ns", L::time_min_ns, L::time_max_ns);
    if (const auto n = s["rise_ns"]) p.rise_ns = r.number(n, "shape.rise_ns", L::time_min_ns, L::time_max_ns);
    if (const auto n = s["decay_ns"]) p.decay_ns = r.number(n, "shape.decay_ns", L::time_min_ns, L::time_max_ns);
    if (!(p.decay_ns > p.rise_ns)) {
      const YAML::Node n = s["decay_ns"] ? s["decay_ns"] : s["rise_ns"];
      const std::string key = s["decay_ns"] ? "shape.decay_ns" : "shape.rise_ns";
      r.fail(n, key, fmt::format("decay {} ns is not longer than rise {} ns", p.decay_ns, p.rise_ns), "decay_ns > rise_ns");
    }
  }
  if (const auto a = root["adc"]) {
    r.keys(a, "adc", kAdcKeys);
    if (const auto n = a["bits"]) p.adc_bits = static_cast<std::uint32_t>(r.integer(n, "adc.bits", L::bits_min, L::bits_max));
    if (const auto n = a["rate_msps"]) p.rate_msps = r.number(n, "adc.rate_msps", L::rate_min_msps, L::rate_max_msps);
    if (const auto n = a["samples"]) p.samples = static_cast<std::uint32_t>(r.integer(n, "adc.samples", L::samples_min, L::samples_max));
    if (const auto n = a["baseline"]) p.baseline = r.number(n, "adc.baseline", 0, p.max_code(), fmt::format(" (the {}-bit ADC's codes)", p.adc_bits));
  }
  if (!(p.baseline <= p.max_code())) {
    const YAML::Node adc = root["adc"];
    const YAML::Node n = adc && adc.IsMap() && adc["bits"] ? adc["bits"] : root;
    r.fail(n, "adc.bits", fmt::format("{} bits cannot hold the baseline {}", p.adc_bits, p.baseline), "enough bits for adc.baseline");
  }
  if (const auto a = root["arrival"]) {
    r.keys(a, "arrival", kArrivalKeys);
    if (const auto n = a["first_sample"]) p.first_sample = static_cast<std::uint32_t>(r.integer(n, "arrival.first_sample", 0, p.samples - 1));
    if (const auto n = a["spread_samples"])
      p.spread_samples = r.number(n, "arrival.spread_samples", 0, p.samples - p.first_sample, " (the pulse starts inside the window)");
  }
  if (p.first_sample >= p.samples || p.first_sample + p.spread_samples > p.samples) {
    const YAML::Node adc = root["adc"];
    const YAML::Node n = adc && adc.IsMap() && adc["samples"] ? adc["samples"] : root;
    r.fail(n, "adc.samples", fmt::format("{} samples end before the arrival range [{}, {}]", p.samples, p.first_sample, p.first_sample + p.spread_samples),
           "more samples than arrival.first_sample + arrival.spread_samples");
  }
  if (const auto a = root["amplitude"]) {
    r.keys(a, "amplitude", kAmplitudeKeys);
    if (const auto n = a["min"]) p.amplitude_min = r.number(n, "amplitude.min", 1e-3, 1e9);
    if (const auto n = a["max"]) p.amplitude_max = r.number(n, "amplitude.max", 1e-3, 1e9);
    if (p.amplitude_max < p.amplitude_min) {
      const YAML::Node n = a["max"] ? a["max"] : a["min"];
      const std::string key = a["max"] ? "amplitude.max" : "amplitude.min";
      r.fail(n, key, fmt::format("max {} is below min {}", p.amplitude_max, p.amplitude_min), "amplitude.min <= amplitude.max");
    }
  }
  if (const auto a = root["noise"]) {
    r.keys(a, "noise", kNoiseKeys);
    if (const auto n = a["snr_db"]) {
      if (n.IsScalar() && n.Tag() != "!" && n.Scalar() == "none")
        p.snr_db = std::numeric_limits<double>::infinity();
      else
        p.snr_db = r.number(n, "noise.snr_db", L::snr_min_db, L::snr_max_db, ", or none (no noise)");
    }
    if (const auto n = a["reference"])
      p.noise_reference = r.word(n, "noise.reference", {"pulse", "max_amplitude"}) == "pulse" ? NoiseReference::pulse : NoiseReference::max_amplitude;
  }
  if (const auto n = root["count"]) p.count = r.integer(n, "count", 1, L::count_max);
  if (const auto n = root["seed"]) p.seed = r.integer(n, "seed", 0, std::numeric_limits<std::uint64_t>::max());
  if (const std::string e = check_params(p); !e.empty()) r.fail(root.Mark(), e);
  return p;
}

PulseParams load_pulse_config(const std::filesystem::path& file, const PulseParams& defaults) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw PulseConfigError(fmt::format("{}: error: cannot read the pulse config file", file.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_pulse_config(ss.str(), file.string(), defaults);
}

}  // namespace strata::pulse
