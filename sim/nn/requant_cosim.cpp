// Block-level co-simulation of one config's requantizer (`<name>_requant`,
// verilated alone as Vrq) against the golden model. Every byte it writes must
// equal clamp(multiply_by_quantized_multiplier(sat32(acc + bias), {m, shift})
// + zp, act_min, act_max), at pos_addr + chan/2, lane chan[0]; its capture
// register and write-back handshake must behave as the processing element
// relies on. The integer dot product arrives in acc_i's integer bits (acc_i
// is in units of 2^-STRATA_RQ_ACC_FRAC). With STRATA_RQ_POSIT (an engine with
// posit8 layers) posit_i takes acc_i in units of 2^-12 instead, and raw_i
// writes the read-out code_i clamped as a code. With 4-bit layers
// (STRATA_RQ_FP4, STRATA_RQ_POSIT4) their inputs stay 0: the int8 path.
//
//   requant_cosim [--seed=N] [--samples=N] [gtest flags]
#include <gtest/gtest.h>
#include <verilated.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "Vrq.h"
#include "golden/nn.h"
#include "nn/nn_map.h"

#ifndef STRATA_RQ_ACC_W
#error "STRATA_RQ_ACC_W (the config's AU accumulator width) must be defined"
#endif
#ifndef STRATA_RQ_ACC_FRAC
#define STRATA_RQ_ACC_FRAC 0
#endif
#ifndef STRATA_RQ_CONFIG
#define STRATA_RQ_CONFIG "?"
#endif

namespace strata::rq_test {
namespace {

namespace gn = strata::golden::nn;

std::uint64_t g_seed = 20240611;  // --seed=N
long g_samples = 1000000;         // --samples=N (bytes the random test compares)

constexpr int kAccW = STRATA_RQ_ACC_W;
constexpr int kFrac = STRATA_RQ_ACC_FRAC;
static_assert(kAccW >= 2 && kAccW <= 62, "the test models acc in int64");
// The integer the requantizer takes from acc_i: its integer bits.
constexpr int kIntW = kAccW - kFrac;
constexpr std::int64_t kAccMin = -(std::int64_t{1} << (kIntW - 1));
constexpr std::int64_t kAccMax = (std::int64_t{1} << (kIntW - 1)) - 1;
#ifdef STRATA_RQ_POSIT
// Posit8 layers: acc_i in units of 2^-12.
constexpr int kPositShift = kFrac - strata::golden::nn::kPosit8ProductFracBits;
static_assert(kPositShift >= 0);
constexpr int kPositW = kAccW - kPositShift;
#endif
constexpr std::int64_t kI32Min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kI32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int32_t kM30 = std::int32_t{1} << 30;  // the smallest nonzero multiplier
constexpr std::int32_t kMMax = std::numeric_limits<std::int32_t>::max();

// pos_addr_i is below 2^kRowAddrBits; wr_addr_o = pos_addr_i + chan_i / 2 exactly.
constexpr std::uint32_t kPosMax = (std::uint32_t{1} << strata::nn::kRowAddrBits) - 1;

std::int32_t sat32(std::int64_t v) { return static_cast<std::int32_t>(std::clamp(v, kI32Min, kI32Max)); }

// ---------------------------------------------------------------- the model

struct Params {
  std::int32_t bias = 0;
  std::int32_t multiplier = kM30;  // 0 or in [2^30, 2^31)
  int shift = 0;                   // -31..30
  int zp = 0;                      // out_zp_i
  int act_min = -128, act_max = 127;
  bool posit = false;  // posit_i: acc in units of 2^-12
  bool raw = false;    // raw_i: write the code, clamped
  bool operator==(const Params&) const = default;
};

struct Cap {
  std::int64_t acc = 0;  // the integer taken (kAccMin..kAccMax; posit: kPositW bits)
  std::uint8_t code = 0; // code_i, the read-out
  std::uint32_t pos_addr = 0;
  std::uint16_t chan = 0;
  bool keep = true;
};

struct Write {
  std::uint8_t data = 0;
  std::uint32_t addr = 0;
  bool lane = false;
  bool operator==(const Write&) const = default;
};

std::int64_t scaled(const Params& p, std::int64_t acc) {
  return gn::multiply_by_quantized_multiplier(sat32(acc + p.bias), {p.multiplier, p.shift});
}
std::int8_t expected_byte(const Params& p, std::int64_t acc) {
  return static_cast<std::int8_t>(std::clamp<std::int64_t>(scaled(p, acc) + p.zp, p.act_min, p.act_max));
}
Write expected_write(const Params& p, const Cap& c) {
  const std::int8_t byte = p.raw ? static_cast<std::int8_t>(std::clamp<int>(static_cast<std::int8_t>(c.code), p.act_min, p.act_max))
                                 : expected_byte(p, c.acc);
  return {static_cast<std::uint8_t>(byte), c.pos_addr + (c.chan >> 1u), (c.chan & 1u) != 0};
}

std::string describe(const Params& p, const Cap& c) {
  return fmt::format("acc {} + bias {} (x = {}), multiplier {}, shift {}, zp {}, act [{}, {}], pos_addr {:#x}, chan {}, keep {}", c.acc,
                     p.bias, sat32(c.acc + p.bias), p.multiplier, p.shift, p.zp, p.act_min, p.act_max, c.pos_addr, c.chan,
                     c.keep ? 1 : 0);
}
std::string describe(const Write& w) {
  return fmt::format("byte {} at {:#x} lane {}", static_cast<int>(static_cast<std::int8_t>(w.data)), w.addr, w.lane ? 1 : 0);
}

struct Rng {
  std::mt19937_64 gen;
  explicit Rng(std::uint64_t s) : gen(s) {}
  std::int64_t in(std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(gen); }
  bool chance(double p) { return std::bernoulli_distribution(p)(gen); }
  // A magnitude of a uniformly chosen bit length 0..bits, with a random sign.
  std::int64_t log_uniform(int bits) {
    const int b = static_cast<int>(in(0, bits));
    const std::int64_t mag = b == 0 ? 0 : in(std::int64_t{1} << (b - 1), (std::int64_t{1} << b) - 1);
    return chance(0.5) ? -mag : mag;
  }
};

std::uint64_t seed_for(int test) { return g_seed * 1000003u + static_cast<std::uint64_t>(test); }

// ------------------------------------------------------------------ the DUT

class Dut {
 public:
  explicit Dut(std::uint64_t seed) : ctx_(std::make_unique<VerilatedContext>()) {
    // --x-initial unique: every register the RTL leaves unreset starts random.
    ctx_->randReset(2);
    ctx_->randSeed(static_cast<int>(seed % 0x7fffffffu));
    m_ = std::make_unique<Vrq>(ctx_.get());
    idle_inputs();
    m_->clk_i = 0;
    m_->rst_ni = 0;
    m_->eval();
    tick();
    tick();
    m_->rst_ni = 1;
    tick();
  }
  ~Dut() { m_->final(); }
  Dut(const Dut&) = delete;
  Dut& operator=(const Dut&) = delete;

