// Cycle-level driver of a Verilated GELU unit (gen/blocks/gelu_gen.h) that
// checks every result against the value the golden model (host/golden/gelu.h)
// gives for the program loaded in its bank, as the result leaves the unit.
// Optional ports (type_i, form_i) are driven when the model has them.
#pragma once

#include <fmt/format.h>
#include <verilated.h>
#if VM_TRACE
#include <verilated_fst_c.h>
#endif

#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "blocks/gelu_map.h"
#include "golden/gelu.h"

namespace strata::sim {

// One element of the stream and the result the golden model gives for it.
struct GeluElement {
  int x = 0;            // input code (int8 or int16 range)
  bool int16 = false;   // type_i
  int bank = 0;         // form_i
  int expected = 0;     // golden result code
};

template <class Model>
class GeluHarness {
 public:
  GeluHarness(int latency, std::uint64_t seed, const std::string& trace_path = {})
      : ctx_(std::make_unique<VerilatedContext>()), latency_(latency), rng_(seed) {
    ctx_->randReset(2);  // registers without reset start from seeded random values
    ctx_->randSeed(static_cast<int>(seed & 0x7fffffff));
    top_ = std::make_unique<Model>(ctx_.get());
    if (!trace_path.empty()) {
#if VM_TRACE
      ctx_->traceEverOn(true);
      trace_ = std::make_unique<VerilatedFstC>();
      top_->trace(trace_.get(), 99);
      trace_->open(trace_path.c_str());
#else
      throw std::runtime_error("this co-simulation was built without tracing (STRATA_TRACE=OFF)");
#endif
    }
    top_->in_valid_i = 0;
    top_->out_ready_i = 1;
    top_->prog_we_i = 0;
    reset(2);
  }
  ~GeluHarness() {
#if VM_TRACE
    if (trace_) trace_->close();
#endif
    top_->final();
  }

  // Per-mille chance that out_ready_i is low in a cycle, and that an idle
  // cycle (in_valid_i low, random data) precedes an element. The results
  // in flight come out first, under the old setting.
  void set_backpressure(unsigned ready_low_permille, unsigned idle_permille) {
    drain();
    ready_low_ = ready_low_permille;
    idle_ = idle_permille;
  }

  // Program writes happen with the pipeline empty.
  void write(std::uint32_t addr, std::uint32_t data) {
    drain();
    top_->prog_we_i = 1;
    top_->prog_addr_i = addr;
    top_->prog_wdata_i = data;
    cycle(false);
    top_->prog_we_i = 0;
    top_->prog_addr_i = static_cast<std::uint32_t>(rng_()) & ((1u << gelu_map::kAddrBits) - 1);
    top_->prog_wdata_i = static_cast<std::uint32_t>(rng_()) & ((1u << gelu_map::kDataBits) - 1);
  }
  void load(const std::vector<gelu_map::Write>& writes) {
    for (const auto& [a, d] : writes) write(a, d);
  }

  // Drives one element until the unit accepts it, checking outputs every cycle.
  void send(const GeluElement& e) {
    if (!ok()) return;
    while (idle_ && rng_() % 1000 < idle_) cycle(false);
    current_ = e;
    for (int guard = 0; !cycle(true); ++guard)
      if (guard > 100000) return fail("an element was not accepted within 100000 cycles");
  }

  void drain() {
    for (int guard = 0; !expected_.empty() && ok(); ++guard) {
      if (guard > 100000) return fail(fmt::format("{} result(s) never came out", expected_.size()));
      cycle(false);
    }
    for (int i = 0; i < 3 && ok(); ++i) cycle(false);  // nothing more may come out
  }

  // rst_ni low for `cycles` cycles: the elements in flight are lost, the
  // programs stay.
  void reset(int cycles) {
    top_->rst_ni = 0;
    top_->in_valid_i = 0;
    for (int i = 0; i < cycles; ++i) clock();
    top_->rst_ni = 1;
    expected_.clear();
  }
  // Forgets the results in flight without reset (for a test that resets itself).
  std::size_t in_flight() const { return expected_.size(); }

