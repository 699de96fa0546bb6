// The host port over the UART bridge (docs/blocks/soc_uart.md): each word
// read or write one frame of soc/soc_uart.h on a byte stream, answered
// with the access's AXI response. The stream is one end of the serial line:
// a bit-level UART on the Verilated SoC's pins (uart_sim.h) or a serial
// device to a board (serial_stream.h). There is no interrupt line over
// serial: SocDevice polls (use_irq false).
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "soc/host_port.h"
#include "soc/soc_uart.h"

namespace strata::sim {

class UartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One end of the serial line, with the SoC's time.
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  virtual void send(const std::vector<std::uint8_t>& bytes) = 0;
  // The next byte from the SoC, or nothing within `cycles` SoC clock cycles.
  virtual std::optional<std::uint8_t> receive(std::uint64_t cycles) = 0;
  virtual void run(std::uint64_t cycles) = 0;
  virtual std::uint64_t cycles() const = 0;
  virtual const char* name() const = 0;
};

// The frames of soc/soc_uart.h.
inline std::vector<std::uint8_t> write_frame(std::uint32_t addr, std::uint32_t data, std::uint32_t strb) {
  std::vector<std::uint8_t> f{static_cast<std::uint8_t>(soc::kCmdWrite | (strb & 0xFu))};
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<std::uint8_t>(addr >> (8 * i)));
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<std::uint8_t>(data >> (8 * i)));
  return f;
}
inline std::vector<std::uint8_t> read_frame(std::uint32_t addr) {
  std::vector<std::uint8_t> f{soc::kCmdRead};
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<std::uint8_t>(addr >> (8 * i)));
  return f;
}

class UartPort final : public HostPort {
 public:
  using HostPort::write;
  // clocks_per_bit: the bridge's bit time, which bounds how long an answer may take.
  UartPort(ByteStream& s, int clocks_per_bit)
      : s_(s), answer_cycles_(static_cast<std::uint64_t>(clocks_per_bit) * (2 * soc::kFrameTimeoutBits + 100)) {}

  std::uint32_t write(std::uint32_t addr, std::uint32_t data, std::uint32_t strb) override {
    s_.send(write_frame(addr, data, strb));
    const std::uint8_t a = next(addr, "write");
    if ((a & 0xFCu) != soc::kAnsWrite) throw UartError(fmt::format("UART write 0x{:08x}: answer byte 0x{:02x} is no write answer", addr, a));
    return a & 3u;
  }
  Read read(std::uint32_t addr) override {
    s_.send(read_frame(addr));
    const std::uint8_t a = next(addr, "read");
    if ((a & 0xFCu) != soc::kAnsRead) throw UartError(fmt::format("UART read 0x{:08x}: answer byte 0x{:02x} is no read answer", addr, a));
    Read r;
    r.resp = a & 3u;
    for (int i = 0; i < 4; ++i) r.data |= std::uint32_t{next(addr, "read")} << (8 * i);
    return r;
  }
  void run(std::uint64_t cycles) override { s_.run(cycles); }
  std::uint64_t cycles() const override { return s_.cycles(); }
  bool irq() override { return false; }  // no interrupt line over serial
  const char* name() const override { return s_.name(); }

 private:
  std::uint8_t next(std::uint32_t addr, const char* what) {
    const auto b = s_.receive(answer_cycles_);
    if (!b) throw UartError(fmt::format("UART {} 0x{:08x}: no answer within {} cycles", what, addr, answer_cycles_));
    return *b;
  }
  ByteStream& s_;
  std::uint64_t answer_cycles_;
};

}  // namespace strata::sim