  Vrq& m() { return *m_; }
  long cycles() const { return cycles_; }

  void tick() {
    m_->clk_i = 1;
    m_->eval();
    m_->clk_i = 0;
    m_->eval();
    ++cycles_;
  }
  void idle_inputs() {
    m_->clear_i = 0;
    m_->bias_i = 0;
    m_->mult_i = 0;
    m_->shift_i = 0;
    m_->cap_i = 0;
    m_->acc_i = 0;
    m_->pos_addr_i = 0;
    m_->chan_i = 0;
    m_->keep_i = 0;
    m_->wr_ready_i = 0;
#ifdef STRATA_RQ_POSIT
    m_->posit_i = 0;
    m_->raw_i = 0;
    m_->code_i = 0;
#elif defined(STRATA_RQ_FP4) || defined(STRATA_RQ_POSIT4)
    m_->raw_i = 0;  // an engine with 4-bit layers only: the int8 path
    m_->code_i = 0;
#endif
#ifdef STRATA_RQ_FP4
    m_->f4_i = 0;
#endif
#ifdef STRATA_RQ_POSIT4
    m_->p4_i = 0;
#endif
  }
  // The channel's parameters (the bias taken with each capture, the
  // multiplier and shift when the scaler starts the channel) and the
  // layer's zero point and activation range, held on the inputs.
  void load(const Params& p) {
    m_->bias_i = static_cast<std::uint32_t>(p.bias);
    m_->mult_i = static_cast<std::uint32_t>(p.multiplier);
    m_->shift_i = static_cast<std::uint8_t>(p.shift) & 0x3fu;
    m_->out_zp_i = static_cast<std::uint8_t>(static_cast<std::int8_t>(p.zp));
    m_->act_min_i = static_cast<std::uint8_t>(static_cast<std::int8_t>(p.act_min));
    m_->act_max_i = static_cast<std::uint8_t>(static_cast<std::int8_t>(p.act_max));
#ifdef STRATA_RQ_POSIT
    m_->posit_i = p.posit;
    m_->raw_i = p.raw;
#endif
    posit_ = p.posit;
    m_->eval();
  }
  void drive_cap(const Cap& c) {
    constexpr std::uint64_t mask = (std::uint64_t{1} << kAccW) - 1;
    m_->cap_i = 1;
#ifdef STRATA_RQ_POSIT
    const int shift = posit_ ? kPositShift : kFrac;
    m_->code_i = c.code;
#else
    const int shift = kFrac;
#endif
    m_->acc_i = static_cast<std::remove_reference_t<decltype(m_->acc_i)>>((static_cast<std::uint64_t>(c.acc) << shift) & mask);
    m_->pos_addr_i = c.pos_addr;
    m_->chan_i = c.chan;
    m_->keep_i = c.keep;
  }
  Write output() const { return {m_->wr_data_o, m_->wr_addr_o, m_->wr_lane_o != 0}; }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vrq> m_;
  long cycles_ = 0;
  bool posit_ = false;
};

// What run() saw.
struct Trace {
  std::vector<Write> writes;          // accepted (wr_valid_o && wr_ready_i at a clock edge), in order
  std::vector<bool> busy_at_capture;  // per capture: the unit was not idle when it took it
  long stall_cycles = 0;              // cycles with wr_valid_o high and wr_ready_i low
  long can_cap_low_cycles = 0;        // cycles with can_cap_o low
  long valid_cycles = 0;              // cycles with wr_valid_o high
  long cycles = 0;
  long cycles_after_last_capture = 0; // until idle
  std::string violation;              // the first handshake violation
  bool timeout = false;
};

// Feeds `caps` to the unit, each as soon as can_cap_o allows once `gap()`
// idle cycles have passed since the previous one, drives wr_ready_i from
// `ready()` every cycle, and runs until every capture is taken and the unit
// is idle again. A write that waits (valid, not ready) must hold its data,
// address and lane until it is taken.
Trace run(Dut& d, const std::vector<Cap>& caps, const std::function<bool()>& ready,
          const std::function<int()>& gap = {}) {
  Vrq& m = d.m();
  Trace t;
  std::size_t next = 0;
  int wait = gap ? gap() : 0;
  std::optional<Write> waiting;
  const long budget = 4000 + 400 * static_cast<long>(caps.size());
  for (;;) {
    m.cap_i = 0;
    if (next < caps.size()) {
      if (wait > 0) {
        --wait;
      } else if (m.can_cap_o) {
        t.busy_at_capture.push_back(!m.idle_o);
        d.drive_cap(caps[next++]);
        wait = gap ? gap() : 0;
      }
    }
    const bool rdy = ready();
    m.wr_ready_i = rdy;
    m.eval();
    if (!m.can_cap_o) ++t.can_cap_low_cycles;
    if (waiting && t.violation.empty()) {
      if (!m.wr_valid_o)
        t.violation = fmt::format("cycle {}: wr_valid_o dropped while the write of {} waited for wr_ready_i", t.cycles, describe(*waiting));
      else if (d.output() != *waiting)
        t.violation = fmt::format("cycle {}: the waiting write changed from {} to {}", t.cycles, describe(*waiting), describe(d.output()));
    }
    waiting.reset();
    if (m.wr_valid_o) {
      ++t.valid_cycles;
      if (rdy) {
        t.writes.push_back(d.output());
      } else {
        waiting = d.output();
        ++t.stall_cycles;
      }
    }
    d.tick();
    ++t.cycles;
    if (next == caps.size()) {
      if (m.idle_o && !m.wr_valid_o) break;
      ++t.cycles_after_last_capture;
    }
    if (t.cycles > budget) {
      t.timeout = true;
      break;
    }
  }
  m.cap_i = 0;
  m.wr_ready_i = 0;
  m.eval();
  return t;
}

const std::function<bool()> kAlwaysReady = [] { return true; };

// Loads `p`, runs `caps` and compares the writes with the golden model's;
// returns the number of bytes compared. Reports at most `report` mismatches
// (counted in *mismatches).
long check_batch(Dut& d, const Params& p, const std::vector<Cap>& caps, const std::function<bool()>& ready,
                 const std::function<int()>& gap, long* mismatches, const std::string& what, long report = 10) {
  d.load(p);
  const Trace t = run(d, caps, ready, gap);
  std::vector<Write> want;
  std::vector<const Cap*> kept;
  for (const Cap& c : caps)
    if (c.keep) {
      want.push_back(expected_write(p, c));
      kept.push_back(&c);
    }
  EXPECT_FALSE(t.timeout) << what << ": the unit did not become idle; first capture " << describe(p, caps.front());
  EXPECT_EQ(t.violation, "") << what << ": " << describe(p, caps.front());
  if (t.writes.size() != want.size()) {
    ++*mismatches;
    ADD_FAILURE() << what << ": " << t.writes.size() << " writes for " << want.size() << " kept captures; first capture "
                  << describe(p, caps.front());
    return 0;
  }
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (t.writes[i] == want[i]) continue;
    if ((*mismatches)++ < report)
      ADD_FAILURE() << what << ": " << describe(p, *kept[i]) << ": expected " << describe(want[i]) << ", got "
                    << describe(t.writes[i]);
  }
  return static_cast<long>(want.size());
}

// Directed cases: consecutive cases with equal parameters share one stream.
long check_cases(Dut& d, const std::vector<std::pair<Params, Cap>>& cases, const std::string& what) {
  long mismatches = 0, compared = 0;
  for (std::size_t i = 0; i < cases.size();) {
    std::size_t j = i;
    std::vector<Cap> caps;
    while (j < cases.size() && cases[j].first == cases[i].first && caps.size() < 8) caps.push_back(cases[j++].second);
    compared += check_batch(d, cases[i].first, caps, kAlwaysReady, {}, &mismatches, what);
    if (::testing::Test::HasFatalFailure()) break;
    i = j;
  }
  EXPECT_EQ(mismatches, 0) << what << ": " << mismatches << " of " << compared << " bytes differ";
  return compared;
}

// A capture of x = sat32(acc + bias) for any int32 x: acc takes what it can.
std::pair<Params, Cap> with_x(Params p, std::int64_t x, Rng& r) {
  const std::int64_t acc = std::clamp<std::int64_t>(r.in(-1000, 1000), kAccMin, kAccMax);
  const std::int64_t bias = x - acc;
  Cap c{acc, static_cast<std::uint32_t>(r.in(0, kPosMax)), static_cast<std::uint16_t>(r.in(0, 0xffff)), true};
  if (bias < kI32Min || bias > kI32Max) {  // x near an int32 end: the bias carries it all
    c.acc = 0;
    p.bias = sat32(x);
  } else {
    p.bias = static_cast<std::int32_t>(bias);
  }
  return {p, c};
}

int bit_length(std::int64_t v) {
  std::uint64_t u = static_cast<std::uint64_t>(v < 0 ? -v : v);
  int n = 0;
  while (u) ++n, u >>= 1;
  return n;
}

// ------------------------------------------------------- random generators

Params random_params(Rng& r) {
  Params p;
  switch (r.in(0, 9)) {
    case 0: case 1: case 2: p.bias = 0; break;
    case 3: case 4: p.bias = static_cast<std::int32_t>(r.log_uniform(20)); break;
    case 5: case 6: p.bias = static_cast<std::int32_t>(r.in(kI32Min, kI32Max)); break;
    case 7: p.bias = sat32(r.chance(0.5) ? kI32Max - r.in(0, 2 * kAccMax) : kI32Min + r.in(0, 2 * kAccMax)); break;
    default: p.bias = sat32(r.log_uniform(31)); break;
  }
  const int pm = static_cast<int>(r.in(0, 99));
  p.multiplier = pm < 3 ? 0 : pm < 7 ? kM30 : pm < 11 ? kMMax : static_cast<std::int32_t>(r.in(kM30, kMMax));
  const int ps = static_cast<int>(r.in(0, 99));
  p.shift = static_cast<int>(ps < 65 ? r.in(-12, 0) : ps < 80 ? r.in(-31, -13) : ps < 92 ? r.in(1, 30) : r.in(-31, 30));
  const int pz = static_cast<int>(r.in(0, 9));
  p.zp = static_cast<int>(pz < 3 ? 0 : pz == 3 ? (r.chance(0.5) ? -128 : 127) : r.in(-128, 127));
  const int pa = static_cast<int>(r.in(0, 19));
  if (pa < 9) {
    p.act_min = -128, p.act_max = 127;
  } else if (pa < 13) {
    p.act_min = std::max(-128, p.zp), p.act_max = 127;  // relu
  } else {
    const int a = static_cast<int>(r.in(-128, 127)), b = static_cast<int>(r.in(-128, 127));
    p.act_min = std::min(a, b), p.act_max = std::max(a, b);
  }
  return p;
}

std::int64_t random_acc(Rng& r, const Params& p) {
  switch (r.in(0, 9)) {
    case 0: {
      const std::int64_t ends[] = {kAccMin, kAccMin + 1, kAccMax - 1, kAccMax, 0, 1, -1};
      return ends[r.in(0, 6)];
    }
    case 1: case 2: return r.in(kAccMin, kAccMax);
    case 3: case 4: return std::clamp(r.log_uniform(kIntW - 1), kAccMin, kAccMax);
    default: {
      // Aim at a result in (or just outside) the activation range, so that
      // rounding shows in the byte.
      if (p.multiplier == 0) return r.in(kAccMin, kAccMax);
      const long double real = static_cast<long double>(p.multiplier) * std::ldexp(1.0L, p.shift - 31);
      const std::int64_t y = r.chance(0.1) ? r.in(-300, 300) : r.in(p.act_min - p.zp - 3, p.act_max - p.zp + 3);
      const long double x = static_cast<long double>(y) / real + static_cast<long double>(r.in(-4, 4));
      const long double acc = std::clamp<long double>(x - p.bias, static_cast<long double>(kAccMin), static_cast<long double>(kAccMax));
      return static_cast<std::int64_t>(std::llround(acc));
    }
  }
}

Cap random_cap(Rng& r, const Params& p, double keep = 1.0) {
  Cap c;
  c.acc = random_acc(r, p);
  c.pos_addr = static_cast<std::uint32_t>(r.chance(0.05) ? kPosMax - r.in(0, 3) : r.in(0, kPosMax));
  c.chan = static_cast<std::uint16_t>(r.chance(0.05) ? 0xffff - r.in(0, 1) : r.in(0, 0xffff));
  c.keep = r.chance(keep);
  return c;
}

// ------------------------------------------------------------------- random

TEST(RequantRandom, EveryByteBitExactAgainstGolden) {
  Rng r(seed_for(1));
  Dut d(seed_for(1));
  long compared = 0, mismatches = 0, unclamped = 0, batches = 0, saturated_sum = 0, left_shifted = 0;
  while (compared < g_samples) {
    const Params p = random_params(r);
    const int n = static_cast<int>(r.in(1, 6));
    const double keep = r.chance(0.8) ? 1.0 : 0.8;
    std::vector<Cap> caps;
    for (int i = 0; i < n; ++i) caps.push_back(random_cap(r, p, keep));
    for (const Cap& c : caps) {
      if (!c.keep) continue;
      const std::int64_t v = scaled(p, c.acc) + p.zp;
      unclamped += v > p.act_min && v < p.act_max;
      saturated_sum += c.acc + p.bias != sat32(c.acc + p.bias);
      left_shifted += p.shift > 0;
    }
    // Back-to-back captures or gaps; a ready write-back or one that stalls.
    const int ready_mode = static_cast<int>(r.in(0, 3));
    const std::function<bool()> ready = ready_mode < 2 ? kAlwaysReady : [&r, ready_mode] { return r.chance(ready_mode == 2 ? 0.5 : 0.1); };
    const bool gaps = r.chance(0.3);
    const std::function<int()> gap = [&r, gaps] { return gaps ? static_cast<int>(r.in(0, 12)) : 0; };
    compared += check_batch(d, p, caps, ready, gap, &mismatches, fmt::format("batch {} (seed {})", batches, g_seed));
    ++batches;
    if (HasFatalFailure() || mismatches > 50) break;
  }
  fmt::print("  random: {} bytes in {} batches, {} cycles; {:.1f}% strictly inside the activation range, {} with acc + bias beyond "
             "int32, {} with a left shift (seed {})\n",
             compared, batches, d.cycles(), 100.0 * static_cast<double>(unclamped) / static_cast<double>(std::max(compared, 1L)),
             saturated_sum, left_shifted, g_seed);
  EXPECT_EQ(mismatches, 0) << mismatches << " of " << compared << " bytes differ (replay: --seed=" << g_seed << ")";
  EXPECT_GE(compared, g_samples);
  EXPECT_GT(unclamped, compared / 5) << "the random values should mostly land inside the int8 range";
}

// --------------------------------------------------------------------- ties

// SaturatingRoundingDoublingHighMul of x and 2^30 is x/2: an exact tie for
// every odd x, which gemmlowp's nudge rounds towards +infinity (2.5 -> 3,
// -2.5 -> -2); any multiplier o * 2^j with x = o' * 2^(30-j) (o, o' odd)
// ties as well.
TEST(RequantTies, SrdhmExactHalvesRoundTowardsPlusInfinity) {
  Rng r(seed_for(2));
  Dut d(seed_for(2));
  std::vector<std::pair<Params, Cap>> cases;
  long ties = 0;
  Params p;
  p.multiplier = kM30;
  for (int x = -255; x <= 255; x += 2) {  // shift 0: the byte is the SRDHM itself
    cases.push_back(with_x(p, x, r));
    ++ties;
  }
  EXPECT_EQ(gn::multiply_by_quantized_multiplier(5, {kM30, 0}), 3);
  EXPECT_EQ(gn::multiply_by_quantized_multiplier(-5, {kM30, 0}), -2);
  // Large odd x, then divided down by 2^e into the int8 range.
  for (int e = 1; e <= 31; ++e) {
    p.shift = -e;
    for (int k = -128; k <= 127; k += static_cast<int>(r.in(1, 9))) {
      for (int delta : {-3, -1, 1, 3}) {
        const std::int64_t x = k * (std::int64_t{1} << (e + 1)) + (std::int64_t{1} << e) + delta;
        if (x < kI32Min || x > kI32Max) continue;
        cases.push_back(with_x(p, x, r));
        ++ties;
      }
    }
  }
  // Other multipliers that tie, with a shift that brings the result to int8.
  for (int i = 0; i < 20000; ++i) {
    const int j = static_cast<int>(r.in(0, 29));
    const std::int64_t o = r.in((std::int64_t{1} << (30 - j)) / 2, (std::int64_t{1} << (31 - j)) / 2 - 1) * 2 + 1;
    const std::int64_t m = o << j;
    if (m < kM30 || m > kMMax) continue;
    const int xb = 30 - j;  // x = o' * 2^xb, o' odd
    const std::int64_t omax = (kI32Max >> xb);
    if (omax < 1) continue;
    std::int64_t ox = r.in(0, (omax - 1) / 2) * 2 + 1;
    if (r.chance(0.5)) ox = -ox;
    const std::int64_t x = ox << xb;
    if ((x * m) % (std::int64_t{1} << 31) != (x > 0 ? 1 : -1) * (std::int64_t{1} << 30)) {
      ADD_FAILURE() << "not a tie: x " << x << " m " << m;
      continue;
    }
    Params q;
    q.multiplier = static_cast<std::int32_t>(m);
    const std::int32_t s = gn::saturating_rounding_doubling_high_mul(static_cast<std::int32_t>(x), q.multiplier);
    q.shift = -std::clamp(bit_length(s) - 6, 0, 31);
    q.zp = static_cast<int>(r.in(-20, 20));
    cases.push_back(with_x(q, x, r));
    ++ties;
  }
  const long n = check_cases(d, cases, "SRDHM tie");
  fmt::print("  {} SRDHM exact ties compared\n", ties);
  EXPECT_EQ(n, static_cast<long>(cases.size()));
}

// One either side of an SRDHM half: |x| * multiplier = 2^30 +- 1 modulo
// 2^31, for either sign of x; the last bit of the rounding constant decides
// these. Small |x| with shift 0 makes the byte the SRDHM itself; large |x|
// are then divided into the int8 range.
TEST(RequantTies, SrdhmOneEitherSideOfAHalf) {
  Rng r(seed_for(12));
  Dut d(seed_for(12));
  std::vector<std::pair<Params, Cap>> cases;
  constexpr std::uint64_t kMod = std::uint64_t{1} << 31;
  auto add = [&](std::uint64_t ax, int delta, bool negative) {
    std::uint64_t inv = ax;  // Newton: ax * inv = 1 modulo 2^31 (ax odd)
    for (int i = 0; i < 5; ++i) inv = (inv * (2 - ax * inv)) % kMod;
    const std::uint64_t target = static_cast<std::uint64_t>(static_cast<std::int64_t>(kMod / 2) + delta);
    const std::uint64_t m = target * inv % kMod;
    if (m < static_cast<std::uint64_t>(kM30)) return;
    if (ax * m % kMod != target) {
      ADD_FAILURE() << "not next to a half: |x| " << ax << " m " << m;
      return;
    }
    const std::int64_t x = negative ? -static_cast<std::int64_t>(ax) : static_cast<std::int64_t>(ax);
    Params q;
    q.multiplier = static_cast<std::int32_t>(m);
    const std::int32_t srd = gn::saturating_rounding_doubling_high_mul(static_cast<std::int32_t>(x), q.multiplier);
    q.shift = -std::clamp(bit_length(srd) - 6, 0, 31);
    cases.push_back(with_x(q, x, r));
  };
  for (std::uint64_t ax = 1; ax < 256; ax += 2)
    for (int delta : {-1, 1})
      for (bool negative : {false, true}) add(ax, delta, negative);
  const std::size_t small = cases.size();
  for (int i = 0; i < 20000; ++i)
    add(static_cast<std::uint64_t>(r.in(128, (kI32Max - 1) / 2)) * 2 + 1, r.chance(0.5) ? 1 : -1, r.chance(0.5));
  fmt::print("  {} products next to an SRDHM half ({} with the SRDHM as the byte)\n", cases.size(), small);
  EXPECT_GT(small, 200u);
  const long n = check_cases(d, cases, "next to an SRDHM half");
  EXPECT_EQ(n, static_cast<long>(cases.size()));
}

// RoundingDivideByPOT of an exact half (s = k * 2^e + 2^(e-1)) rounds away
// from zero: 2.5 -> 3, -2.5 -> -3; one either side of it rounds to nearest.
TEST(RequantTies, RoundingDivideExactHalvesAwayFromZero) {
  Rng r(seed_for(3));
  Dut d(seed_for(3));
  std::vector<std::pair<Params, Cap>> cases;
  long ties = 0, negative_ties = 0;
  EXPECT_EQ(gn::rounding_divide_by_pot(5, 1), 3);
  EXPECT_EQ(gn::rounding_divide_by_pot(-5, 1), -3);
  for (int e = 1; e <= 31; ++e) {
    for (int k = -128; k <= 126; ++k) {
      const std::int64_t half = k * (std::int64_t{1} << e) + (std::int64_t{1} << (e - 1));
      for (std::int64_t s : {half, half - 1, half + 1}) {
        if (s < kI32Min || s > kI32Max) continue;
        for (std::int64_t m : {std::int64_t{kM30}, std::int64_t{kMMax}, r.in(kM30, kMMax)}) {
          // The x whose SRDHM by m is s.
          const auto x0 = static_cast<std::int64_t>(std::llround(static_cast<long double>(s) * std::ldexp(1.0L, 31) / static_cast<long double>(m)));
          for (std::int64_t x = x0 - 3; x <= x0 + 3; ++x) {
            if (x < kI32Min || x > kI32Max) continue;
            if (gn::saturating_rounding_doubling_high_mul(static_cast<std::int32_t>(x), static_cast<std::int32_t>(m)) != s) continue;
            Params p;
            p.multiplier = static_cast<std::int32_t>(m);
            p.shift = -e;
            cases.push_back(with_x(p, x, r));
            if (s == half) {
              ++ties;
              negative_ties += s < 0;
            }
            break;
          }
        }
      }
    }
  }
  const long n = check_cases(d, cases, "RoundingDivideByPOT tie");
  fmt::print("  {} RoundingDivideByPOT exact halves ({} negative) among {} cases\n", ties, negative_ties, n);
  EXPECT_GT(ties, 3000);
  EXPECT_GT(negative_ties, 1000);
}

// --------------------------------------------------------------- saturation

// acc + bias beyond int32 saturates (not wraps) before the scaling.
TEST(RequantSaturation, AccPlusBiasSaturatesToInt32) {
  Rng r(seed_for(4));
  Dut d(seed_for(4));
  std::vector<std::pair<Params, Cap>> cases;
  long beyond = 0;
  const std::int64_t sums[] = {kI32Max - 1, kI32Max, kI32Max + 1, kI32Max + 2, kI32Max + kAccMax / 2, kI32Max + kAccMax,
                               kI32Min + 1, kI32Min, kI32Min - 1, kI32Min - 2, kI32Min + kAccMin / 2, kI32Min + kAccMin};
  const std::int64_t accs[] = {kAccMax, kAccMax - 1, kAccMax / 3, 2, 1, 0, -1, -2, kAccMin / 3, kAccMin + 1, kAccMin};
  const std::pair<std::int32_t, int> scales[] = {{kM30, -24}, {kMMax, -26}, {kM30, -31}, {3 << 29, -25}, {kMMax, -31}, {kM30, 0}};
  for (std::int64_t sum : sums)
    for (std::int64_t acc : accs) {
      const std::int64_t bias = sum - acc;
      if (bias < kI32Min || bias > kI32Max) continue;
      for (auto [m, shift] : scales)
        for (int zp : {0, 5, -7}) {
          Params p;
          p.bias = static_cast<std::int32_t>(bias);
          p.multiplier = m;
          p.shift = shift;
          p.zp = zp;
          cases.emplace_back(p, Cap{acc, static_cast<std::uint32_t>(r.in(0, kPosMax)), static_cast<std::uint16_t>(r.in(0, 0xffff)), true});
          beyond += sum != sat32(sum);
        }
    }
  // Random sums beyond int32.
  for (int i = 0; i < 3000; ++i) {
    Params p = random_params(r);
    const std::int64_t acc = r.in(kAccMin, kAccMax);
    p.bias = static_cast<std::int32_t>(acc >= 0 ? kI32Max - r.in(0, acc) : kI32Min + r.in(0, -acc));
    cases.emplace_back(p, Cap{acc, static_cast<std::uint32_t>(r.in(0, kPosMax)), static_cast<std::uint16_t>(r.in(0, 0xffff)), true});
    beyond += acc + p.bias != sat32(acc + p.bias);
  }
  check_cases(d, cases, "acc + bias saturation");
  fmt::print("  {} of {} cases with acc + bias beyond int32\n", beyond, cases.size());
  EXPECT_GT(beyond, 1000);
}

// The left shift by shift > 0 saturates to int32 (both ends), exactly where
// x * 2^shift leaves the int32 range.
TEST(RequantSaturation, LeftShiftSaturates) {
  Rng r(seed_for(5));
  Dut d(seed_for(5));
  std::vector<std::pair<Params, Cap>> cases;
  long saturating = 0;
  for (int s = 1; s <= 30; ++s) {
    const std::int64_t hi = kI32Max >> s, lo = -(std::int64_t{1} << (31 - s));
    std::vector<std::int64_t> xs = {hi, hi + 1, hi + 2, lo, lo - 1, lo - 2, 1, -1, 2, -2, 3, -3, kI32Max, kI32Min, 0};
    for (int i = 0; i < 6; ++i) xs.push_back(r.in(kI32Min, kI32Max));
    for (std::int64_t x : xs)
      for (std::int32_t m : {kM30, kMMax, 0, static_cast<std::int32_t>(r.in(kM30, kMMax))}) {
        Params p;
        p.multiplier = m;
        p.shift = s;
        p.zp = static_cast<int>(r.in(-128, 127));
        if (r.chance(0.3)) p.act_min = static_cast<int>(r.in(-128, 0)), p.act_max = static_cast<int>(r.in(0, 127));
        cases.push_back(with_x(p, x, r));
        saturating += x * (std::int64_t{1} << s) != sat32(x * (std::int64_t{1} << s));
      }
  }
  // Small x and shifts whose result stays inside int8: the shift is exact.
  for (int s = 1; s <= 9; ++s)
    for (int x = -9; x <= 9; ++x)
      for (std::int32_t m : {kM30, kMMax, static_cast<std::int32_t>(r.in(kM30, kMMax))}) {
        Params p;
        p.multiplier = m;
        p.shift = s;
        cases.push_back(with_x(p, x, r));
      }
  check_cases(d, cases, "left shift saturation");
  fmt::print("  {} of {} left-shift cases saturate\n", saturating, cases.size());
  EXPECT_GT(saturating, 500);
}

// The zero point is added in full width and the sum clamped to
// [act_min, act_max]: values at, just inside and just outside each end, zero
// points at -128 and 127 that push the sum past int8, results near int32's
// ends plus the zero point.
TEST(RequantSaturation, ClampAtActRangeAndExtremeZeroPoints) {
  Rng r(seed_for(6));
  Dut d(seed_for(6));
  std::vector<std::pair<Params, Cap>> cases;
  long at_min = 0, at_max = 0, inside = 0;
  std::vector<std::pair<int, int>> ranges = {{-128, 127}, {-128, -128}, {127, 127}, {0, 127}, {-5, 9}, {-128, 0}};
  for (int i = 0; i < 6; ++i) {
    const int a = static_cast<int>(r.in(-128, 127)), b = static_cast<int>(r.in(-128, 127));
    ranges.emplace_back(std::min(a, b), std::max(a, b));
  }
  for (int zp : {-128, -127, -1, 0, 1, 126, 127})
    for (auto [lo, hi] : ranges) {
      Params p;  // multiplier 2^30, shift 0: the result is x / 2 for even x
      p.zp = zp;
      p.act_min = lo;
      p.act_max = hi;
      std::vector<std::int64_t> vs = {-(std::int64_t{1} << 30), (std::int64_t{1} << 30) - 1, 255, 256, 257, 261, -255, -256, -257, 128,
                                      -129, 300, -300, 0};
      for (int b : {lo, hi})
        for (int dv = -2; dv <= 2; ++dv) vs.push_back(b - zp + dv);
      for (std::int64_t v : vs) {
        cases.push_back(with_x(p, 2 * v, r));
        const std::int64_t y = v + zp;
        at_min += y <= lo;
        at_max += y >= hi;
        inside += y > lo && y < hi;
      }
      // Results near int32's ends: the zero point must not wrap them.
      for (std::int64_t x : {kI32Max, kI32Max - 1, kI32Min, kI32Min + 1}) {
        Params q = p;
        q.multiplier = kMMax;
        cases.push_back(with_x(q, x, r));
      }
    }
  check_cases(d, cases, "clamp");
  fmt::print("  clamp: {} cases at or below act_min, {} at or above act_max, {} inside\n", at_min, at_max, inside);
}

// ---------------------------------------------------------------- write-back

Params handshake_params(Rng& r) {
  Params p = random_params(r);
  return p;
}

// wr_ready_i low for any number of cycles: wr_valid_o stays high with data,
// address and lane unchanged; one ready cycle takes the write and the unit
// is idle again.
TEST(RequantWriteBack, ReadyLowHoldsValidAndData) {
  Rng r(seed_for(7));
  Dut d(seed_for(7));
  long mismatches = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const Params p = handshake_params(r);
    const int hold = static_cast<int>(r.in(1, 60));
    int held = 0;
    Vrq& m = d.m();
    // Before the result: wr_ready_i random (it must not matter); then `hold` cycles low.
    const std::function<bool()> ready = [&] {
      if (!m.wr_valid_o) return r.chance(0.5);
      if (held == hold) return true;
      ++held;
      return false;
    };
    const std::vector<Cap> caps = {random_cap(r, p)};
    d.load(p);
    const Trace t = run(d, caps, ready);
    ASSERT_FALSE(t.timeout) << describe(p, caps[0]);
    EXPECT_EQ(t.violation, "") << describe(p, caps[0]);
    EXPECT_EQ(t.stall_cycles, hold) << describe(p, caps[0]);
    EXPECT_EQ(t.valid_cycles, hold + 1) << describe(p, caps[0]);
    ASSERT_EQ(t.writes.size(), 1u) << describe(p, caps[0]);
    if (t.writes[0] != expected_write(p, caps[0]) && mismatches++ < 10)
      ADD_FAILURE() << describe(p, caps[0]) << ": expected " << describe(expected_write(p, caps[0])) << ", got " << describe(t.writes[0]);
    EXPECT_TRUE(m.idle_o && !m.wr_valid_o && m.can_cap_o);
  }
  EXPECT_EQ(mismatches, 0);
}

