// Cycle-level driver of a Verilated AU that checks every output against the
// golden model (host/golden/au.h) as it appears. AuDriver is the interface the
// tests use; AuHarness<Model> implements it for one Verilated model class, so
// one test binary can hold the AUs of several configs.
#pragma once

#include <fmt/format.h>
#include <verilated.h>
#if VM_TRACE
#include <verilated_fst_c.h>
#endif

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "golden/au.h"

namespace strata::sim {

struct Beat {
  std::uint16_t a = 0, b = 0;
  unsigned fmt = 0;
  bool last = true;
  int out_fmt = -1;  // read-out format, with the last beat; -1: the beat's own
  unsigned read_format() const { return out_fmt < 0 ? fmt : static_cast<unsigned>(out_fmt); }
};

// A Verilated signal of up to 64 bits (CData..QData) or wider (VlWide) as
// the signed integer its low `width` bits hold.
inline mpz_class signed_value(mpz_class r, int width) {
  r &= (mpz_class(1) << width) - 1;
  if (mpz_tstbit(r.get_mpz_t(), static_cast<mp_bitcnt_t>(width - 1))) r -= mpz_class(1) << width;
  return r;
}
inline mpz_class signed_value(std::uint64_t v, int width) { return signed_value(mpz_class(static_cast<unsigned long>(v)), width); }
template <std::size_t Words>
mpz_class signed_value(const VlWide<Words>& v, int width) {
  mpz_class r;
  for (std::size_t i = Words; i-- > 0;) {
    r <<= 32;
    r += static_cast<unsigned long>(v[i]);
  }
  return signed_value(r, width);
}

class AuDriver {
 public:
  virtual ~AuDriver() = default;
  // Back-pressure: per-mille chance that out_ready_i is low in a cycle, and
  // that an idle cycle (in_valid_i low, random data) precedes a beat.
  virtual void set_backpressure(unsigned ready_low_permille, unsigned idle_permille) = 0;
  // Drives one beat until the AU accepts it, checking outputs every cycle.
  virtual void send(const Beat& beat) = 0;
  // Runs until every expected result has come out (bounded).
  virtual void drain() = 0;
  // Holds rst_ni low for `cycles` cycles: partial and waiting results are lost.
  virtual void reset(int cycles) = 0;

  virtual bool ok() const = 0;
  virtual const std::string& failure() const = 0;
  virtual std::uint64_t results_checked() const = 0;
  // Compared results whose golden value was saturated, or NaR.
  virtual std::uint64_t saturated_results() const = 0;
  virtual std::uint64_t nar_results() const = 0;
  virtual std::uint64_t cycles() const = 0;
  // Simulated clock cycles per wall-clock second since construction.
  virtual double cycles_per_second() const = 0;
  virtual const golden::AuModel& model() const = 0;
  // The model's Verilator context (coverage counters, when built with them).
  virtual VerilatedContext& context() = 0;
};

template <class Model>
class AuHarness final : public AuDriver {
 public:
  AuHarness(const golden::AuSpec& spec, std::uint64_t seed, const std::string& trace_path = {})
      : ctx_(std::make_unique<VerilatedContext>()), model_(spec), rng_(seed) {
    // Registers without reset start from seeded random values, not zeros.
    ctx_->randReset(2);
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
    reset(2);
  }

  ~AuHarness() override {
#if VM_TRACE
    if (trace_) trace_->close();
#endif
    top_->final();
  }

  void set_backpressure(unsigned ready_low_permille, unsigned idle_permille) override {
    ready_low_ = ready_low_permille;
    idle_ = idle_permille;
  }

  void send(const Beat& beat) override {
    if (!ok()) return;
    while (idle_ && rng_() % 1000 < idle_) cycle(false);
    current_ = beat;
    for (int guard = 0; !cycle(true); ++guard)
      if (guard > 100000) return fail("a beat was not accepted within 100000 cycles");
  }

  void drain() override {
    for (int guard = 0; !expected_.empty() && ok(); ++guard) {
      if (guard > 100000) return fail(fmt::format("{} result(s) never came out", expected_.size()));
      cycle(false);
    }
    for (int i = 0; i < 4 && ok(); ++i) cycle(false);  // nothing more may come out
  }

  void reset(int cycles) override {
    top_->rst_ni = 0;
    top_->in_valid_i = 0;
    for (int i = 0; i < cycles; ++i) clock();
    top_->rst_ni = 1;
    model_.reset();
    expected_.clear();
    beats_in_dot_ = 0;
  }

