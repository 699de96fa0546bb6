#include "pulse/pulse_nn.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "runtime/model_file.h"
#include "runtime/runner.h"

namespace strata::pulse {

namespace fs = std::filesystem;
namespace gn = golden::nn;
using runtime::ModelError;

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

const nlohmann::json& member(const nlohmann::json& j, const std::string& key, const std::string& file, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) throw ModelError(file, where, fmt::format("'{}' is missing", key), "the keys of docs/train.md's scaling file");
  return j.at(key);
}

double number(const nlohmann::json& j, const std::string& key, const std::string& file, const std::string& where) {
  const auto& v = member(j, key, file, where);
  if (!v.is_number() || !std::isfinite(v.get<double>())) throw ModelError(file, where + "." + key, "is not a finite number", "a number");
  return v.get<double>();
}

OutputScaling scaling(const nlohmann::json& j, const std::string& key, const std::string& offset_key, const std::string& scale_key,
                      const std::string& file, int width) {
  const std::string where = "outputs." + key;
  const auto& o = member(j, key, file, "outputs");
  OutputScaling s;
  const auto& ch = member(o, "channels", file, where);
  if (!ch.is_array() || ch.empty()) throw ModelError(file, where + ".channels", "is not a non-empty array", "output channel indices");
  for (std::size_t i = 0; i < ch.size(); ++i) {
    if (!ch[i].is_number_integer() || ch[i].get<int>() < 0 || ch[i].get<int>() >= width)
      throw ModelError(file, fmt::format("{}.channels[{}]", where, i), fmt::format("{} is not an output channel of the model", ch[i].dump()),
                       fmt::format("0 .. {}", width - 1));
    s.channels.push_back(ch[i].get<int>());
  }
  s.offset = number(o, offset_key, file, where);
  s.scale = number(o, scale_key, file, where);
  return s;
}

}  // namespace

fs::path pulse_scaling_path(const fs::path& model_json) {
  fs::path p = model_json;
  return p.replace_extension(".pulse.json");
}

PulseNetwork load_pulse_network(const fs::path& path) {
  const std::string name = path.string();
  const bool is_scaling = name.size() > 11 && name.substr(name.size() - 11) == ".pulse.json";
  PulseNetwork n;
  n.pulse_path = is_scaling ? path : pulse_scaling_path(path);
  const std::string file = n.pulse_path.string();
  std::ifstream in(n.pulse_path, std::ios::binary);
  if (!in)
    throw ModelError(is_scaling ? file : name, "the file",
                     is_scaling ? "cannot be read" : fmt::format("has no pulse scaling file {} beside it", file),
                     "a model trained for pulses (scripts/train_pulse.py) with its .pulse.json (docs/train.md)");
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw ModelError(file, fmt::format("byte {}", e.byte), "is not valid JSON", "a JSON object (docs/train.md)");
  }
  const auto& fmt_key = member(j, "format", file, "the file");
  if (fmt_key != "strata-pulse-model") throw ModelError(file, "format", fmt::format("{} is not a pulse scaling file", fmt_key.dump()), "\"strata-pulse-model\"");
  if (member(j, "version", file, "the file") != 1) throw ModelError(file, "version", fmt::format("{} is not supported", j["version"].dump()), "1");
  const auto& model_name = member(j, "model", file, "the file");
  if (!model_name.is_string()) throw ModelError(file, "model", "is not a string", "the model file's name, relative to this file");
  n.model_path = n.pulse_path.parent_path() / model_name.get<std::string>();
  n.model = runtime::load_model(n.model_path);
  const std::string mfile = n.model_path.string();
  const auto& input = member(j, "input", file, "the file");
  if (input.contains("split_bits")) {
    const double bits = number(input, "split_bits", file, "input");
    if (bits != std::floor(bits) || bits < 1 || bits > 8) throw ModelError(file, "input.split_bits", fmt::format("{} is not a bit count", bits), "1 .. 8");
    n.split_bits = static_cast<int>(bits);
  } else {
    n.offset = number(input, "offset", file, "input");
    n.divisor = number(input, "divisor", file, "input");
    if (!(n.divisor > 0)) throw ModelError(file, "input.divisor", fmt::format("{} is not positive", n.divisor), "a positive number");
  }
  const int channels = n.split_bits ? 2 : 1;
  if (n.model.input_channels != channels || n.model.input_format != golden::Format::int8)
    throw ModelError(mfile, "input", fmt::format("is [{}, {}] {}", n.model.input_length, n.model.input_channels, golden::info(n.model.input_format).name),
                     fmt::format("an int8 input of [samples, {}] ({})", channels, n.split_bits ? "an ADC code split in two channels" : "one ADC channel"));
  if (n.model.outputs.size() != 1) throw ModelError(mfile, "outputs", fmt::format("has {} outputs", n.model.outputs.size()), "one output [1, K]");
  n.output = n.model.outputs[0];
  const auto formats = gn::tensor_formats(n.model);
  if (formats.at(n.output) != golden::Format::int8) throw ModelError(mfile, "outputs[0]", "is not an int8 tensor", "an int8 output");
  n.output_quant = gn::tensor_quants(n.model).at(n.output);
  // The output's shape from one golden run on the input's zero points.
  gn::Tensor zero{n.model.input_length, channels, std::vector<gn::Code>(static_cast<std::size_t>(n.model.input_length * channels),
                                                                 static_cast<gn::Code>(n.model.input_quant.zero_point))};
  const gn::Tensor out = gn::run(n.model, zero).at(n.output);
  if (out.length != 1) throw ModelError(mfile, "outputs[0]", fmt::format("is [{}, {}]", out.length, out.channels), "a vector [1, K] (a dense layer's output)");
  const auto& outputs = member(j, "outputs", file, "the file");
  n.time = scaling(outputs, "time", "offset_ns", "scale_ns", file, out.channels);
  n.energy = scaling(outputs, "energy", "offset", "scale", file, out.channels);
  if (j.contains("training")) n.training = j["training"];
  return n;
}

