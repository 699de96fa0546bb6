// SocTlm: the SoC of this build's config (Verilator's SystemC model of
// `<name>_soc`) as a SystemC module whose AXI4-Lite host port is a TLM-2.0
// target socket. Each b_transport is one 32-bit access carried out on the
// model's s_axi_* pins with valid/ready handshakes, clocked by clk_i, so it
// takes the SoC's real cycles; the AXI response becomes the TLM response
// (OKAY: TLM_OK_RESPONSE, SLVERR: TLM_GENERIC_ERROR_RESPONSE, DECERR:
// TLM_ADDRESS_ERROR_RESPONSE). The SoC's other pins are the module's ports.
// docs/systemc.md tells how to place it in a platform.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>

#include "Vsoc.h"

namespace strata::sim {

class SocTlm : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk_i;    // the SoC clock (an sc_clock); every pin changes only after its rising edge
  sc_core::sc_in<bool> rst_ni;   // synchronous, active low: the whole SoC (the core then stays in reset until the host releases it)
  sc_core::sc_out<bool> irq_o;   // to the host: F2H_DOORBELL with CORE_CTRL.HOST_IRQ_EN
  sc_core::sc_out<bool> console_valid_o;  // the core wrote console_data_o to its console
  sc_core::sc_out<std::uint32_t> console_data_o;
  sc_core::sc_out<bool> exit_valid_o;  // the core wrote exit_code_o to its exit register
  sc_core::sc_out<std::uint32_t> exit_code_o;
  tlm_utils::simple_target_socket<SocTlm, 32> host;  // the host port: 32-bit word accesses with byte enables

  SC_HAS_PROCESS(SocTlm);
  explicit SocTlm(const sc_core::sc_module_name& name) : sc_core::sc_module(name), host("host"), soc_("soc") {
    soc_.clk_i(clk_i);
    soc_.rst_ni(rst_ni);
    soc_.irq_o(irq_o);
    soc_.console_valid_o(console_valid_o);
    soc_.console_data_o(console_data_o);
    soc_.exit_valid_o(exit_valid_o);
    soc_.exit_code_o(exit_code_o);
    soc_.s_axi_awvalid_i(awvalid_);
    soc_.s_axi_awready_o(awready_);
    soc_.s_axi_awaddr_i(awaddr_);
    soc_.s_axi_awprot_i(awprot_);
    soc_.s_axi_wvalid_i(wvalid_);
    soc_.s_axi_wready_o(wready_);
    soc_.s_axi_wdata_i(wdata_);
    soc_.s_axi_wstrb_i(wstrb_);
    soc_.s_axi_bvalid_o(bvalid_);
    soc_.s_axi_bready_i(bready_);
    soc_.s_axi_bresp_o(bresp_);
    soc_.s_axi_arvalid_i(arvalid_);
    soc_.s_axi_arready_o(arready_);
    soc_.s_axi_araddr_i(araddr_);
    soc_.s_axi_arprot_i(arprot_);
    soc_.s_axi_rvalid_o(rvalid_);
    soc_.s_axi_rready_i(rready_);
    soc_.s_axi_rdata_o(rdata_);
    soc_.s_axi_rresp_o(rresp_);
    host.register_b_transport(this, &SocTlm::b_transport);
  }

  // The TLM response of an AXI response.
  static tlm::tlm_response_status tlm_response(std::uint32_t axi_resp) {
    switch (axi_resp) {
      case 0: return tlm::TLM_OK_RESPONSE;
      case 2: return tlm::TLM_GENERIC_ERROR_RESPONSE;
      case 3: return tlm::TLM_ADDRESS_ERROR_RESPONSE;
      default: return tlm::TLM_GENERIC_ERROR_RESPONSE;  // EXOKAY: no AXI4-Lite slave answers it
    }
  }

