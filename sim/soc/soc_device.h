// The runtime's Device over the SoC, through a transport to its host port
// (host_port.h) and the control firmware: the engine's memories are written and
// read through their windows, and a run (DESC_BASE, then CTRL.START) is a
// job in the mailbox that the firmware runs; STATUS, CYCLES, LAYERS and
// ERR_DESC come from the firmware's answer, the other registers from the
// engine through the host port.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "golden/rv32_elf.h"
#include "nn/nn_map.h"
#include "runtime/device.h"
#include "soc/soc_map.h"
#include "soc/host_port.h"

namespace strata::sim {

struct Answer {
  soc::Result result = soc::Result::ok;
  std::uint32_t error = 0, tag = 0;
  std::uint32_t words[soc::kMsgWords] = {};
  std::uint64_t host_cycles = 0;  // from the doorbell to the answer
};

class SocDevice : public runtime::Device {
 public:
  // Loads `firmware` into IMEM and DMEM through the host port while the
  // core is held in reset, releases it and pings the firmware. With
  // use_irq the host waits for answers on irq_o, else it polls F2H_DOORBELL.
  // poll_interval: cycles between the polls.
  SocDevice(HostPort& port, const std::string& firmware, const golden::rv32::IssParams& params, bool use_irq = true, int poll_interval = 32)
      : port_(port), use_irq_(use_irq), poll_interval_(poll_interval) {
    const golden::rv32::ElfImage img = golden::rv32::read_elf(firmware, params);
    for (const auto& s : img.segments)
      for (std::size_t i = 0; i < s.bytes.size(); i += 4) {
        std::uint32_t w = 0;
        for (std::size_t b = 0; b < 4 && i + b < s.bytes.size(); ++b) w |= std::uint32_t{s.bytes[i + b]} << (8 * b);
        check(port_.write(s.addr + static_cast<std::uint32_t>(i), w), s.addr + static_cast<std::uint32_t>(i), "firmware load");
      }
    check(port_.write(soc::reg_address("CORE_CTRL"), use_irq_ ? soc::kCoreCtrlHostIrqEn : 0), soc::reg_address("CORE_CTRL"), "core release");
    const Answer a = job(soc::Command::ping, 0, 0, 0x5a5a, 1'000'000);
    if (a.result != soc::Result::ok || a.words[1] != soc::kFirmwareVersion || a.tag != 0x5a5a)
      throw runtime::DeviceError(fmt::format("the firmware answered the ping with result {}, version {}, tag 0x{:x}", static_cast<unsigned>(a.result), a.words[1], a.tag));
  }

  // One job through the mailbox: writes H2F_MSG0..3 (in DMEM), rings the doorbell,
  // waits (at most max_cycles) for the answer and clears its doorbell.
  Answer job(soc::Command cmd, std::uint32_t arg, std::uint32_t budget, std::uint32_t tag, std::uint64_t max_cycles) {
    return job_raw(static_cast<std::uint32_t>(cmd), arg, budget, tag, max_cycles);
  }
  Answer job_raw(std::uint32_t cmd, std::uint32_t arg, std::uint32_t budget, std::uint32_t tag, std::uint64_t max_cycles) {
    put_msg("H2F_MSG0", cmd);
    put_msg("H2F_MSG1", arg);
    put_msg("H2F_MSG2", budget);
    put_msg("H2F_MSG3", tag);
    const std::uint64_t t0 = port_.cycles();
    put("H2F_DOORBELL", 1);
    for (std::uint64_t polls = 0;; ++polls) {
      if (port_.cycles() - t0 > max_cycles) throw runtime::DeviceError(fmt::format("no answer from the firmware within {} cycles", max_cycles));
      if (use_irq_) {
        if (port_.irq()) break;
        port_.run(1);
      } else {
        if (get("F2H_DOORBELL") & 1u) break;
        port_.run(static_cast<std::uint64_t>(poll_interval_));
      }
    }
    Answer a;
    a.host_cycles = port_.cycles() - t0;
    for (int i = 0; i < soc::kMsgWords; ++i) a.words[i] = get_msg(fmt::format("F2H_MSG{}", i));
    a.result = static_cast<soc::Result>(a.words[0] & 0xFFu);
    a.error = (a.words[0] >> soc::kAnswerErrorShift) & 0xFFu;
    a.tag = a.words[0] >> soc::kAnswerTagShift;
    if (!(get("F2H_DOORBELL") & 1u)) throw runtime::DeviceError("irq_o was high without F2H_DOORBELL");
    put("F2H_DOORBELL", 1);
    if (port_.irq()) throw runtime::DeviceError("irq_o stayed high after F2H_DOORBELL was cleared");
    last_ = a;
    return a;
  }