gn::Tensor network_input(const PulseNetwork& n, std::span<const std::int16_t> codes) {
  if (codes.size() != static_cast<std::size_t>(n.model.input_length))
    throw std::invalid_argument(fmt::format("an event of {} samples for a network of {} inputs", codes.size(), n.model.input_length));
  const int zp = n.model.input_quant.zero_point;
  if (n.split_bits) {
    gn::Tensor t{n.model.input_length, 2, {}};
    for (const std::int16_t c : codes) {
      const int hi = (c >> n.split_bits) + zp, lo = (c & ((1 << n.split_bits) - 1)) + zp;
      if (c < 0 || hi > 127 || lo > 127)
        throw std::invalid_argument(fmt::format("ADC code {} does not fit the split input (zero point {}, {} low bits)", c, zp, n.split_bits));
      t.data.push_back(static_cast<gn::Code>(hi));
      t.data.push_back(static_cast<gn::Code>(lo));
    }
    return t;
  }
  gn::Tensor t{n.model.input_length, 1, {}};
  const float offset = static_cast<float>(n.offset), divisor = static_cast<float>(n.divisor), scale = n.model.input_quant.scale;
  for (const std::int16_t c : codes) {
    const float x = (static_cast<float>(c) - offset) / divisor;
    const float q = std::nearbyint(x / scale) + static_cast<float>(zp);  // ties to even (the default rounding mode)
    t.data.push_back(static_cast<gn::Code>(std::clamp(q, -128.0f, 127.0f)));
  }
  return t;
}

namespace {
double read(const PulseNetwork& n, const OutputScaling& s, const gn::Tensor& out) {
  double sum = 0;
  for (const int c : s.channels) sum += static_cast<double>(n.output_quant.scale) * (out.at(0, c) - n.output_quant.zero_point);
  return s.offset + s.scale * (sum / static_cast<double>(s.channels.size()));
}
}  // namespace

Estimate decode(const PulseNetwork& n, const gn::Tensor& output) { return {read(n, n.time, output), read(n, n.energy, output)}; }

