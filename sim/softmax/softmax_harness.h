// Cycle-level driver of a Verilated softmax unit: streams vectors in with
// random input gaps, takes codes out under random back-pressure, and checks
// every code, the sum and the reciprocal against the golden model
// (host/golden/softmax.h) as they appear.
#pragma once

#include <fmt/format.h>
#include <verilated.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "golden/softmax.h"
#include "softmax_dut.h"

namespace strata::sim {

namespace sm = golden::softmax;

struct SmVector {
  std::vector<int> logits;
  sm::Algorithm alg = sm::Algorithm::three_pass;
  sm::InType in = sm::InType::int8;
  sm::OutType out = sm::OutType::uint8;
  sm::Scale scale{};
};

class SoftmaxHarness {
 public:
  explicit SoftmaxHarness(std::uint64_t seed) : rng_(seed) {
    ctx_.randReset(2);
    ctx_.randSeed(static_cast<int>(seed & 0x7fffffff));
    top_ = std::make_unique<Vsoftmax>(&ctx_);
    top_->rst_ni = 0;
    top_->in_valid_i = 0;
    top_->out_ready_i = 0;
    for (int i = 0; i < 3; ++i) {
      top_->clk_i = 0;
      top_->eval();
      top_->clk_i = 1;
      top_->eval();
    }
    top_->rst_ni = 1;
  }

  // Per-mille chance that out_ready_i is low in a cycle, and that a cycle
  // offers no logit (in_valid_i low, random data and selects).
  void set_backpressure(unsigned ready_low_permille, unsigned idle_permille) {
    ready_low_ = ready_low_permille;
    idle_ = idle_permille;
  }

  // Queues a vector: its golden trace becomes the expected outputs.
  void send(const SmVector& v) {
    Pending p;
    p.v = v;
    p.trace = sm::run_traced(v.logits, v.alg, v.in, v.scale, v.out);
    p.index = vectors_++;
    pending_.push_back(std::move(p));
    if (pending_.size() > 4) run_until([&] { return pending_.size() <= 4; });
  }
  // Runs until every queued vector has come out (or a failure).
  void drain() { run_until([&] { return pending_.empty(); }); }

  bool ok() const { return failure_.empty(); }
  const std::string& failure() const { return failure_; }
  std::uint64_t codes_checked() const { return codes_; }
  std::uint64_t vectors_checked() const { return done_; }
  std::uint64_t cycles() const { return cycles_; }
  // Cycles from the acceptance of the last vector's first logit to the
  // handshake of its last code.
  std::uint64_t last_vector_cycles() const { return last_span_; }

 private:
  struct Pending {
    SmVector v;
    sm::Trace trace;
    std::uint64_t index = 0;
    std::size_t sent = 0, received = 0;
    std::uint64_t first_cycle = 0;
  };

  static int code_bits(const Pending& p) { return sm::out_bits(p.v.out); }

  template <class Done>
  void run_until(Done done) {
    std::uint64_t quiet = 0;
    while (!done() && ok()) {
      const std::uint64_t before = codes_ + sent_;
      cycle();
      quiet = codes_ + sent_ == before ? quiet + 1 : 0;
      if (quiet > 200000) fail("no logit taken and no code out for 200000 cycles");
    }
  }

  void fail(const std::string& what) {
    if (failure_.empty()) failure_ = fmt::format("cycle {}: {}", cycles_, what);
  }