// keep_i = 0: the result is dropped, wr_valid_o never rises (even with
// wr_ready_i low throughout) and the unit becomes idle by itself; kept and
// dropped captures mixed write exactly the kept ones, in order.
TEST(RequantWriteBack, KeepZeroWritesNothingAndGoesIdle) {
  Rng r(seed_for(8));
  Dut d(seed_for(8));
  long mismatches = 0;
  long max_latency = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const Params p = handshake_params(r);
    Cap c = random_cap(r, p);
    c.keep = false;
    d.load(p);
    const Trace t = run(d, {c}, [] { return false; });
    ASSERT_FALSE(t.timeout) << "keep 0 never went idle with wr_ready_i low: " << describe(p, c);
    EXPECT_EQ(t.valid_cycles, 0) << describe(p, c);
    EXPECT_TRUE(t.writes.empty());
    max_latency = std::max(max_latency, t.cycles_after_last_capture);
    // Scaling takes 1 + max(shift, 0) + 4 cycles after the capture register.
    EXPECT_LE(t.cycles_after_last_capture, 2 + std::max(p.shift, 0) + 4 + 1) << describe(p, c);
    // Mixed kept and dropped captures, back to back, stalling write-back.
    std::vector<Cap> caps;
    for (int i = static_cast<int>(r.in(1, 6)); i > 0; --i) caps.push_back(random_cap(r, p, 0.5));
    check_batch(d, p, caps, [&r] { return r.chance(0.4); }, {}, &mismatches, "keep mix");
    if (HasFatalFailure()) return;
  }
  fmt::print("  keep 0: idle at most {} cycles after the capture\n", max_latency);
  EXPECT_EQ(mismatches, 0);
}

