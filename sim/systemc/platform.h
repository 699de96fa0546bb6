// The example virtual platform: an sc_clock, the SoC (SocTlm) and a host
// (HostInitiator) bound to its target socket and its interrupt. The host's
// thread resets the SoC (rst_ni low for two cycles, as sim/soc's SocSim
// does) and then runs `body` with the HostPort over TLM; the simulation
// stops when the body returns, and run() rethrows what it threw. The
// console bytes of the core are collected.
#pragma once

#include <systemc>

#include <cstdint>
#include <exception>
#include <functional>
#include <string>

#include "systemc/soc_tlm.h"
#include "systemc/tlm_host_port.h"

namespace strata::sim {

class Platform : public sc_core::sc_module {
 public:
  using Body = std::function<void(TlmHostPort&)>;

  SC_HAS_PROCESS(Platform);
  Platform(const sc_core::sc_module_name& name, Body body, const sc_core::sc_time& period = sc_core::sc_time(10, sc_core::SC_NS))
      : sc_core::sc_module(name), clk("clk", period), soc("soc"), host("host", period), port(host), body_(std::move(body)) {
    // The end of the simulation is the body's; SystemC need not announce it.
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    soc.clk_i(clk);
    soc.rst_ni(rst_n);
    soc.irq_o(irq);
    soc.console_valid_o(console_valid);
    soc.console_data_o(console_data);
    soc.exit_valid_o(exit_valid);
    soc.exit_code_o(exit_code);
    host.socket.bind(soc.host);
    host.clk_i(clk);
    host.irq_i(irq);
    SC_THREAD(host_thread);
    SC_METHOD(collect_console);
    sensitive << clk.posedge_event();
    dont_initialize();
  }

  // Runs the simulation until the body has returned.
  void run() {
    sc_core::sc_start();
    if (error_) std::rethrow_exception(error_);
  }

  // The whole SoC's reset, from the host's thread.
  void reset() {
    rst_n.write(false);
    host.run(2);
    rst_n.write(true);
    host.run(1);
  }

  const std::string& console() const { return console_; }

  sc_core::sc_clock clk;
  sc_core::sc_signal<bool> rst_n{"rst_n", false}, irq{"irq"}, console_valid{"console_valid"}, exit_valid{"exit_valid"};
  sc_core::sc_signal<std::uint32_t> console_data{"console_data"}, exit_code{"exit_code"};
  SocTlm soc;
  HostInitiator host;
  TlmHostPort port;

 private:
  void host_thread() {
    try {
      reset();
      body_(port);
    } catch (...) {
      error_ = std::current_exception();
    }
    sc_core::sc_stop();
  }
  // At each rising edge the signal still holds the cycle before it.
  void collect_console() {
    if (console_valid.read()) console_ += static_cast<char>(console_data.read() & 0xFFu);
  }

  Body body_;
  std::exception_ptr error_;
  std::string console_;
};

}  // namespace strata::sim