  // One clock: drive inputs, look at the handshakes, rising edge.
  void cycle() {
    std::uniform_int_distribution<unsigned> pm(0, 999);
    // The vector being sent: the first with logits left.
    Pending* s = nullptr;
    for (auto& p : pending_)
      if (p.sent < p.v.logits.size()) {
        s = &p;
        break;
      }
    const bool offer = s && pm(rng_) >= idle_;
    top_->clk_i = 0;
    top_->in_valid_i = offer;
    const bool first = offer && s->sent == 0;
    // Selects and scale matter only with a vector's first logit: random otherwise.
    const SmVector& sel = first ? s->v : random_selects();
    top_->in_data_i = offer ? static_cast<unsigned>(s->v.logits[s->sent]) & kInMask : static_cast<unsigned>(rng_()) & kInMask;
    top_->in_last_i = offer ? s->sent + 1 == s->v.logits.size() : (rng_() & 1);
#ifdef STRATA_SM_ALG
    top_->alg_i = static_cast<unsigned>(sel.alg);
#endif
#ifdef STRATA_SM_IN_TYPE
    top_->in_type_i = static_cast<unsigned>(sel.in);
#endif
#ifdef STRATA_SM_OUT_TYPE
    top_->out_type_i = static_cast<unsigned>(sel.out);
#endif
    top_->mult_i = sel.scale.mult;
    top_->shift_i = static_cast<unsigned>(sel.scale.shift);
    top_->out_ready_i = pm(rng_) >= ready_low_;
    top_->eval();
    if (offer && top_->in_ready_o) {
      if (s->sent == 0) s->first_cycle = cycles_;
      ++s->sent;
      ++sent_;
    }
    if (top_->out_valid_o && top_->out_ready_i) check_output();
    top_->clk_i = 1;
    top_->eval();
    ++cycles_;
  }

  SmVector random_selects() {
    SmVector v;
    v.alg = static_cast<sm::Algorithm>(rng_() % 3);
    v.in = static_cast<sm::InType>(rng_() % 2);
    v.out = static_cast<sm::OutType>(rng_() % 3);
    v.scale = {static_cast<std::uint32_t>(rng_() & 0xffff), static_cast<int>(rng_() % 32)};
    return v;
  }

  void check_output() {
    if (pending_.empty() || pending_.front().received >= pending_.front().sent) {
      fail(fmt::format("a code {} came out with no logit in flight", static_cast<unsigned>(top_->out_code_o)));
      return;
    }
    Pending& p = pending_.front();
    const std::size_t i = p.received++;
    const unsigned mask = (1u << code_bits(p)) - 1;
    const unsigned want = static_cast<unsigned>(p.trace.codes[i]) & mask;
    const unsigned got = static_cast<unsigned>(top_->out_code_o);
    const bool last = i + 1 == p.v.logits.size();
    const auto sum = static_cast<std::uint64_t>(top_->out_sum_o);
    const auto recip = static_cast<std::uint32_t>(top_->out_recip_o);
    auto what = [&] {
      return fmt::format("vector {} ({} {} -> {}, L={}, M={}, s={}) logit {} = {}", p.index, sm::name(p.v.alg), sm::name(p.v.in), sm::name(p.v.out),
                         p.v.logits.size(), p.v.scale.mult, p.v.scale.shift, i, p.v.logits[i]);
    };
    if (got != want)
      fail(fmt::format("{}: code {}, golden {}", what(), got, want));
    else if (static_cast<bool>(top_->out_last_o) != last)
      fail(fmt::format("{}: out_last_o {}, golden {}", what(), static_cast<int>(top_->out_last_o), last));
    else if (sum != p.trace.sum)
      fail(fmt::format("{}: sum {}, golden {}", what(), sum, p.trace.sum));
    else if (recip != p.trace.recip.r)
      fail(fmt::format("{}: reciprocal {}, golden {}", what(), recip, p.trace.recip.r));
    ++codes_;
    if (p.received == p.v.logits.size()) {
      last_span_ = cycles_ - p.first_cycle + 1;
      ++done_;
      pending_.pop_front();
    }
  }

  static constexpr unsigned kInMask = STRATA_SM_IN_W == 16 ? 0xffffu : 0xffu;

  VerilatedContext ctx_;
  std::unique_ptr<Vsoftmax> top_;
  std::mt19937_64 rng_;
  unsigned ready_low_ = 0, idle_ = 0;
  std::deque<Pending> pending_;
  std::uint64_t vectors_ = 0, done_ = 0, codes_ = 0, sent_ = 0, cycles_ = 0, last_span_ = 0;
  std::string failure_;
};

}  // namespace strata::sim