// A capture while the previous one is being scaled waits in the capture
// register (can_cap_o high while only the scaler is busy, low once both are
// full) and is written after it, in order, with its own address and value.
TEST(RequantWriteBack, SecondCaptureWhileScalingKeepsOrder) {
  Rng r(seed_for(9));
  Dut d(seed_for(9));
  long mismatches = 0, overlapped = 0, trials = 0, both_full = 0;
  for (int trial = 0; trial < 1000; ++trial, ++trials) {
    const Params p = handshake_params(r);
    std::vector<Cap> caps;
    for (int i = static_cast<int>(r.in(2, 4)); i > 0; --i) caps.push_back(random_cap(r, p, 0.9));
    caps[1].chan = static_cast<std::uint16_t>(caps[0].chan ^ 1);  // the other lane of the same word
    caps[1].pos_addr = caps[0].pos_addr;
    std::size_t k = 0;
    const int second_gap = static_cast<int>(r.in(0, 3 + std::max(p.shift, 0) + 4));
    const std::function<int()> gap = [&] { return k++ == 1 ? second_gap : (k > 2 ? static_cast<int>(r.in(0, 4)) : 0); };
    const double pr = r.chance(0.5) ? 1.0 : 0.3;
    d.load(p);
    const Trace t = run(d, caps, [&r, pr] { return r.chance(pr); }, gap);
    ASSERT_FALSE(t.timeout) << describe(p, caps[0]);
    EXPECT_EQ(t.violation, "") << describe(p, caps[0]);
    std::vector<Write> want;
    for (const Cap& c : caps)
      if (c.keep) want.push_back(expected_write(p, c));
    ASSERT_EQ(t.writes.size(), want.size()) << describe(p, caps[0]);
    for (std::size_t i = 0; i < want.size(); ++i)
      if (t.writes[i] != want[i] && mismatches++ < 10)
        ADD_FAILURE() << "write " << i << " of " << want.size() << " (" << describe(p, caps[0]) << "): expected " << describe(want[i])
                      << ", got " << describe(t.writes[i]);
    overlapped += t.busy_at_capture.size() > 1 && t.busy_at_capture[1];
    both_full += t.can_cap_low_cycles > 0;
  }
  // Directed: A, then B one cycle later (A's scaling has begun, the capture
  // register is free), then can_cap_o low while A is scaled and B held (it
  // rises as A's byte moves to the output register and B to the scaler).
  {
    Params p;
    p.multiplier = kMMax;
    p.shift = -3;
    d.load(p);
    Vrq& m = d.m();
    const Cap a{100, 0x40, 6, true}, b{-100, 0x40, 7, true};
    ASSERT_TRUE(m.can_cap_o && m.idle_o);
    d.drive_cap(a);
    d.tick();
    m.cap_i = 0;
    m.eval();
    EXPECT_TRUE(m.can_cap_o) << "the capture register should pass A on to the scaler at once";
    EXPECT_FALSE(m.idle_o);
    d.drive_cap(b);
    d.tick();
    m.cap_i = 0;
    m.eval();
    int low = 0;
    std::vector<Write> got;
    for (int c = 0; c < 100 && got.size() < 2; ++c) {
      m.wr_ready_i = 1;
      m.eval();
      if (got.empty()) low += !m.can_cap_o;
      if (m.wr_valid_o) got.push_back(d.output());
      d.tick();
    }
    m.wr_ready_i = 0;
    m.eval();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], expected_write(p, a)) << describe(got[0]);
    EXPECT_EQ(got[1], expected_write(p, b)) << describe(got[1]);
    EXPECT_GE(low, 4);  // at least the four product cycles
    EXPECT_TRUE(m.idle_o);
  }
  fmt::print("  {} of {} trials captured the second while the first was in flight; {} filled both registers\n", overlapped, trials,
             both_full);
  EXPECT_EQ(mismatches, 0);
  EXPECT_GT(overlapped, trials / 2);
  EXPECT_GT(both_full, trials / 2);
}

