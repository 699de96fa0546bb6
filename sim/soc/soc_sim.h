// The Verilated SoC (`<name>_soc`) with an AXI4-Lite master on its host
// port. Each transaction drives the five channels with valid/ready
// handshakes; with stalls on (a seeded percentage), the master delays its
// AW, W and AR valids and holds BREADY/RREADY low for random cycles (in
// half the transactions until it has seen BVALID/RVALID), and it
// checks that the slave keeps BVALID/BRESP and RVALID/RDATA/RRESP stable
// until they are taken. Console bytes of the core are collected; other
// drivers of the SoC's pins (the UART of uart_sim.h) run after each clock.
#pragma once

#include <verilated.h>
#if VM_TRACE
#include <verilated_fst_c.h>
#endif

#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "Vsoc.h"
#include "soc/host_port.h"

namespace strata::sim {

class AxiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SocSim final : public HostPort {
 public:
  using HostPort::write;

  explicit SocSim(const std::string& trace_file = {}, std::uint64_t seed = 1, int stall_percent = 0)
      : ctx_(std::make_unique<VerilatedContext>()), rng_(seed), stall_(stall_percent) {
    ctx_->traceEverOn(!trace_file.empty());
    m_ = std::make_unique<Vsoc>(ctx_.get());
#if VM_TRACE
    if (!trace_file.empty()) {
      trace_ = std::make_unique<VerilatedFstC>();
      m_->trace(trace_.get(), 99);
      trace_->open(trace_file.c_str());
    }
#else
    if (!trace_file.empty()) throw std::runtime_error("this build has no waveform tracing (configure sim/soc with -DSTRATA_TRACE=ON)");
#endif
    idle();
    reset();
  }
  ~SocSim() override {
#if VM_TRACE
    if (trace_) trace_->close();
#endif
    m_->final();
  }
  SocSim(const SocSim&) = delete;
  SocSim& operator=(const SocSim&) = delete;

  // The whole SoC's reset (rst_ni low for two cycles): the core is then
  // held in reset by CORE_CTRL.
  void reset() {
    m_->rst_ni = 0;
    tick();
    tick();
    m_->rst_ni = 1;
    tick();
  }

  void set_stalls(int percent) { stall_ = percent; }

  std::uint32_t write(std::uint32_t addr, std::uint32_t data, std::uint32_t strb) override {
    const int aw_delay = delay(), w_delay = delay();
    const bool wait_valid = stall_ && coin();  // BREADY only after BVALID
    bool aw_done = false, w_done = false, b_seen = false, b_ever = false;
    std::uint32_t b_resp = 0;
    for (std::uint64_t n = 0;; ++n) {
      if (n > kLimit) throw AxiError(fmt::format("AXI write 0x{:08x}: no response within {} cycles", addr, kLimit));
      m_->s_axi_awvalid_i = !aw_done && n >= static_cast<std::uint64_t>(aw_delay);
      m_->s_axi_awaddr_i = addr;
      m_->s_axi_awprot_i = 0;
      m_->s_axi_wvalid_i = !w_done && n >= static_cast<std::uint64_t>(w_delay);
      m_->s_axi_wdata_i = data;
      m_->s_axi_wstrb_i = strb & 0xF;
      m_->s_axi_bready_i = (!wait_valid || b_ever) && !stall_now();
      m_->eval();
      const bool aw_hs = m_->s_axi_awvalid_i && m_->s_axi_awready_o, w_hs = m_->s_axi_wvalid_i && m_->s_axi_wready_o;
      const bool bvalid = m_->s_axi_bvalid_o;
      if (b_seen && !bvalid) throw AxiError(fmt::format("AXI write 0x{:08x}: BVALID dropped before BREADY", addr));
      if (b_seen && m_->s_axi_bresp_o != b_resp) throw AxiError(fmt::format("AXI write 0x{:08x}: BRESP changed while BVALID waited", addr));
      if (bvalid && !(aw_done || aw_hs)) throw AxiError(fmt::format("AXI write 0x{:08x}: BVALID before the address was taken", addr));
      const bool b_hs = bvalid && m_->s_axi_bready_i;
      b_ever |= bvalid;
      b_resp = m_->s_axi_bresp_o;
      b_seen = bvalid && !b_hs;
      tick();
      aw_done |= aw_hs;
      w_done |= w_hs;
      if (b_hs) break;
    }
    idle();
    return b_resp;
  }

