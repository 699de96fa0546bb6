// soc_pulse: the pulse evaluation behind `strata pulse` on a SoC config
// (nn and rv32 sections): the control firmware loaded through the AXI4-Lite
// host port, the network's program written into the engine's memories
// through it, and each pulse a mailbox job the firmware runs on the engine;
// every output compared bit for bit with the golden model (sim/pulse_eval.h).
// Beside the engine's cycles it reports, per pulse, the cycles from the
// doorbell to the firmware's answer and the firmware's overhead (their
// difference).
#include <algorithm>
#include <memory>
#include <numeric>
#include <vector>

#include "pulse_eval.h"
#include "rv32_params.h"
#include "soc/soc_device.h"
#include "soc/soc_sim.h"
#include "soc_config.h"

namespace {

namespace sp = strata::pulse;

// DeviceEngine over the SoC's Device; records each run's firmware answer.
class FirmwareEngine : public sp::Engine {
 public:
  FirmwareEngine(strata::sim::SocDevice& dev, const strata::SocConfig& c, const strata::golden::nn::Model& m, std::uint64_t budget)
      : dev_(dev), inner_(dev, c, m, budget), config_name_(c.name) {}
  strata::golden::nn::Tensor run(const strata::golden::nn::Tensor& input, std::uint64_t& cycles) override {
    strata::golden::nn::Tensor out = inner_.run(input, cycles);
    const strata::sim::Answer& a = dev_.last_answer();
    if (a.words[1] != cycles) throw strata::runtime::DeviceError(fmt::format("the firmware answered {} engine cycles, CYCLES reads {}", a.words[1], cycles));
    host_cycles_.push_back(a.host_cycles);
    core_cycles_.push_back(a.words[2]);
    return out;
  }
  std::string describe() const override {
    return fmt::format("the SoC '{}' through its control firmware (RV32 core, mailbox jobs over the AXI4-Lite host port)", config_name_);
  }
  const std::vector<std::uint64_t>& host_cycles() const { return host_cycles_; }
  const std::vector<std::uint64_t>& core_cycles() const { return core_cycles_; }

 private:
  strata::sim::SocDevice& dev_;
  sp::DeviceEngine inner_;
  std::string config_name_;
  std::vector<std::uint64_t> host_cycles_, core_cycles_;
};

class SocBackend : public strata::sim::PulseBackend {
 public:
  SocBackend(const strata::SocConfig& c, const strata::golden::nn::Model& m, std::uint64_t budget)
      : device_(sim_, STRATA_SOC_FIRMWARE, strata::rv32_iss_params(*c.rv32)), boot_cycles_(sim_.cycles()), engine_(device_, c, m, budget) {}
  sp::Engine& engine() override { return engine_; }

  std::string report_text(const sp::Evaluation& ev) const override {
    const auto& h = engine_.host_cycles();
    const double host_mean = h.empty() ? 0 : static_cast<double>(std::accumulate(h.begin(), h.end(), std::uint64_t{0})) / static_cast<double>(h.size());
    return fmt::format("through the firmware: {:.0f} cycles per pulse from the doorbell to the answer (min {}, max {}), {:.0f} of them the firmware's "
                       "overhead over the engine's run; boot (firmware load over AXI4-Lite, ping) {} cycles\n",
                       host_mean, h.empty() ? 0 : *std::min_element(h.begin(), h.end()), h.empty() ? 0 : *std::max_element(h.begin(), h.end()),
                       host_mean - ev.mean_cycles, boot_cycles_);
  }
  void report_json(const sp::Evaluation& ev, nlohmann::json& j) const override {
    j["transport"] = "soc_axi4_lite";
    const auto& h = engine_.host_cycles();
    const double host_mean = h.empty() ? 0 : static_cast<double>(std::accumulate(h.begin(), h.end(), std::uint64_t{0})) / static_cast<double>(h.size());
    j["firmware"] = {{"boot_cycles", boot_cycles_}, {"host_cycles_mean", host_mean}, {"overhead_cycles_mean", host_mean - ev.mean_cycles}};
    auto& per = j["per_pulse"];
    for (std::size_t i = 0; i < per.size() && i < h.size(); ++i) {
      per[i]["host_cycles"] = h[i];
      per[i]["core_cycles"] = engine_.core_cycles()[i];
    }
  }

 private:
  strata::sim::SocSim sim_;
  strata::sim::SocDevice device_;
  std::uint64_t boot_cycles_;
  FirmwareEngine engine_;
};

}  // namespace

int main(int argc, char** argv) {
  return strata::sim::pulse_main(argc, argv, "soc_pulse",
                                 "Evaluate a trained pulse network through the control firmware on the Verilated SoC (bit-exact against the golden model)",
                                 STRATA_SOC_CONFIG, [](const strata::SocConfig& c, const strata::golden::nn::Model& m, std::uint64_t budget) {
                                   return std::make_unique<SocBackend>(c, m, budget);
                                 });
}