  bool ok() const { return failure_.empty(); }
  const std::string& failure() const { return failure_; }
  std::uint64_t checked() const { return checked_; }
  std::uint64_t cycles() const { return cycle_; }
  std::uint64_t saturated() const { return saturated_; }

 private:
  struct Expected {
    GeluElement e;
    std::uint64_t accepted;  // cycle of acceptance
    std::uint64_t number;
  };

  void fail(const std::string& what) {
    if (failure_.empty()) failure_ = fmt::format("cycle {}: {}", cycle_, what);
  }

  void dump() {
#if VM_TRACE
    if (trace_) trace_->dump(time_);
#endif
    ++time_;
  }
  void clock() {
    top_->clk_i = 0;
    top_->eval();
    dump();
    top_->clk_i = 1;
    top_->eval();
    dump();
    ++cycle_;
  }

  using XType = std::remove_reference_t<decltype(std::declval<Model&>().x_i)>;
  using YType = std::remove_reference_t<decltype(std::declval<Model&>().y_o)>;
  static constexpr int kXBits = sizeof(XType) == 1 ? 8 : 16;
  int y_value() const {
    if constexpr (sizeof(YType) == 1)
      return static_cast<std::int8_t>(top_->y_o);
    else
      return static_cast<std::int16_t>(top_->y_o);
  }

  // One cycle; `offer`: in_valid_i high with current_. Returns whether it was accepted.
  bool cycle(bool offer) {
    top_->in_valid_i = offer;
    const auto junk = static_cast<std::uint32_t>(rng_());
    int x = offer ? current_.x : static_cast<int>(junk);
    // An int8 element's bits above 7 are don't-care: random.
    if (offer && !current_.int16) x = (x & 0xff) | static_cast<int>(junk & 0xff00);
    top_->x_i = static_cast<XType>(static_cast<unsigned>(x) & ((1u << kXBits) - 1));
    if constexpr (requires { top_->type_i; }) top_->type_i = offer ? current_.int16 : (junk >> 16) & 1;
    if constexpr (requires { top_->form_i; }) top_->form_i = offer ? current_.bank : (junk >> 17) & 1;
    top_->out_ready_i = ready_low_ == 0 || rng_() % 1000 >= ready_low_;
    top_->clk_i = 0;
    top_->eval();
    const bool accepted = offer && top_->in_ready_o;
    if (top_->out_valid_o && top_->out_ready_i) check_output();
    if (offer && !top_->in_ready_o && !top_->out_valid_o) fail("in_ready_o is low with no result waiting");
    dump();
    top_->clk_i = 1;
    top_->eval();
    dump();
    if (accepted) expected_.push_back({current_, cycle_, ++accepted_});
    ++cycle_;
    return accepted;
  }

  void check_output() {
    if (expected_.empty()) return fail("out_valid_o is high but no result is due");
    const Expected e = expected_.front();
    expected_.pop_front();
    ++checked_;
    const int got = y_value();
    const int hi = e.e.int16 ? 32767 : 127;
    saturated_ += e.e.expected == hi || e.e.expected == -hi - 1;
    if (got != e.e.expected)
      fail(fmt::format("element #{} ({} x={} bank {}): RTL y={}, golden y={}", e.number, e.e.int16 ? "int16" : "int8", e.e.x, e.e.bank, got,
                       e.e.expected));
    else if (ready_low_ == 0 && cycle_ - e.accepted != static_cast<std::uint64_t>(latency_))
      fail(fmt::format("element #{} came out {} cycles after it was accepted, latency is {}", e.number, cycle_ - e.accepted, latency_));
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> top_;
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> trace_;
#endif
  int latency_;
  std::mt19937_64 rng_;
  unsigned ready_low_ = 0, idle_ = 0;
  GeluElement current_;
  std::deque<Expected> expected_;
  std::string failure_;
  std::uint64_t cycle_ = 0, time_ = 0, checked_ = 0, accepted_ = 0, saturated_ = 0;
};

}  // namespace strata::sim
