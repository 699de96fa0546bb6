#include "runtime/runner.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <random>

#include "nn/nn_map.h"

namespace strata::runtime {

namespace gn = golden::nn;

bool RunReport::ok() const {
  if (network_mismatch) return false;
  for (const auto& l : layers)
    if (l.mismatch) return false;
  return true;
}

void load_program(Device& dev, const SocConfig& c, const Program& p) {
  for (std::size_t i = 0; i < p.ctrl.size(); ++i) dev.write_mem(nn::region_base(nn::Region::ctrl) + static_cast<std::uint32_t>(i), p.ctrl[i]);
  for (std::size_t a = 0; a < p.weights.size(); ++a)
    for (std::size_t i = 0; i < p.weights[a].size(); ++i)
      dev.write_mem(nn::weight_address(*c.nn, static_cast<int>(a), static_cast<int>(i)), p.weights[a][i]);
}

void write_tensor(Device& dev, const Placement& p, const gn::Tensor& t) {
  const auto words = pack_tensor(t, p.format);
  for (std::size_t i = 0; i < words.size(); ++i)
    dev.write_mem(nn::region_base(nn::Region::act) + static_cast<std::uint32_t>(p.base) + static_cast<std::uint32_t>(i), words[i]);
}

gn::Tensor read_tensor(Device& dev, const Placement& p) {
  std::vector<std::uint16_t> words(static_cast<std::size_t>(p.words()));
  for (std::size_t i = 0; i < words.size(); ++i)
    words[i] = static_cast<std::uint16_t>(dev.read_mem(nn::region_base(nn::Region::act) + static_cast<std::uint32_t>(p.base) + static_cast<std::uint32_t>(i)));
  return unpack_tensor(words, p);
}

std::uint64_t run_list(Device& dev, std::uint32_t desc_addr, std::uint64_t budget) {
  dev.write_reg(nn::register_index("DESC_BASE"), desc_addr);
  dev.write_reg(nn::register_index("CTRL"), nn::kCtrlStart);
  dev.wait_done(budget);
  const std::uint32_t status = dev.read_reg(nn::register_index("STATUS"));
  const auto err = static_cast<nn::Error>((status >> nn::kStatusErrorShift) & 0xff);
  if (err != nn::Error::none)
    throw DeviceError(fmt::format("the engine stopped with error {} ({}) at the descriptor at control address {}", static_cast<unsigned>(err),
                                  nn::to_string(err), dev.read_reg(nn::register_index("ERR_DESC"))));
  return dev.read_reg(nn::register_index("CYCLES"));
}

golden::nn::Tensor random_input(const golden::nn::Model& m, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int half = 1 << (golden::info(m.input_format).lane_bits - 1);
  std::uniform_int_distribution<int> v(golden::info(m.input_format).has_nar ? -half + 1 : -half, half - 1);  // -half is posit NaR (fp4: -0)
  golden::nn::Tensor t;
  t.length = m.input_length;
  t.channels = m.input_channels;
  for (int i = 0; i < t.length * t.channels; ++i) t.data.push_back(static_cast<golden::nn::Code>(v(rng)));
  return t;
}

std::optional<Mismatch> compare(const std::string& name, const gn::Tensor& device, const gn::Tensor& golden) {
  for (int l = 0; l < golden.length; ++l)
    for (int c = 0; c < golden.channels; ++c)
      if (device.at(l, c) != golden.at(l, c)) return Mismatch{name, l, c, device.at(l, c), golden.at(l, c)};
  return std::nullopt;
}

RunReport run_model(Device& dev, const SocConfig& c, const gn::Model& m, const Program& p, const gn::Tensor& input, std::uint64_t budget) {
  const auto golden = gn::run(m, input);
  const double peak = static_cast<double>(nn::kLanes * c.nn->channels());
  RunReport r;
  load_program(dev, c, p);
  // Layer by layer: every tensor is read back and compared right after the
  // layer that writes it.
  write_tensor(dev, p.tensors.at(m.input), input);
  for (const auto& cl : p.layers) {
    LayerReport lr;
    lr.name = cl.name;
    lr.output = cl.output;
    lr.cycles = run_list(dev, cl.desc_addr, budget);
    lr.macs_issued = dev.read_reg(nn::register_index("MACS"));
    lr.stalls = dev.read_reg(nn::register_index("STALLS"));
    lr.macs = cl.macs;
    lr.ideal_cycles = static_cast<double>(cl.macs) / peak;
    lr.utilization = lr.cycles ? lr.ideal_cycles / static_cast<double>(lr.cycles) : 0;
    lr.mismatch = compare(cl.output, read_tensor(dev, p.tensors.at(cl.output)), golden.at(cl.output));
    r.layers.push_back(lr);
  }
  // The whole network as one descriptor list, outputs compared.
  write_tensor(dev, p.tensors.at(m.input), input);
  r.network_cycles = run_list(dev, p.network_desc, budget);
  for (const auto& o : m.outputs) {
    r.outputs[o] = read_tensor(dev, p.tensors.at(o));
    if (!r.network_mismatch) r.network_mismatch = compare(o, r.outputs[o], golden.at(o));
  }
  return r;
}

namespace {
nlohmann::json mismatch_json(const std::optional<Mismatch>& mm) {
  if (!mm) return nullptr;
  return {{"tensor", mm->tensor}, {"position", mm->position}, {"channel", mm->channel}, {"device", mm->device}, {"golden", mm->golden}};
}
std::string mismatch_text(const Mismatch& mm) {
  return fmt::format("{}[{}][{}]: device {} golden {}", mm.tensor, mm.position, mm.channel, mm.device, mm.golden);
}
}  // namespace

nlohmann::json to_json(const RunReport& r) {
  nlohmann::json j;
  j["match"] = r.ok();
  j["network_cycles"] = r.network_cycles;
  j["network_mismatch"] = mismatch_json(r.network_mismatch);
  for (const auto& [name, t] : r.outputs) j["outputs"][name] = {{"shape", {t.length, t.channels}}, {"data", t.data}};
  for (const auto& l : r.layers)
    j["layers"].push_back({{"name", l.name},
                           {"output", l.output},
                           {"cycles", l.cycles},
                           {"macs", l.macs},
                           {"macs_issued", l.macs_issued},
                           {"stalls", l.stalls},
                           {"ideal_cycles", l.ideal_cycles},
                           {"utilization", l.utilization},
                           {"mismatch", mismatch_json(l.mismatch)}});
  return j;
}

std::string to_markdown(const RunReport& r, const std::string& title) {
  std::string s = fmt::format("# {}\n\n| layer | cycles | MACs | ideal cycles | MAC utilization | stalls | result |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |\n", title);
  for (const auto& l : r.layers)
    s += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", l.name, l.cycles, l.macs, l.macs ? fmt::format("{:.1f}", l.ideal_cycles) : "-",
                     l.macs ? fmt::format("{:.1f}%", 100 * l.utilization) : "-", l.stalls,
                     l.mismatch ? "MISMATCH " + mismatch_text(*l.mismatch) : "bit-exact");
  s += fmt::format("\nWhole network, one descriptor list: {} cycles, {}.\n", r.network_cycles,
                   r.network_mismatch ? "MISMATCH " + mismatch_text(*r.network_mismatch) : "outputs bit-exact");
  for (const auto& [name, t] : r.outputs) {
    std::vector<int> v(t.data.begin(), t.data.end());
    if (v.size() <= 64) s += fmt::format("Output {} [{}, {}]: {}\n", name, t.length, t.channels, fmt::join(v, " "));
  }
  return s;
}

}  // namespace strata::runtime
