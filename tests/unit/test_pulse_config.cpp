// Pulse simulator configs (YAML): every key, and errors with file:line:col.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pulse/params.h"
#include "pulse/pulse_config.h"

namespace sp = strata::pulse;

namespace {
std::string error_of(const std::string& yaml) {
  try {
    sp::parse_pulse_config(yaml, "p.yaml");
  } catch (const sp::PulseConfigError& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST(PulseConfig, EveryKey) {
  const sp::PulseParams p = sp::parse_pulse_config(
      "shape:\n  kind: double_exp\n  order: 3\n  tau_ns: 12.5\n  rise_ns: 5\n  decay_ns: 50\n"
      "adc:\n  bits: 14\n  rate_msps: 250\n  samples: 64\n  baseline: 1000\n"
      "arrival:\n  first_sample: 8\n  spread_samples: 4\n"
      "amplitude:\n  min: 100\n  max: 200\n"
      "noise:\n  snr_db: 40\n  reference: max_amplitude\n"
      "count: 77\nseed: 18446744073709551615\n",
      "p.yaml");
  EXPECT_EQ(p.shape, sp::ShapeKind::double_exp);
  EXPECT_EQ(p.order, 3u);
  EXPECT_EQ(p.tau_ns, 12.5);
  EXPECT_EQ(p.rise_ns, 5);
  EXPECT_EQ(p.decay_ns, 50);
  EXPECT_EQ(p.adc_bits, 14u);
  EXPECT_EQ(p.rate_msps, 250);
  EXPECT_EQ(p.samples, 64u);
  EXPECT_EQ(p.baseline, 1000);
  EXPECT_EQ(p.first_sample, 8u);
  EXPECT_EQ(p.spread_samples, 4);
  EXPECT_EQ(p.amplitude_min, 100);
  EXPECT_EQ(p.amplitude_max, 200);
  EXPECT_EQ(p.snr_db, 40);
  EXPECT_EQ(p.noise_reference, sp::NoiseReference::max_amplitude);
  EXPECT_EQ(p.count, 77u);
  EXPECT_EQ(p.seed, 18446744073709551615ull);
  EXPECT_FALSE(sp::parse_pulse_config("noise:\n  snr_db: none\n", "p.yaml").noisy());
  EXPECT_EQ(sp::parse_pulse_config("", "p.yaml").samples, 32u);  // empty: the defaults
}

TEST(PulseConfig, ErrorsNameFileLineColumnKeyAndWhatIsAllowed) {
  EXPECT_EQ(error_of("shape:\n  kind: gauss\n"), "p.yaml:2:9: error: shape.kind: 'gauss' is not allowed; allowed: one of crrc, double_exp");
  EXPECT_EQ(error_of("adc:\n  bitz: 12\n"), "p.yaml:2:3: error: adc.bitz: unknown key; allowed: bits, rate_msps, samples, baseline");
  EXPECT_EQ(error_of("colour: red\n"), "p.yaml:1:1: error: colour: unknown key; allowed: shape, adc, arrival, amplitude, noise, count, seed");
  EXPECT_EQ(error_of("adc:\n  bits: 16\n"), "p.yaml:2:9: error: adc.bits: 16 is out of range; allowed: an integer from 4 to 15");
  EXPECT_EQ(error_of("adc:\n  bits: '12'\n"), "p.yaml:2:9: error: adc.bits: '12' is a quoted string, not an integer; allowed: an integer from 4 to 15");
  EXPECT_EQ(error_of("adc:\n  rate_msps: fast\n"), "p.yaml:2:14: error: adc.rate_msps: 'fast' is not a number; allowed: a number from 1 to 100000");
  EXPECT_EQ(error_of("adc:\n  bits: 8\n"), "p.yaml:2:9: error: adc.bits: 8 bits cannot hold the baseline 400; allowed: enough bits for adc.baseline");
  EXPECT_EQ(error_of("adc:\n  baseline: 5000\n"),
            "p.yaml:2:13: error: adc.baseline: 5000 is out of range; allowed: a number from 0 to 4095 (the 12-bit ADC's codes)");
  EXPECT_EQ(error_of("shape:\n  rise_ns: 20\n  decay_ns: 15\n"),
            "p.yaml:3:13: error: shape.decay_ns: decay 15 ns is not longer than rise 20 ns; allowed: decay_ns > rise_ns");
  EXPECT_EQ(error_of("amplitude:\n  min: 10\n  max: 5\n"), "p.yaml:3:8: error: amplitude.max: max 5 is below min 10; allowed: amplitude.min <= amplitude.max");
  EXPECT_EQ(error_of("noise:\n  snr_db: loud\n"),
            "p.yaml:2:11: error: noise.snr_db: 'loud' is not a number; allowed: a number from -20 to 200, or none (no noise)");
  EXPECT_EQ(error_of("noise:\n  reference: rms\n"), "p.yaml:2:14: error: noise.reference: 'rms' is not allowed; allowed: one of pulse, max_amplitude");
  EXPECT_EQ(error_of("arrival:\n  first_sample: 40\n"), "p.yaml:2:17: error: arrival.first_sample: 40 is out of range; allowed: an integer from 0 to 31");
  EXPECT_EQ(error_of("adc:\n  samples: 4\n"),
            "p.yaml:2:12: error: adc.samples: 4 samples end before the arrival range [4, 5]; allowed: more samples than arrival.first_sample + arrival.spread_samples");
  EXPECT_EQ(error_of("count: 0\n"), "p.yaml:1:8: error: count: 0 is out of range; allowed: an integer from 1 to 100000000");
  EXPECT_EQ(error_of("seed: -1\n"), "p.yaml:1:7: error: seed: '-1' is not an integer; allowed: an integer from 0 to 18446744073709551615");
  EXPECT_EQ(error_of("count: 5\ncount: 6\n"), "p.yaml:2:1: error: count: duplicate key; allowed: each key once");
  EXPECT_EQ(error_of("shape: crrc\n"), "p.yaml:1:8: error: shape: 'crrc' is not a mapping; allowed: a mapping with keys kind, order, tau_ns, rise_ns, decay_ns");
  EXPECT_EQ(error_of("adc: [1\n").substr(0, 29), "p.yaml:2:1: error: invalid YA");
  EXPECT_THROW(sp::load_pulse_config("/nonexistent/p.yaml"), sp::PulseConfigError);
}

// The config shown in docs/pulse.md is valid and is the defaults.
TEST(PulseConfig, TheDocumentedExampleIsTheDefaults) {
  std::ifstream in(std::string(STRATA_SOURCE) + "/docs/pulse.md");
  ASSERT_TRUE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const auto a = doc.find("```yaml\n");
  ASSERT_NE(a, std::string::npos);
  const auto b = doc.find("```", a + 8);
  const sp::PulseParams p = sp::parse_pulse_config(doc.substr(a + 8, b - a - 8), "docs/pulse.md");
  const sp::PulseParams d;
  EXPECT_EQ(p.shape, d.shape);
  EXPECT_EQ(p.order, d.order);
  EXPECT_EQ(p.tau_ns, d.tau_ns);
  EXPECT_EQ(p.rise_ns, d.rise_ns);
  EXPECT_EQ(p.decay_ns, d.decay_ns);
  EXPECT_EQ(p.adc_bits, d.adc_bits);
  EXPECT_EQ(p.rate_msps, d.rate_msps);
  EXPECT_EQ(p.samples, d.samples);
  EXPECT_EQ(p.baseline, d.baseline);
  EXPECT_EQ(p.first_sample, d.first_sample);
  EXPECT_EQ(p.spread_samples, d.spread_samples);
  EXPECT_EQ(p.amplitude_min, d.amplitude_min);
  EXPECT_EQ(p.amplitude_max, d.amplitude_max);
  EXPECT_EQ(p.snr_db, d.snr_db);
  EXPECT_EQ(p.noise_reference, d.noise_reference);
  EXPECT_EQ(p.count, d.count);
  EXPECT_EQ(p.seed, d.seed);
}
