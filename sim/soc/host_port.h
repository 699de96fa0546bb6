// What the host runtime needs of a transport to the SoC's host bus: word
// reads and writes with their AXI responses (OKAY, SLVERR, DECERR), the
// passing of time in SoC clock cycles, and the host interrupt line. Each
// transport (the AXI4-Lite master on the Verilated SoC, the SystemC
// virtual platform, the UART bridge) implements it once, and SocDevice
// runs the firmware's mailbox protocol over any of them.
#pragma once

#include <cstdint>

namespace strata::sim {

class HostPort {
 public:
  struct Read {
    std::uint32_t data = 0, resp = 0;
  };
  virtual ~HostPort() = default;
  // A 32-bit write of the bytes strb selects; returns the response.
  virtual std::uint32_t write(std::uint32_t addr, std::uint32_t data, std::uint32_t strb) = 0;
  std::uint32_t write(std::uint32_t addr, std::uint32_t data) { return write(addr, data, 0xF); }
  virtual Read read(std::uint32_t addr) = 0;
  virtual void run(std::uint64_t cycles) = 0;  // lets the SoC run for this many clock cycles
  virtual std::uint64_t cycles() const = 0;    // SoC clock cycles since the start
  virtual bool irq() = 0;                      // the host interrupt line (irq_o)
  virtual const char* name() const = 0;        // the transport's name in reports
};

}  // namespace strata::sim