 private:
  // A write or read of one aligned 32-bit word: byte i of the payload's
  // data is the byte at address + i (the bus is little-endian); disabled
  // bytes are not written (WSTRB) and, on a read, left as they are in the
  // payload. Accesses the port cannot carry (another length or streaming
  // width, an unaligned address) are answered without touching the pins.
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    if (delay != sc_core::SC_ZERO_TIME) sc_core::wait(delay);  // the initiator's annotated time passes first (no delta wait without one)
    delay = sc_core::SC_ZERO_TIME;
    if (p.get_command() == tlm::TLM_IGNORE_COMMAND) {
      p.set_response_status(tlm::TLM_OK_RESPONSE);
      return;
    }
    if (p.get_data_length() != 4 || p.get_streaming_width() < 4) {
      p.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
      return;
    }
    const auto addr = static_cast<std::uint32_t>(p.get_address());
    if (p.get_address() > 0xFFFFFFFCu || (addr & 3u) != 0) {
      p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    const unsigned char* be = p.get_byte_enable_length() ? p.get_byte_enable_ptr() : nullptr;
    std::uint32_t strb = 0;
    for (unsigned b = 0; b < 4; ++b)
      if (!be || be[b % p.get_byte_enable_length()] == TLM_BYTE_ENABLED) strb |= 1u << b;
    unsigned char* data = p.get_data_ptr();
    std::uint32_t resp = 0;
    if (p.is_write()) {
      std::uint32_t word = 0;
      for (unsigned b = 0; b < 4; ++b) word |= std::uint32_t{data[b]} << (8 * b);
      resp = axi_write(addr, word, strb);
    } else {
      std::uint32_t word = 0;
      resp = axi_read(addr, word);
      for (unsigned b = 0; b < 4; ++b)
        if (strb >> b & 1u) data[b] = static_cast<unsigned char>(word >> (8 * b));
    }
    p.set_dmi_allowed(false);
    p.set_response_status(tlm_response(resp));
  }

  // Waits, unless clk_i is high (a rising edge has been taken and the next
  // is a period away), for the next rising edge: pins driven then are taken
  // by the model at the edge after it. While clk_i is low the next edge may
  // be due in this very time step.
  void align() {
    if (!clk_i.read()) sc_core::wait(clk_i.posedge_event());
  }
  // One clock edge: returns after it, with the pins as they were before it
  // (what the model saw at the edge) still readable until the next delta.
  void edge() { sc_core::wait(clk_i.posedge_event()); }

  std::uint32_t axi_write(std::uint32_t addr, std::uint32_t data, std::uint32_t strb) {
    align();
    awaddr_.write(addr);
    awprot_.write(0);
    wdata_.write(data);
    wstrb_.write(strb);
    awvalid_.write(true);
    wvalid_.write(true);
    bready_.write(true);
    bool aw = true, w = true;
    for (std::uint64_t n = 0;; ++n) {
      if (n > kLimit) SC_REPORT_FATAL("strata/SocTlm", "AXI write: no response within the cycle limit");
      edge();
      // After the edge the signals still hold what the model saw at it.
      const bool aw_hs = aw && awready_.read(), w_hs = w && wready_.read(), b_hs = bvalid_.read();
      const std::uint32_t resp = bresp_.read();
      aw &= !aw_hs;
      w &= !w_hs;
      awvalid_.write(aw);
      wvalid_.write(w);
      if (b_hs) {
        bready_.write(false);
        return resp;
      }
    }
  }

  std::uint32_t axi_read(std::uint32_t addr, std::uint32_t& data) {
    align();
    araddr_.write(addr);
    arprot_.write(0);
    arvalid_.write(true);
    rready_.write(true);
    bool ar = true;
    for (std::uint64_t n = 0;; ++n) {
      if (n > kLimit) SC_REPORT_FATAL("strata/SocTlm", "AXI read: no response within the cycle limit");
      edge();
      const bool ar_hs = ar && arready_.read(), r_hs = rvalid_.read();
      ar &= !ar_hs;
      arvalid_.write(ar);
      if (r_hs) {
        data = rdata_.read();
        rready_.write(false);
        return rresp_.read();
      }
    }
  }

  static constexpr std::uint64_t kLimit = 100000;

  Vsoc soc_;
  sc_core::sc_signal<bool> awvalid_{"awvalid"}, awready_{"awready"}, wvalid_{"wvalid"}, wready_{"wready"}, bvalid_{"bvalid"}, bready_{"bready"};
  sc_core::sc_signal<bool> arvalid_{"arvalid"}, arready_{"arready"}, rvalid_{"rvalid"}, rready_{"rready"};
  sc_core::sc_signal<std::uint32_t> awaddr_{"awaddr"}, awprot_{"awprot"}, wdata_{"wdata"}, wstrb_{"wstrb"}, bresp_{"bresp"};
  sc_core::sc_signal<std::uint32_t> araddr_{"araddr"}, arprot_{"arprot"}, rdata_{"rdata"}, rresp_{"rresp"};
};

}  // namespace strata::sim