DeviceEngine::DeviceEngine(runtime::Device& dev, const SocConfig& c, const gn::Model& m, std::uint64_t budget)
    : dev_(dev), model_(m), config_name_(c.name), program_(runtime::compile(c, m)), budget_(budget) {
  runtime::load_program(dev_, c, program_);
}

gn::Tensor DeviceEngine::run(const gn::Tensor& input, std::uint64_t& cycles) {
  runtime::write_tensor(dev_, program_.tensors.at(model_.input), input);
  cycles = runtime::run_list(dev_, program_.network_desc, budget_);
  return runtime::read_tensor(dev_, program_.tensors.at(model_.outputs.at(0)));
}

std::string DeviceEngine::describe() const { return fmt::format("the network engine of '{}'", config_name_); }

Baselines tune_baselines(const Dataset& train) {
  const double b = estimate_baseline(train);
  Baselines r;
  r.cfd = tune_cfd(train, CfdGrid{}, b);
  CfdGrid phase;
  phase.phase_bins = 32;
  r.cfd_phase = tune_cfd(train, phase, b);
  r.trapezoid = tune_trapezoid(train, TrapezoidGrid{}, b);
  return r;
}

Evaluation evaluate(Engine& engine, const PulseNetwork& n, const Dataset& test, const Baselines& b, const std::function<void(std::size_t)>& progress) {
  Evaluation ev;
  const auto cfd_err = time_errors_ps(test, b.cfd);
  const auto cfd_phase_err = time_errors_ps(test, b.cfd_phase);
  const auto trap_err = energy_errors(test, b.trapezoid);
  std::vector<double> nn_t, nn_e;
  double cycle_sum = 0;
  for (std::size_t i = 0; i < test.count(); ++i) {
    const gn::Tensor input = network_input(n, test.event(i));
    std::uint64_t cycles = 0;
    const gn::Tensor dev = engine.run(input, cycles);
    const gn::Tensor gold = gn::run(n.model, input).at(n.output);
    if (dev.length != gold.length || dev.channels != gold.channels)
      throw MismatchError(fmt::format("pulse {} of seed {}: {} gave an output of [{}, {}], the golden model [{}, {}]", i, test.params.seed,
                                      engine.describe(), dev.length, dev.channels, gold.length, gold.channels));
    if (const auto mm = runtime::compare(n.output, dev, gold))
      throw MismatchError(fmt::format("pulse {} of seed {} (SNR {} dB): {} differs from the golden model at {}[{}][{}]: engine {}, golden {}", i,
                                      test.params.seed, test.params.snr_db, engine.describe(), mm->tensor, mm->position, mm->channel, mm->device,
                                      mm->golden));
    PulseResult r;
    r.index = i;
    r.t0_ns = test.t0_ns[i];
    r.amplitude = test.amplitude[i];
    r.output = dev.data;
    r.nn = decode(n, dev);
    r.cfd_ns = std::isfinite(cfd_err[i]) ? r.t0_ns + cfd_err[i] / 1000 : kNan;
    r.cfd_phase_ns = std::isfinite(cfd_phase_err[i]) ? r.t0_ns + cfd_phase_err[i] / 1000 : kNan;
    r.trapezoid = std::isfinite(trap_err[i]) ? r.amplitude * (1 + trap_err[i]) : kNan;
    r.cycles = cycles;
    nn_t.push_back((r.nn.time_ns - r.t0_ns) * 1000);
    nn_e.push_back(r.nn.energy / r.amplitude - 1);
    ev.min_cycles = i == 0 ? cycles : std::min(ev.min_cycles, cycles);
    ev.max_cycles = std::max(ev.max_cycles, cycles);
    cycle_sum += static_cast<double>(cycles);
    ev.pulses.push_back(std::move(r));
    if (progress) progress(i + 1);
  }
  ev.mean_cycles = test.count() ? cycle_sum / static_cast<double>(test.count()) : 0;
  ev.nn_time = resolution(nn_t);
  ev.nn_energy = resolution(nn_e);
  ev.cfd_time = resolution(cfd_err);
  ev.cfd_phase_time = resolution(cfd_phase_err);
  ev.trapezoid_energy = resolution(trap_err);
  return ev;
}

}  // namespace strata::pulse
