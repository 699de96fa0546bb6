// The trained pulse network on an engine: its model and output scaling
// (models/*.pulse.json, docs/train.md), the ADC codes as its int8 input, its
// int8 outputs as a time and an energy, and the evaluation behind
// `strata pulse` — every pulse on an engine, each result compared bit for bit
// with the golden model, beside the classical baselines on the same pulses.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "golden/nn.h"
#include "pulse/metrics.h"
#include "pulse/simulate.h"
#include "pulse/tune.h"
#include "runtime/compiler.h"
#include "runtime/device.h"

namespace strata::pulse {

// One quantity read from the network's output: the mean of the real values
// scale_out * (q - zero_point) of `channels`, then offset + scale * mean.
struct OutputScaling {
  std::vector<int> channels;
  double offset = 0, scale = 1;
};

// A model trained for pulses and how it sees them. Loaded from X.pulse.json
// (its "model" names the Strata model file, relative to it).
struct PulseNetwork {
  golden::nn::Model model;
  std::filesystem::path model_path, pulse_path;
  double offset = 0, divisor = 1;  // one input channel: its real value is (ADC code - offset) / divisor
  int split_bits = 0;              // > 0: two input channels, code >> split_bits and its low split_bits bits
  OutputScaling time;      // in ns from sample 0
  OutputScaling energy;    // in ADC counts (the amplitude)
  std::string output;      // the model's one output tensor
  golden::nn::QuantParams output_quant;
  nlohmann::json training;  // what the file says about the training (printed, not used)
};

// Loads MODEL.json and the MODEL.pulse.json beside it (or a .pulse.json
// itself). Throws runtime::ModelError naming the file, the key and what is
// allowed: a missing scaling file, a model that is not [samples, 1] int8 with
// one [1, K] output, a channel outside K.
PulseNetwork load_pulse_network(const std::filesystem::path& path);
// The scaling file of a model file: X.json -> X.pulse.json.
std::filesystem::path pulse_scaling_path(const std::filesystem::path& model_json);

// The int8 input of one event: q = clamp(rne((float(code) - offset) / divisor
// / input_scale) + zero_point, -128, 127), in float32 as ONNX's QuantizeLinear;
// or split in two channels, q = (code >> split_bits) + zero_point and
// (code & (2^split_bits - 1)) + zero_point, exact (a code that does not fit
// throws std::invalid_argument).
golden::nn::Tensor network_input(const PulseNetwork& n, std::span<const std::int16_t> codes);

struct Estimate {
  double time_ns = 0, energy = 0;
};
Estimate decode(const PulseNetwork& n, const golden::nn::Tensor& output);

// Runs the network on one input and returns its output tensor and the
// engine's cycles for the run. The backend is chosen by the program that
// makes one: sim/nn/nn_pulse.cpp (the Verilated engine through
// runtime::Device) or sim/soc/soc_pulse.cpp (the SoC through its firmware).
class Engine {
 public:
  virtual ~Engine() = default;
  virtual golden::nn::Tensor run(const golden::nn::Tensor& input, std::uint64_t& cycles) = 0;
  virtual std::string describe() const = 0;
};

// The network engine behind a Device: the program is compiled and loaded
// once, then every run writes the input, runs the whole network's
// descriptor list and reads the output back.
class DeviceEngine : public Engine {
 public:
  DeviceEngine(runtime::Device& dev, const SocConfig& c, const golden::nn::Model& m, std::uint64_t budget);
  golden::nn::Tensor run(const golden::nn::Tensor& input, std::uint64_t& cycles) override;
  std::string describe() const override;

 private:
  runtime::Device& dev_;
  const golden::nn::Model& model_;
  std::string config_name_;
  runtime::Program program_;
  std::uint64_t budget_;
};

// The classical methods of docs/pulse.md tuned on a training set.
struct Baselines {
  TimingMethod cfd;        // the tuned CFD grid (delay line and peak fraction, linear and cubic)
  TimingMethod cfd_phase;  // the same with the phase correction
  EnergyMethod trapezoid;
};
Baselines tune_baselines(const Dataset& train);

// A pulse whose engine output differs from the golden model's.
class MismatchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PulseResult {
  std::size_t index = 0;
  double t0_ns = 0, amplitude = 0;
  std::vector<golden::nn::Code> output;  // the engine's output codes (equal to the golden model's)
  Estimate nn;
  double cfd_ns = 0, cfd_phase_ns = 0, trapezoid = 0;  // NaN where a method has no value
  std::uint64_t cycles = 0;
};

struct Evaluation {
  std::vector<PulseResult> pulses;  // every one compared bit-exact with the golden model
  Resolution nn_time, cfd_time, cfd_phase_time;  // errors in ps
  Resolution nn_energy, trapezoid_energy;        // relative errors (fraction)
  std::uint64_t min_cycles = 0, max_cycles = 0;
  double mean_cycles = 0;
};

// Runs every event of `test` on `engine` and on the golden model; throws
// MismatchError at the first pulse whose outputs differ (naming the pulse,
// the element, both values and the seed). `progress` is called after each
// pulse with the number done.
Evaluation evaluate(Engine& engine, const PulseNetwork& n, const Dataset& test, const Baselines& b,
                    const std::function<void(std::size_t)>& progress = {});

}  // namespace strata::pulse
