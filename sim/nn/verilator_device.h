// The Device backend over a Verilated network engine (`<name>_nn`): drives
// its register and host memory ports one access per clock.
#pragma once

#include <verilated.h>
#if VM_TRACE
#include <verilated_fst_c.h>
#endif

#include <fmt/format.h>

#include <memory>
#include <string>

#include "nn/nn_map.h"
#include "runtime/device.h"

namespace strata::sim {

template <class Model>
class VerilatorDevice : public runtime::Device {
 public:
  explicit VerilatorDevice(const std::string& trace_file = {}) : ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->traceEverOn(!trace_file.empty());
    m_ = std::make_unique<Model>(ctx_.get());
#if VM_TRACE
    if (!trace_file.empty()) {
      trace_ = std::make_unique<VerilatedFstC>();
      m_->trace(trace_.get(), 99);
      trace_->open(trace_file.c_str());
    }
#else
    if (!trace_file.empty()) throw runtime::DeviceError("this build has no waveform tracing (configure sim/nn with -DSTRATA_TRACE=ON)");
#endif
    idle_inputs();
    m_->rst_ni = 0;
    tick();
    tick();
    m_->rst_ni = 1;
    tick();
  }
  ~VerilatorDevice() override {
#if VM_TRACE
    if (trace_) trace_->close();
#endif
    m_->final();
  }

  void write_reg(int index, std::uint32_t value) override {
    m_->reg_valid_i = 1;
    m_->reg_we_i = 1;
    m_->reg_addr_i = static_cast<std::uint8_t>(index);
    m_->reg_wdata_i = value;
    tick();
    idle_inputs();
  }
  std::uint32_t read_reg(int index) override {
    m_->reg_valid_i = 1;
    m_->reg_we_i = 0;
    m_->reg_addr_i = static_cast<std::uint8_t>(index);
    tick();
    idle_inputs();
    m_->eval();
    return m_->reg_rdata_o;
  }
  void write_mem(std::uint32_t addr, std::uint32_t value) override {
    m_->mem_valid_i = 1;
    m_->mem_we_i = 1;
    m_->mem_addr_i = addr;
    m_->mem_wdata_i = value;
    tick();
    idle_inputs();
  }
  std::uint32_t read_mem(std::uint32_t addr) override {
    m_->mem_valid_i = 1;
    m_->mem_we_i = 0;
    m_->mem_addr_i = addr;
    tick();
    idle_inputs();
    m_->eval();
    return m_->mem_rdata_o;
  }
  std::uint64_t wait_done(std::uint64_t budget) override {
    for (std::uint64_t n = 0; n < budget; ++n) {
      if (n % 64 == 0) {
        const std::uint32_t status = read_reg(nn::register_index("STATUS"));
        if ((status & nn::kStatusDone) && !(status & nn::kStatusBusy)) return n;
      }
      tick();
    }
    throw runtime::DeviceError(fmt::format("the engine did not finish within {} cycles", budget));
  }
  std::uint64_t cycles() const { return cycles_; }
  Model& model() { return *m_; }

 private:
  void idle_inputs() {
    m_->reg_valid_i = 0;
    m_->reg_we_i = 0;
    m_->mem_valid_i = 0;
    m_->mem_we_i = 0;
  }
  void tick() {
    m_->clk_i = 0;
    m_->eval();
    dump();
    m_->clk_i = 1;
    m_->eval();
    dump();
    ++cycles_;
  }
  void dump() {
#if VM_TRACE
    if (trace_) trace_->dump(ctx_->time());
#endif
    ctx_->timeInc(1);
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> m_;
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> trace_;
#endif
  std::uint64_t cycles_ = 0;
};

}  // namespace strata::sim
