// The driver's view of a network engine: its register port and its host
// memory port (docs/blocks/nn.md). Backends: the Verilated RTL
// (sim/nn/verilator_device.h); later the SoC's bus and a real board.
#pragma once

#include <cstdint>
#include <stdexcept>

namespace strata::runtime {

class DeviceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Device {
 public:
  virtual ~Device() = default;
  virtual void write_reg(int index, std::uint32_t value) = 0;
  virtual std::uint32_t read_reg(int index) = 0;
  // Word addresses of the host memory map (nn/nn_map.h: region in [31:28]).
  virtual void write_mem(std::uint32_t addr, std::uint32_t value) = 0;
  virtual std::uint32_t read_mem(std::uint32_t addr) = 0;
  // Runs until STATUS.DONE; throws DeviceError after `budget` cycles.
  // Returns the cycles waited.
  virtual std::uint64_t wait_done(std::uint64_t budget) = 0;
};

}  // namespace strata::runtime