// clear_i drops whatever is captured, being scaled or waiting to be written:
// the unit is idle at once, writes nothing afterwards, and the next capture
// comes out right.
TEST(RequantWriteBack, ClearDropsPendingWork) {
  Rng r(seed_for(10));
  Dut d(seed_for(10));
  long mismatches = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const Params p = handshake_params(r);
    d.load(p);
    Vrq& m = d.m();
    m.wr_ready_i = 0;
    const int n = static_cast<int>(r.in(1, 2));
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(m.can_cap_o);
      d.drive_cap(random_cap(r, p));
      d.tick();
      m.cap_i = 0;
      m.eval();
    }
    // Clear while captured, mid-scaling or with the result waiting.
    const int before = static_cast<int>(r.in(0, 2 + std::max(p.shift, 0) + 8 + 6));
    for (int c = 0; c < before; ++c) d.tick();
    ASSERT_FALSE(m.idle_o);
    m.clear_i = 1;
    d.tick();
    m.clear_i = 0;
    m.eval();
    EXPECT_TRUE(m.idle_o) << "trial " << trial << ": not idle after clear_i";
    EXPECT_TRUE(m.can_cap_o);
    EXPECT_FALSE(m.wr_valid_o);
    int valid = 0;
    m.wr_ready_i = 1;
    for (int c = 0; c < 60; ++c) {
      m.eval();
      valid += m.wr_valid_o;
      d.tick();
    }
    m.wr_ready_i = 0;
    EXPECT_EQ(valid, 0) << "trial " << trial << ": a write after clear_i";
    // The next capture, with new parameters, is unaffected.
    const Params q = handshake_params(r);
    check_batch(d, q, {random_cap(r, q)}, kAlwaysReady, {}, &mismatches, "after clear_i");
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(mismatches, 0);
}

