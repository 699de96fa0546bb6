// The host's end of the serial line on the Verilated SoC of a config with
// a uart section: a bit-level 8N1 UART at the bridge's bit time that
// drives uart_rx_i and samples uart_tx_o in the middle of each bit, clock
// by clock beside the AXI4-Lite master of SocSim.
#pragma once

#include <deque>

#include "soc/soc_sim.h"
#include "soc/uart_port.h"

namespace strata::sim {

class UartSim final : public ByteStream {
 public:
  // Holds the line idle and resets the SoC (the bridge starts from an idle line).
  UartSim(SocSim& sim, int clocks_per_bit) : sim_(sim), cpb_(clocks_per_bit) {
    sim_.model().uart_rx_i = 1;
    sim_.reset();
    sim_.on_tick([this] { step(); });
  }
  ~UartSim() override { sim_.on_tick({}); }
  UartSim(const UartSim&) = delete;
  UartSim& operator=(const UartSim&) = delete;

  void send(const std::vector<std::uint8_t>& bytes) override {
    for (std::uint8_t b : bytes) {
      bits_.push_back(false);
      for (int i = 0; i < 8; ++i) bits_.push_back((b >> i) & 1u);
      bits_.push_back(true);
    }
  }
  std::optional<std::uint8_t> receive(std::uint64_t cycles) override {
    for (std::uint64_t n = 0; rx_.empty() && n < cycles; ++n) sim_.tick();
    if (rx_.empty()) return std::nullopt;
    const std::uint8_t b = rx_.front();
    rx_.pop_front();
    return b;
  }
  void run(std::uint64_t cycles) override { sim_.run(cycles); }
  std::uint64_t cycles() const override { return sim_.cycles(); }
  const char* name() const override { return "uart"; }
  bool line_idle() const { return bits_.empty() && hold_ == 0 && !rx_busy_; }
  std::size_t pending() const { return rx_.size(); }

 private:
  // After each clock edge: the next level on uart_rx_i, the level of uart_tx_o.
  void step() {
    Vsoc& m = sim_.model();
    if (hold_ == 0 && !bits_.empty()) {
      level_ = bits_.front();
      bits_.pop_front();
      hold_ = cpb_;
    } else if (hold_ == 0) {
      level_ = true;
    }
    m.uart_rx_i = level_;
    if (hold_ > 0) --hold_;

    const bool tx = m.uart_tx_o;
    if (!rx_busy_) {
      if (!tx) {  // a start bit's edge: its middle is half a bit time on
        rx_busy_ = true;
        rx_count_ = cpb_ / 2;
        rx_bit_ = 0;
        rx_byte_ = 0;
      }
    } else if (--rx_count_ == 0) {
      rx_count_ = cpb_;
      if (rx_bit_ == 0 && tx) throw UartError(fmt::format("uart_tx_o: a start bit shorter than half a bit at cycle {}", sim_.cycles()));
      if (rx_bit_ >= 1 && rx_bit_ <= 8) rx_byte_ |= static_cast<std::uint8_t>(tx << (rx_bit_ - 1));
      if (rx_bit_ == 9) {
        if (!tx) throw UartError(fmt::format("uart_tx_o: no stop bit after byte 0x{:02x} at cycle {}", rx_byte_, sim_.cycles()));
        rx_.push_back(rx_byte_);
        rx_busy_ = false;
      }
      ++rx_bit_;
    }
  }

  SocSim& sim_;
  int cpb_;
  std::deque<bool> bits_;  // to send, one per bit time
  bool level_ = true;
  int hold_ = 0;           // clocks the current level still holds
  bool rx_busy_ = false;
  int rx_count_ = 0, rx_bit_ = 0;
  std::uint8_t rx_byte_ = 0;
  std::deque<std::uint8_t> rx_;
};

}  // namespace strata::sim
