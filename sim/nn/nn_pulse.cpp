// nn_pulse: the pulse evaluation behind `strata pulse` (docs/train.md) on
// the Verilated network engine of this build's config, every output
// compared bit for bit with the golden model (sim/pulse_eval.h). The SoC
// through its firmware is sim/soc/soc_pulse.cpp.
#include <memory>

#include "nn/verilator_device.h"
#include "nn_dut.h"
#include "pulse_eval.h"

namespace {

namespace sp = strata::pulse;

// The one place the backend is chosen: the Verilated network engine behind
// the runtime's Device.
class EngineBackend : public strata::sim::PulseBackend {
 public:
  EngineBackend(const strata::SocConfig& c, const strata::golden::nn::Model& m, std::uint64_t budget) : engine_(device_, c, m, budget) {}
  sp::Engine& engine() override { return engine_; }

 private:
  strata::sim::VerilatorDevice<Vnn> device_;
  sp::DeviceEngine engine_;
};

}  // namespace

int main(int argc, char** argv) {
  return strata::sim::pulse_main(argc, argv, "nn_pulse", "Evaluate a trained pulse network on the Verilated network engine (bit-exact against the golden model)",
                                 STRATA_NN_CONFIG, [](const strata::SocConfig& c, const strata::golden::nn::Model& m, std::uint64_t budget) {
                                   return std::make_unique<EngineBackend>(c, m, budget);
                                 });
}