  void write_reg(int index, std::uint32_t value) override {
    if (index == nn::register_index("DESC_BASE")) {
      desc_base_ = value;
    } else if (index == nn::register_index("CTRL") && (value & nn::kCtrlStart)) {
      pending_ = true;
    } else {
      check(port_.write(soc::nn_reg_address(index), value), soc::nn_reg_address(index), "engine register write");
    }
  }
  std::uint32_t read_reg(int index) override {
    if (index == nn::register_index("STATUS")) return nn::kStatusDone | (last_.error << nn::kStatusErrorShift);
    if (index == nn::register_index("CYCLES")) return last_.words[1];
    if (index == nn::register_index("ERR_DESC")) return last_.words[3] & 0xFFFFu;
    if (index == nn::register_index("LAYERS")) return last_.words[3] >> 16;
    const auto r = port_.read(soc::nn_reg_address(index));
    check(r.resp, soc::nn_reg_address(index), "engine register read");
    return r.data;
  }
  void write_mem(std::uint32_t addr, std::uint32_t value) override {
    const std::uint32_t a = soc::host_address_of_nn_word(addr);
    check(port_.write(a, value), a, "engine memory write");
  }
  std::uint32_t read_mem(std::uint32_t addr) override {
    const std::uint32_t a = soc::host_address_of_nn_word(addr);
    const auto r = port_.read(a);
    check(r.resp, a, "engine memory read");
    return r.data;
  }
  // The job of the last CTRL.START, with the budget as the firmware's.
  std::uint64_t wait_done(std::uint64_t budget) override {
    if (!pending_) throw runtime::DeviceError("wait_done without a started run");
    pending_ = false;
    const auto fw_budget = static_cast<std::uint32_t>(std::min<std::uint64_t>(budget, 0x7FFFFFFFu));
    const Answer a = job(soc::Command::run, desc_base_, fw_budget, ++tag_ & 0xFFFFu, budget + 1'000'000);
    if (a.tag != (tag_ & 0xFFFFu)) throw runtime::DeviceError(fmt::format("the answer's tag is {}, the job's {}", a.tag, tag_ & 0xFFFFu));
    if (a.result != soc::Result::ok && a.result != soc::Result::engine_error)
      throw runtime::DeviceError(fmt::format("the firmware answered {} ({})", soc::name(a.result), soc::to_string(a.result)));
    jobs_cycles_ += a.host_cycles;
    return a.host_cycles;
  }

  const Answer& last_answer() const { return last_; }
  std::uint64_t job_cycles() const { return jobs_cycles_; }  // host-side cycles of every run so far
  HostPort& port() { return port_; }

 private:
  static void check(std::uint32_t resp, std::uint32_t addr, const char* what) {
    if (resp != soc::kRespOkay) throw runtime::DeviceError(fmt::format("{}: AXI response {} at 0x{:08x}", what, resp, addr));
  }
  void put(const std::string& reg, std::uint32_t v) { write_word(soc::reg_address(reg), v, reg); }
  std::uint32_t get(const std::string& reg) { return read_word(soc::reg_address(reg), reg); }
  void put_msg(const std::string& word, std::uint32_t v) { write_word(soc::msg_address(word), v, word); }
  std::uint32_t get_msg(const std::string& word) { return read_word(soc::msg_address(word), word); }
  void write_word(std::uint32_t addr, std::uint32_t v, const std::string& what) { check(port_.write(addr, v), addr, what.c_str()); }
  std::uint32_t read_word(std::uint32_t addr, const std::string& what) {
    const auto r = port_.read(addr);
    check(r.resp, addr, what.c_str());
    return r.data;
  }

  HostPort& port_;
  bool use_irq_;
  int poll_interval_;
  bool pending_ = false;
  std::uint32_t desc_base_ = 0, tag_ = 0;
  Answer last_;
  std::uint64_t jobs_cycles_ = 0;
};

}  // namespace strata::sim
