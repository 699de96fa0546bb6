// Cycle-level driver of the Verilated AU that checks every output against the
// golden model (host/golden/au.h) as it appears.
#pragma once

#include <verilated.h>
#include <verilated_fst_c.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>

#include "Vau.h"
#include "golden/au.h"

namespace strata::sim {

struct Beat {
  std::uint16_t a = 0, b = 0;
  unsigned fmt = 0;
  bool last = true;
};

class AuHarness {
 public:
  AuHarness(const golden::AuSpec& spec, std::uint64_t seed, const std::string& trace_path = {});
  ~AuHarness();

  // Back-pressure: per-mille chance that out_ready_i is low in a cycle, and
  // that an idle cycle (in_valid_i low, random data) precedes a beat.
  void set_backpressure(unsigned ready_low_permille, unsigned idle_permille) {
    ready_low_ = ready_low_permille;
    idle_ = idle_permille;
  }

  // Drives one beat until the AU accepts it, checking outputs every cycle.
  void send(const Beat& beat);
  // Runs until every expected result has come out (bounded).
  void drain();
  // Holds rst_ni low for `cycles` cycles: partial and pending results are lost.
  void reset(int cycles);

  bool ok() const { return failure_.empty(); }
  const std::string& failure() const { return failure_; }
  std::uint64_t results_checked() const { return checked_; }
  // Compared results whose golden value was saturated.
  std::uint64_t saturated_results() const { return saturated_; }
  std::uint64_t cycles() const { return cycle_; }
  const golden::AuModel& model() const { return model_; }
  // Simulated clock cycles per wall-clock second since construction.
  double cycles_per_second() const {
    return static_cast<double>(cycle_) / std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  struct Expected {
    golden::AuResult result;
    std::uint64_t due_cycle;  // when out_valid_o must rise if never stalled
    std::uint64_t beats;      // beats of this dot product, for messages
  };
  bool cycle(bool in_valid);  // one clock; returns whether a beat was accepted
  void check_output();
  void fail(const std::string& what);

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vau> top_;
  std::unique_ptr<VerilatedFstC> trace_;
  golden::AuModel model_;
  std::mt19937_64 rng_;
  Beat current_;
  std::deque<Expected> expected_;
  std::uint64_t cycle_ = 0, checked_ = 0, saturated_ = 0, beats_in_dot_ = 0, time_ = 0;
  unsigned ready_low_ = 0, idle_ = 0;
  std::string failure_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace strata::sim
