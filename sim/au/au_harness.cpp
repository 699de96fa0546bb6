#include "au/au_harness.h"

#include <fmt/format.h>

namespace strata::sim {

AuHarness::AuHarness(const golden::AuSpec& spec, std::uint64_t seed, const std::string& trace_path)
    : ctx_(std::make_unique<VerilatedContext>()), model_(spec), rng_(seed) {
  // Registers without reset start from seeded random values, not zeros.
  ctx_->randReset(2);
  ctx_->randSeed(static_cast<int>(seed & 0x7fffffff));
  top_ = std::make_unique<Vau>(ctx_.get());
  if (!trace_path.empty()) {
    ctx_->traceEverOn(true);
    trace_ = std::make_unique<VerilatedFstC>();
    top_->trace(trace_.get(), 99);
    trace_->open(trace_path.c_str());
  }
  top_->in_valid_i = 0;
  top_->out_ready_i = 1;
  reset(2);
}

AuHarness::~AuHarness() {
  if (trace_) trace_->close();
  top_->final();
}

void AuHarness::fail(const std::string& what) {
  if (failure_.empty()) failure_ = fmt::format("cycle {}: {}", cycle_, what);
}

void AuHarness::check_output() {
  if (expected_.empty()) return fail("out_valid_o is high but no result is due");
  const Expected e = expected_.front();
  expected_.pop_front();
  // acc_o is ACC_W bits wide in a 64-bit word: sign-extend it.
  const int w = model_.acc_width();
  golden::AuResult g{0, top_->sat_o != 0, top_->fmt_err_o != 0};
  g.acc = static_cast<std::int64_t>(static_cast<std::uint64_t>(top_->acc_o) << (64 - w)) >> (64 - w);
  ++checked_;
  saturated_ += e.result.saturated;
  if (!(g == e.result))
    fail(fmt::format("result #{} ({} beats): RTL acc={} sat={} fmt_err={}, golden acc={} sat={} fmt_err={}", checked_, e.beats, g.acc, g.saturated,
                     g.format_error, e.result.acc, e.result.saturated, e.result.format_error));
  else if (ready_low_ == 0 && cycle_ != e.due_cycle)
    fail(fmt::format("result #{} came out at cycle {}, expected cycle {} (latency {})", checked_, cycle_, e.due_cycle, golden::au_latency(model_.spec())));
}

bool AuHarness::cycle(bool in_valid) {
  const bool ready = ready_low_ == 0 || rng_() % 1000 >= ready_low_;
  top_->out_ready_i = ready;
  top_->in_valid_i = in_valid;
  if (in_valid) {
    top_->a_i = current_.a;
    top_->b_i = current_.b;
    top_->fmt_i = static_cast<std::uint8_t>(current_.fmt);
    top_->last_i = current_.last;
  } else {  // data must be ignored while in_valid_i is low
    const auto r = rng_();
    top_->a_i = static_cast<std::uint16_t>(r);
    top_->b_i = static_cast<std::uint16_t>(r >> 16);
    top_->fmt_i = static_cast<std::uint8_t>((r >> 32) & 7);
    top_->last_i = (r >> 35) & 1;
  }
  top_->clk_i = 0;
  top_->eval();
  if (trace_) trace_->dump(time_++);

  // Handshakes are sampled before the rising edge.
  const bool out_fire = top_->out_valid_o && ready;
  const bool in_fire = in_valid && top_->in_ready_o;
  if (bool(top_->in_ready_o) != !(top_->out_valid_o && !ready))
    fail(fmt::format("in_ready_o={} but out_valid_o={} out_ready_i={}: the AU stalls exactly while a result waits", top_->in_ready_o,
                     top_->out_valid_o, ready));
  if (out_fire) check_output();
  if (in_fire) {
    ++beats_in_dot_;
    if (auto r = model_.accept(current_.a, current_.b, current_.fmt, current_.last)) {
      expected_.push_back({*r, cycle_ + static_cast<std::uint64_t>(golden::au_latency(model_.spec())), beats_in_dot_});
      beats_in_dot_ = 0;
    }
  }
  top_->clk_i = 1;
  top_->eval();
  if (trace_) trace_->dump(time_++);
  ++cycle_;
  return in_fire;
}

void AuHarness::send(const Beat& beat) {
  if (!ok()) return;
  while (idle_ && rng_() % 1000 < idle_) cycle(false);
  current_ = beat;
  for (int guard = 0; !cycle(true); ++guard)
    if (guard > 100000) return fail("a beat was not accepted within 100000 cycles");
}

void AuHarness::drain() {
  for (int guard = 0; !expected_.empty() && ok(); ++guard) {
    if (guard > 100000) return fail(fmt::format("{} result(s) never came out", expected_.size()));
    cycle(false);
  }
  // Nothing more may come out.
  for (int i = 0; i < 4 && ok(); ++i) cycle(false);
}

void AuHarness::reset(int cycles) {
  top_->rst_ni = 0;
  for (int i = 0; i < cycles; ++i) {
    top_->in_valid_i = 0;
    top_->clk_i = 0;
    top_->eval();
    if (trace_) trace_->dump(time_++);
    top_->clk_i = 1;
    top_->eval();
    if (trace_) trace_->dump(time_++);
    ++cycle_;
  }
  top_->rst_ni = 1;
  model_.reset();
  expected_.clear();
  beats_in_dot_ = 0;
}

}  // namespace strata::sim