// The bias is taken with the capture, the multiplier and shift while the
// channel waits (the PE holds the last captured channel's until the next
// capture): the PE feeds its AUs' results one after the other, each with its
// own parameters, and changes the bias while the previous channel is still
// being scaled.
TEST(RequantWriteBack, BiasIsTakenWithTheCaptureMultiplierAndShiftUntilTheNext) {
  Rng r(seed_for(13));
  Dut d(seed_for(13));
  Vrq& m = d.m();
  long mismatches = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const Params first = random_params(r);
    std::vector<Params> ps{first};
    std::vector<Cap> caps{random_cap(r, first)};
    for (int i = static_cast<int>(r.in(1, 3)); i > 0; --i) {
      Params q = random_params(r);
      q.zp = first.zp;  // zero point and activation range are the layer's
      q.act_min = first.act_min;
      q.act_max = first.act_max;
      ps.push_back(q);
      caps.push_back(random_cap(r, q));
    }
    std::vector<Write> got;
    std::size_t next = 0;
    for (int c = 0; c < 1000 && got.size() < caps.size(); ++c) {
      m.cap_i = 0;
      // The multiplier and shift of the last capture (until the next one
      // has been taken), anything else elsewhere.
      const bool capturing = next < caps.size() && m.can_cap_o;
      d.load(capturing ? ps[next] : random_params(r));
      if (next > 0) {
        m.mult_i = static_cast<std::uint32_t>(ps[next - 1].multiplier);
        m.shift_i = static_cast<std::uint8_t>(ps[next - 1].shift) & 0x3fu;
      }
      m.out_zp_i = static_cast<std::uint8_t>(static_cast<std::int8_t>(first.zp));
      m.act_min_i = static_cast<std::uint8_t>(static_cast<std::int8_t>(first.act_min));
      m.act_max_i = static_cast<std::uint8_t>(static_cast<std::int8_t>(first.act_max));
      if (capturing) d.drive_cap(caps[next++]);
      m.wr_ready_i = 1;
      m.eval();
      if (m.wr_valid_o) got.push_back(d.output());
      d.tick();
    }
    m.cap_i = 0;
    m.wr_ready_i = 0;
    m.eval();
    ASSERT_EQ(got.size(), caps.size()) << "trial " << trial;
    for (std::size_t i = 0; i < caps.size(); ++i)
      if (got[i] != expected_write(ps[i], caps[i]) && mismatches++ < 10)
        ADD_FAILURE() << "trial " << trial << " write " << i << " (" << describe(ps[i], caps[i]) << "): expected "
                      << describe(expected_write(ps[i], caps[i])) << ", got " << describe(got[i]);
  }
  EXPECT_EQ(mismatches, 0);
}