  Read read(std::uint32_t addr) override {
    const int ar_delay = delay();
    const bool wait_valid = stall_ && coin();  // RREADY only after RVALID
    bool ar_done = false, r_seen = false, r_ever = false;
    Read r;
    for (std::uint64_t n = 0;; ++n) {
      if (n > kLimit) throw AxiError(fmt::format("AXI read 0x{:08x}: no response within {} cycles", addr, kLimit));
      m_->s_axi_arvalid_i = !ar_done && n >= static_cast<std::uint64_t>(ar_delay);
      m_->s_axi_araddr_i = addr;
      m_->s_axi_arprot_i = 0;
      m_->s_axi_rready_i = (!wait_valid || r_ever) && !stall_now();
      m_->eval();
      const bool ar_hs = m_->s_axi_arvalid_i && m_->s_axi_arready_o;
      const bool rvalid = m_->s_axi_rvalid_o;
      if (r_seen && !rvalid) throw AxiError(fmt::format("AXI read 0x{:08x}: RVALID dropped before RREADY", addr));
      if (r_seen && (m_->s_axi_rdata_o != r.data || m_->s_axi_rresp_o != r.resp))
        throw AxiError(fmt::format("AXI read 0x{:08x}: RDATA or RRESP changed while RVALID waited", addr));
      if (rvalid && !(ar_done || ar_hs)) throw AxiError(fmt::format("AXI read 0x{:08x}: RVALID before the address was taken", addr));
      const bool r_hs = rvalid && m_->s_axi_rready_i;
      r_ever |= rvalid;
      r.data = m_->s_axi_rdata_o;
      r.resp = m_->s_axi_rresp_o;
      r_seen = rvalid && !r_hs;
      tick();
      ar_done |= ar_hs;
      if (r_hs) break;
    }
    idle();
    return r;
  }

  void tick() {
    m_->clk_i = 0;
    m_->eval();
    dump();
    m_->clk_i = 1;
    m_->eval();
    dump();
    ++cycles_;
    if (m_->console_valid_o) console_ += static_cast<char>(m_->console_data_o);
    if (m_->exit_valid_o) {
      exited_ = true;
      exit_code_ = m_->exit_code_o;
    }
    if (on_tick_) on_tick_();
  }
  // Called after every clock edge: what else drives the SoC's pins (uart_sim.h).
  void on_tick(std::function<void()> f) { on_tick_ = std::move(f); }
  void run(std::uint64_t n) override {
    for (std::uint64_t i = 0; i < n; ++i) tick();
  }

  std::uint64_t cycles() const override { return cycles_; }
  const std::string& console() const { return console_; }
  bool exited() const { return exited_; }
  std::uint32_t exit_code() const { return exit_code_; }
  bool irq() override { return m_->irq_o; }
  const char* name() const override { return "axi4_lite"; }
  Vsoc& model() { return *m_; }

 private:
  static constexpr std::uint64_t kLimit = 100000;
  int delay() { return stall_ ? std::uniform_int_distribution<int>(0, 3)(rng_) : 0; }
  bool coin() { return std::uniform_int_distribution<int>(0, 1)(rng_) == 1; }
  bool stall_now() { return stall_ && std::uniform_int_distribution<int>(0, 99)(rng_) < stall_; }
  void idle() {
    m_->s_axi_awvalid_i = 0;
    m_->s_axi_wvalid_i = 0;
    m_->s_axi_arvalid_i = 0;
    m_->s_axi_bready_i = 0;
    m_->s_axi_rready_i = 0;
  }
  void dump() {
#if VM_TRACE
    if (trace_) trace_->dump(ctx_->time());
#endif
    ctx_->timeInc(1);
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vsoc> m_;
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> trace_;
#endif
  std::mt19937_64 rng_;
  int stall_ = 0;
  std::uint64_t cycles_ = 0;
  std::string console_;
  bool exited_ = false;
  std::uint32_t exit_code_ = 0;
  std::function<void()> on_tick_;
};

}  // namespace strata::sim
