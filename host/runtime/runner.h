// Runs a compiled model on a device and on the golden model, layer by layer
// and then as one descriptor list, and compares every tensor bit for bit.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "golden/nn.h"
#include "runtime/compiler.h"
#include "runtime/device.h"

namespace strata::runtime {

struct Mismatch {
  std::string tensor;
  int position = 0, channel = 0;
  int device = 0, golden = 0;
};

struct LayerReport {
  std::string name, output;
  std::uint64_t cycles = 0, macs_issued = 0, stalls = 0;
  std::uint64_t macs = 0;        // the layer's arithmetic
  double ideal_cycles = 0;       // macs / peak MACs per cycle
  double utilization = 0;        // ideal_cycles / cycles
  std::optional<Mismatch> mismatch;
};

struct RunReport {
  std::vector<LayerReport> layers;
  std::uint64_t network_cycles = 0;  // the whole list in one run
  std::optional<Mismatch> network_mismatch;
  std::map<std::string, golden::nn::Tensor> outputs;  // the device's model outputs, whole-network run
  bool ok() const;
};

void load_program(Device& dev, const SocConfig& c, const Program& p);
void write_tensor(Device& dev, const Placement& p, const golden::nn::Tensor& t);
golden::nn::Tensor read_tensor(Device& dev, const Placement& p);
// Starts the descriptor list at `desc_addr`, waits, and throws DeviceError
// naming the error code when the engine stops with one.
std::uint64_t run_list(Device& dev, std::uint32_t desc_addr, std::uint64_t budget);

RunReport run_model(Device& dev, const SocConfig& c, const golden::nn::Model& m, const Program& p, const golden::nn::Tensor& input,
                    std::uint64_t budget_per_run);

// A random input for model m from `seed`: uniform int8 values, or for a
// posit8 input uniform posit8 codes other than NaR.
golden::nn::Tensor random_input(const golden::nn::Model& m, std::uint64_t seed);

std::optional<Mismatch> compare(const std::string& name, const golden::nn::Tensor& device, const golden::nn::Tensor& golden);
nlohmann::json to_json(const RunReport& r);
std::string to_markdown(const RunReport& r, const std::string& title);

}  // namespace strata::runtime