// wr_addr_o = pos_addr_i + chan_i / 2, wr_lane_o = chan_i[0], as captured,
// at the extremes of both.
TEST(RequantWriteBack, AddressIsPosPlusHalfChannelLaneIsBit0) {
  Rng r(seed_for(11));
  Dut d(seed_for(11));
  long mismatches = 0;
  const std::uint32_t addrs[] = {0, 1, 0xffff, 0x10000, kPosMax - 1, kPosMax};
  const std::uint16_t chans[] = {0, 1, 2, 3, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff};
  Params p;
  for (std::uint32_t a : addrs)
    for (std::uint16_t c : chans) {
      Cap cap{r.in(-1000, 1000), a, c, true};
      check_batch(d, p, {cap}, kAlwaysReady, {}, &mismatches, "address");
    }
  for (int i = 0; i < 2000; ++i) {
    p = random_params(r);
    std::vector<Cap> caps;
    for (int j = static_cast<int>(r.in(1, 4)); j > 0; --j) caps.push_back(random_cap(r, p));
    check_batch(d, p, caps, [&r] { return r.chance(0.7); }, {}, &mismatches, "address");
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(mismatches, 0);
}

#ifdef STRATA_RQ_POSIT
// ------------------------------------------------------------------ posit8

// A posit8 layer's int8 output: acc_i in units of 2^-12 over its whole
// width, saturated to int32 with the bias, then the same rescaling.
TEST(RequantPosit8, UnitsOfTwoToTheMinus12SaturateToInt32) {
  Rng r(seed_for(20));
  Dut d(seed_for(20));
  constexpr std::int64_t lo = -(std::int64_t{1} << (kPositW - 1)), hi = -lo - 1;
  long compared = 0, mismatches = 0, saturated = 0;
  for (int b = 0; b < 4000; ++b) {
    Params p = random_params(r);
    p.posit = true;
    std::vector<Cap> caps;
    const int n = static_cast<int>(r.in(1, 4));
    for (int i = 0; i < n; ++i) {
      Cap c = random_cap(r, p);
      if (r.chance(0.3)) c.acc = std::clamp(r.log_uniform(kPositW - 1), lo, hi);
      if (r.chance(0.02)) c.acc = r.chance(0.5) ? lo : hi;
      saturated += c.keep && c.acc + p.bias != sat32(c.acc + p.bias);
      caps.push_back(c);
    }
    compared += check_batch(d, p, caps, kAlwaysReady, {}, &mismatches, fmt::format("posit8 units, batch {} (seed {})", b, g_seed));
    if (HasFatalFailure() || mismatches > 50) break;
  }
  EXPECT_EQ(mismatches, 0) << mismatches << " of " << compared << " bytes differ (replay: --seed=" << g_seed << ")";
  EXPECT_GT(saturated, 0) << "some sums should leave int32";
}

// A posit8 output: every read-out code, clamped as a two's complement
// integer to activation ranges of every kind; the requantizer's own result
// is not used.
TEST(RequantPosit8, ReadOutCodesAreClampedAsCodes) {
  Rng r(seed_for(21));
  Dut d(seed_for(21));
  long compared = 0, mismatches = 0;
  const std::pair<int, int> ranges[] = {{-128, 127}, {0, 127}, {0, 0x74}, {-5, 5}, {127, 127}};
  for (const auto& [amin, amax] : ranges)
    for (int code = 0; code < 256; code += 8) {
      Params p = random_params(r);
      p.posit = true;
      p.raw = true;
      p.act_min = amin;
      p.act_max = amax;
      std::vector<Cap> caps;
      for (int k = 0; k < 8; ++k) {
        Cap c = random_cap(r, p);
        c.code = static_cast<std::uint8_t>(code + k);
        caps.push_back(c);
      }
      compared += check_batch(d, p, caps, r.chance(0.5) ? kAlwaysReady : std::function<bool()>([&r] { return r.chance(0.3); }), {}, &mismatches,
                              fmt::format("posit8 read-out codes {}..{}, range {}..{}", code, code + 7, amin, amax));
      if (HasFatalFailure()) return;
    }
  EXPECT_EQ(mismatches, 0) << mismatches << " of " << compared << " bytes differ";
}
#endif

}  // namespace
}  // namespace strata::rq_test

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--seed=", 7) == 0) strata::rq_test::g_seed = std::stoull(argv[i] + 7);
    else if (std::strncmp(argv[i], "--samples=", 10) == 0) strata::rq_test::g_samples = std::stol(argv[i] + 10);
    else {
      fmt::print(stderr, "requant_cosim: unknown argument {}\n", argv[i]);
      return 2;
    }
  }
  fmt::print("requant_cosim: config {}, ACC_W {}, seed {} (replay with --seed={})\n", STRATA_RQ_CONFIG, STRATA_RQ_ACC_W,
             strata::rq_test::g_seed, strata::rq_test::g_seed);
  return RUN_ALL_TESTS();
}
