// The host of the example platform: a TLM-2.0 initiator (HostInitiator)
// whose blocking transactions go to the SoC's target socket, and the
// runtime's HostPort over it (TlmHostPort), so that SocDevice runs the
// firmware's mailbox protocol through SystemC unchanged. Both are used
// from an SC_THREAD (a transaction waits for the SoC's clock).
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <fmt/format.h>

#include <cstdint>
#include <stdexcept>

#include "soc/host_port.h"

namespace strata::sim {

class HostInitiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<HostInitiator, 32> socket;
  sc_core::sc_in<bool> clk_i;  // the SoC's clock, to count and wait for its cycles
  sc_core::sc_in<bool> irq_i;  // the SoC's irq_o

  HostInitiator(const sc_core::sc_module_name& name, const sc_core::sc_time& period) : sc_core::sc_module(name), socket("socket"), period_(period) {}

  // One 32-bit access of the bytes `strb` enables (bit i: the byte at
  // address + i), as a blocking transport; returns the TLM response.
  tlm::tlm_response_status transport(tlm::tlm_command cmd, std::uint32_t addr, std::uint32_t& word, std::uint32_t strb = 0xF) {
    unsigned char data[4], enables[4];
    for (unsigned b = 0; b < 4; ++b) {
      data[b] = static_cast<unsigned char>(word >> (8 * b));
      enables[b] = (strb >> b & 1u) ? TLM_BYTE_ENABLED : TLM_BYTE_DISABLED;
    }
    tlm::tlm_generic_payload p;
    p.set_command(cmd);
    p.set_address(addr);
    p.set_data_ptr(data);
    p.set_data_length(4);
    p.set_streaming_width(4);
    p.set_byte_enable_ptr(enables);
    p.set_byte_enable_length(4);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(p, delay);
    if (delay != sc_core::SC_ZERO_TIME) sc_core::wait(delay);
    word = 0;
    for (unsigned b = 0; b < 4; ++b) word |= std::uint32_t{data[b]} << (8 * b);
    return p.get_response_status();
  }

  // Lets n rising edges of the clock pass, returning just after the last.
  void run(std::uint64_t n) {
    if (n == 0) return;
    const sc_core::sc_time before_edge = period_ * static_cast<double>(cycles() + n) - period_ / 2;
    if (sc_core::sc_time_stamp() < before_edge) sc_core::wait(before_edge - sc_core::sc_time_stamp());
    sc_core::wait(clk_i.posedge_event());
  }
  // Rising edges since the start (the first is at time 0).
  std::uint64_t cycles() const { return static_cast<std::uint64_t>(sc_core::sc_time_stamp() / period_); }
  const sc_core::sc_time& period() const { return period_; }

 private:
  sc_core::sc_time period_;
};

// The AXI response that a TLM response stands for (SocTlm's mapping).
inline std::uint32_t axi_response(tlm::tlm_response_status s, std::uint32_t addr) {
  switch (s) {
    case tlm::TLM_OK_RESPONSE: return 0;
    case tlm::TLM_GENERIC_ERROR_RESPONSE: return 2;
    case tlm::TLM_ADDRESS_ERROR_RESPONSE: return 3;
    default: throw std::runtime_error(fmt::format("TLM access 0x{:08x}: unexpected response {}", addr, static_cast<int>(s)));
  }
}

class TlmHostPort final : public HostPort {
 public:
  using HostPort::write;
  explicit TlmHostPort(HostInitiator& host) : host_(host) {}

  std::uint32_t write(std::uint32_t addr, std::uint32_t data, std::uint32_t strb) override {
    return axi_response(host_.transport(tlm::TLM_WRITE_COMMAND, addr, data, strb), addr);
  }
  Read read(std::uint32_t addr) override {
    Read r;
    r.resp = axi_response(host_.transport(tlm::TLM_READ_COMMAND, addr, r.data), addr);
    return r;
  }
  void run(std::uint64_t n) override { host_.run(n); }
  std::uint64_t cycles() const override { return host_.cycles(); }
  // irq_o after the last edge: one delta later, the model's outputs of that edge are visible.
  bool irq() override {
    sc_core::wait(sc_core::SC_ZERO_TIME);
    return host_.irq_i.read();
  }
  const char* name() const override { return "systemc_tlm"; }

 private:
  HostInitiator& host_;
};

}  // namespace strata::sim