  bool ok() const override { return failure_.empty(); }
  const std::string& failure() const override { return failure_; }
  std::uint64_t results_checked() const override { return checked_; }
  std::uint64_t saturated_results() const override { return saturated_; }
  std::uint64_t nar_results() const override { return nar_; }
  std::uint64_t cycles() const override { return cycle_; }
  double cycles_per_second() const override {
    return static_cast<double>(cycle_) / std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  const golden::AuModel& model() const override { return model_; }
  VerilatedContext& context() override { return *ctx_; }

 private:
  struct Expected {
    golden::AuResult result;
    std::uint64_t due_cycle;  // when out_valid_o must rise without back-pressure
    std::uint64_t beats;      // beats of this dot product, for messages
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

  // Evaluates with the clock low, then high.
  void clock() {
    top_->clk_i = 0;
    top_->eval();
    dump();
    top_->clk_i = 1;
    top_->eval();
    dump();
    ++cycle_;
  }

  void check_output() {
    if (expected_.empty()) return fail("out_valid_o is high but no result is due");
    const Expected e = expected_.front();
    expected_.pop_front();
    golden::AuResult got;
    got.acc = signed_value(top_->acc_o, model_.shape().acc_width);
    got.saturated = top_->sat_o != 0;
    got.format_error = top_->fmt_err_o != 0;
    if constexpr (requires { top_->nar_o; }) got.nar = top_->nar_o != 0;
    if constexpr (requires { top_->res_o; }) got.readout = top_->res_o;
    ++checked_;
    saturated_ += e.result.saturated;
    nar_ += e.result.nar;
    if (!(got == e.result))
      fail(fmt::format("result #{} ({} beats): RTL acc={} sat={} nar={} fmt_err={} res={:#x}, golden acc={} sat={} nar={} fmt_err={} res={:#x}",
                       checked_, e.beats, got.acc.get_str(), got.saturated, got.nar, got.format_error, got.readout, e.result.acc.get_str(),
                       e.result.saturated, e.result.nar, e.result.format_error, e.result.readout));
    else if (ready_low_ == 0 && cycle_ != e.due_cycle)
      fail(fmt::format("result #{} came out at cycle {}, expected cycle {} (latency {})", checked_, cycle_, e.due_cycle,
                       golden::au_latency(model_.spec())));
  }

  // One clock cycle; returns whether a beat was accepted.
  bool cycle(bool in_valid) {
    const bool ready = ready_low_ == 0 || rng_() % 1000 >= ready_low_;
    top_->out_ready_i = ready;
    top_->in_valid_i = in_valid;
    if (in_valid) {
      top_->a_i = current_.a;
      top_->b_i = current_.b;
      top_->fmt_i = static_cast<std::uint8_t>(current_.fmt);
      top_->last_i = current_.last;
      if constexpr (requires { top_->out_fmt_i; }) top_->out_fmt_i = static_cast<std::uint8_t>(current_.read_format());
    } else {  // data must be ignored while in_valid_i is low
      const auto r = rng_();
      top_->a_i = static_cast<std::uint16_t>(r);
      top_->b_i = static_cast<std::uint16_t>(r >> 16);
      top_->fmt_i = static_cast<std::uint8_t>((r >> 32) & 7);
      top_->last_i = (r >> 35) & 1;
      if constexpr (requires { top_->out_fmt_i; }) top_->out_fmt_i = static_cast<std::uint8_t>((r >> 36) & 7);
    }
    top_->clk_i = 0;
    top_->eval();
    // Handshakes are sampled before the rising edge.
    const bool out_fire = top_->out_valid_o && ready;
    const bool in_fire = in_valid && top_->in_ready_o;
    if (bool(top_->in_ready_o) != !(top_->out_valid_o && !ready))
      fail(fmt::format("in_ready_o={} but out_valid_o={} out_ready_i={}: the AU stalls exactly while a result waits", top_->in_ready_o,
                       top_->out_valid_o, ready));
    if (out_fire) check_output();
    if (in_fire) {
      ++beats_in_dot_;
      if (auto r = model_.accept(current_.a, current_.b, current_.fmt, current_.last, current_.read_format())) {
        expected_.push_back({*r, cycle_ + static_cast<std::uint64_t>(golden::au_latency(model_.spec())), beats_in_dot_});
        beats_in_dot_ = 0;
      }
    }
    clock();
    return in_fire;
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> top_;
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> trace_;
#endif
  golden::AuModel model_;
  std::mt19937_64 rng_;
  Beat current_;
  std::deque<Expected> expected_;
  std::uint64_t cycle_ = 0, checked_ = 0, saturated_ = 0, nar_ = 0, beats_in_dot_ = 0, time_ = 0;
  unsigned ready_low_ = 0, idle_ = 0;
  std::string failure_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace strata::sim
