// Pulse simulator parameters from a YAML file (docs/pulse.md, "Config").
//
//   shape:     {kind: crrc | double_exp, order, tau_ns, rise_ns, decay_ns}
//   adc:       {bits, rate_msps, samples, baseline}
//   arrival:   {first_sample, spread_samples}
//   amplitude: {min, max}
//   noise:     {snr_db: NUMBER | none, reference: pulse | max_amplitude}
//   count, seed
// Every key is optional (defaults: PulseParams); unknown keys are errors.
// Errors: "FILE:LINE:COL: error: KEY: PROBLEM; allowed: WHAT".
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include "pulse/params.h"

namespace strata::pulse {

class PulseConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses `text` (named `file` in errors) on top of `defaults`.
PulseParams parse_pulse_config(const std::string& text, const std::string& file, const PulseParams& defaults = {});
PulseParams load_pulse_config(const std::filesystem::path& file, const PulseParams& defaults = {});

}  // namespace strata::pulse
