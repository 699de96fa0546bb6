// The Verilated RV32 system (`<name>_rv32`, prefix Vrv32) as the harness
// sees it: program words written through the load port while in reset, one
// clock per step, the RVFI retirement of each cycle, console bytes and the
// exit register.
#pragma once

#include <verilated.h>
#if VM_TRACE
#include <verilated_fst_c.h>
#endif

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "Vrv32.h"
#include "golden/rv32_iss.h"

namespace strata::sim {

using Retirement = golden::rv32::Retirement;

class Rv32Dut {
 public:
  explicit Rv32Dut(const std::string& trace_file = {}) : ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->traceEverOn(!trace_file.empty());
    m_ = std::make_unique<Vrv32>(ctx_.get());
#if VM_TRACE
    if (!trace_file.empty()) {
      trace_ = std::make_unique<VerilatedFstC>();
      m_->trace(trace_.get(), 99);
      trace_->open(trace_file.c_str());
    }
#else
    if (!trace_file.empty()) throw std::runtime_error("this build has no waveform tracing (configure sim/rv32 with -DSTRATA_TRACE=ON)");
#endif
    m_->rst_ni = 0;
    m_->load_we_i = 0;
    m_->irq_ext_i = 0;
    clock();
    clock();
  }
  ~Rv32Dut() {
#if VM_TRACE
    if (trace_) trace_->close();
#endif
    m_->final();
  }
  Rv32Dut(const Rv32Dut&) = delete;
  Rv32Dut& operator=(const Rv32Dut&) = delete;

  // A word of IMEM (address below 0x1000_0000) or DMEM, before start().
  void load_word(std::uint32_t addr, std::uint32_t data) {
    if (started_) throw std::logic_error("load_word after start");
    m_->load_we_i = 1;
    m_->load_addr_i = addr;
    m_->load_wdata_i = data;
    clock();
    m_->load_we_i = 0;
  }
  void start() {
    m_->rst_ni = 1;
    started_ = true;
  }
  void set_irq(bool level) { m_->irq_ext_i = level; }

  // One clock cycle. The outputs of the cycle (before its clock edge) are
  // what step() reports: a retirement, a console byte, an exit.
  struct Cycle {
    bool retired = false;
    Retirement r;
    bool console = false;
    char byte = 0;
    bool exit = false;
    std::uint32_t exit_code = 0;
  };
  Cycle step() {
    Cycle c;
    m_->clk_i = 0;
    m_->eval();
    dump();
    c.retired = m_->rvfi_valid;
    if (c.retired) c.r = record();
    c.console = m_->console_valid_o;
    c.byte = static_cast<char>(m_->console_data_o);
    c.exit = m_->exit_valid_o;
    c.exit_code = m_->exit_code_o;
    m_->clk_i = 1;
    m_->eval();
    dump();
    ++cycles_;
    return c;
  }
  std::uint64_t cycles() const { return cycles_; }

 private:
  Retirement record() const {
    Retirement r;
    r.order = m_->rvfi_order;
    r.insn = m_->rvfi_insn;
    r.pc_rdata = m_->rvfi_pc_rdata;
    r.pc_wdata = m_->rvfi_pc_wdata;
    r.trap = m_->rvfi_trap;
    r.intr = m_->rvfi_intr;
    r.rs1_addr = m_->rvfi_rs1_addr;
    r.rs2_addr = m_->rvfi_rs2_addr;
    r.rs1_rdata = m_->rvfi_rs1_rdata;
    r.rs2_rdata = m_->rvfi_rs2_rdata;
    r.rd_addr = m_->rvfi_rd_addr;
    r.rd_wdata = m_->rvfi_rd_wdata;
    r.mem_addr = m_->rvfi_mem_addr;
    r.mem_rmask = m_->rvfi_mem_rmask;
    r.mem_wmask = m_->rvfi_mem_wmask;
    r.mem_rdata = m_->rvfi_mem_rdata;
    r.mem_wdata = m_->rvfi_mem_wdata;
    r.ext_mip = m_->rvfi_ext_mip;
    return r;
  }
  void clock() {
    m_->clk_i = 0;
    m_->eval();
    dump();
    m_->clk_i = 1;
    m_->eval();
    dump();
  }
  void dump() {
#if VM_TRACE
    if (trace_) trace_->dump(ctx_->time());
#endif
    ctx_->timeInc(1);
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vrv32> m_;
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> trace_;
#endif
  bool started_ = false;
  std::uint64_t cycles_ = 0;
};

}  // namespace strata::sim
