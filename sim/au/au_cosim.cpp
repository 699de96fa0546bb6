// Co-simulation of generated AUs against the golden model. sim/cosim writes
// au_duts.h: one Verilated model per config (STRATA_DUTS lists model class and
// config file). The tests registered for a config depend on the formats it
// enables, so none is skipped and none is empty.
//
//   au_cosim [--seed=N] [--vectors=N] [--trace=FILE.fst] [GoogleTest flags]
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <map>
#include <random>

#include "au/au_harness.h"
#include "au_duts.h"
#include "config/config.h"

namespace strata::sim {
namespace {

std::uint64_t g_seed = 1;
std::uint64_t g_vectors = 1000000;
std::string g_trace;

// One generated AU: its config and a factory of harnesses for its model.
struct Dut {
  std::string path;
  SocConfig config;
  std::function<std::unique_ptr<AuDriver>(const golden::AuSpec&, std::uint64_t, const std::string&)> make;
};

std::vector<Dut>& duts() {
  static std::vector<Dut> d;
  return d;
}

// The config of the test being run.
const Dut* g_dut = nullptr;
const SocConfig& config() { return g_dut->config; }

// Each test draws from its own stream: seed mixed with the test's name.
std::uint64_t test_seed(const std::string& name) {
  std::uint64_t h = g_seed ^ 0x9e3779b97f4a7c15ull;
  for (unsigned char ch : name) h = (h ^ ch) * 0x100000001b3ull;
  return h;
}

// The harness every test uses; the FST trace, if asked for, covers the first one.
std::unique_ptr<AuDriver> make_harness(const std::string& name) {
  static bool traced = false;
  std::string trace;
  if (!g_trace.empty() && !traced) {
    trace = g_trace;
    traced = true;
  }
  return g_dut->make(au_spec(config()), test_seed(config().name + "/" + name), trace);
}

// Packs per-lane values (low bits used) into an operand word.
std::uint16_t pack(const std::vector<unsigned>& lanes, int bits) {
  unsigned w = 0;
  for (std::size_t i = 0; i < lanes.size(); ++i) w |= (lanes[i] & ((1u << bits) - 1u)) << (bits * static_cast<int>(i));
  return static_cast<std::uint16_t>(w);
}
std::uint16_t splat(unsigned lane, const golden::FormatInfo& f) { return pack(std::vector<unsigned>(static_cast<std::size_t>(f.lanes), lane), f.lane_bits); }

// Codes of one lane of format f.
struct Codes {
  unsigned nar;                      // posits only; else unused
  std::vector<unsigned> corners;     // extremes other than NaR
  unsigned big, big_neg;             // largest magnitude, positive and negative
  unsigned small;                    // (integers) the most positive, for the largest negative product with `big`
};
Codes codes(const golden::FormatInfo& f) {
  const unsigned n = f.lane_bits, top = 1u << (n - 1), all = (1u << n) - 1;
  if (f.is_integer) return {0, {top, all, 0, 1, top - 1}, top, top, top - 1};  // (-2^(N-1))^2 up, (-2^(N-1))(2^(N-1)-1) down
  if (f.format == golden::Format::fp4) return {0, {0x0, 0x8, 0x1, 0x9, 0x2, 0x7, 0xf, 0x6}, 0x7, 0xf, 0};
  // posits: zero, minpos, -minpos, one, -one, maxpos, -maxpos
  return {top, {0, 1, all, top >> 1, all ^ ((top >> 1) - 1), top - 1, top + 1}, top - 1, top + 1, 0};
}

// A random lane code that is not NaR.
unsigned real_lane(std::mt19937_64& rng, const golden::FormatInfo& f) {
  const Codes c = codes(f);
  for (;;) {
    const unsigned x = static_cast<unsigned>(rng()) & ((1u << f.lane_bits) - 1);
    if (!f.has_nar || x != c.nar) return x;
  }
}

// An operand word biased to the corners: a quarter of the lanes take a
// corner value; one lane in 512 of a posit format is NaR.
std::uint16_t corner_biased(std::mt19937_64& rng, const golden::FormatInfo& f) {
  const Codes c = codes(f);
  std::vector<unsigned> lanes;
  for (int i = 0; i < f.lanes; ++i) {
    const auto r = rng();
    lanes.push_back(f.has_nar && r % 512 == 0 ? c.nar : r % 4 == 0 ? c.corners[(r >> 8) % c.corners.size()] : real_lane(rng, f));
  }
  return pack(lanes, f.lane_bits);
}

// A random enabled read-out format (the AU ignores it without a read-out).
int random_read_format(std::mt19937_64& rng) {
  const auto& enabled = config().au.formats;
  return static_cast<int>(enabled[rng() % enabled.size()]);
}

#define EXPECT_HARNESS_OK(h, min_results)                                                             \
  do {                                                                                                \
    (h).drain();                                                                                      \
    EXPECT_TRUE((h).ok()) << (h).failure() << "\n  replay: --seed=" << g_seed;                        \
    EXPECT_GE((h).results_checked(), static_cast<std::uint64_t>(min_results)) << "too few results compared"; \
    fmt::print("  compared {} results ({} saturated, {} NaR) over {} cycles ({:.2f} M cycles/s)\n", (h).results_checked(), \
               (h).saturated_results(), (h).nar_results(), (h).cycles(), (h).cycles_per_second() / 1e6);          \
  } while (0)

// Every operand pair of a <= 8-bit format in every lane position, the other
// lanes random real values, each beat its own dot product read out in its
// own format (the correctly rounded product); then every pair in all lanes.
void exhaustive(const golden::FormatInfo& f) {
  auto h = make_harness("exhaustive");
  std::mt19937_64 rng(test_seed("exhaustive-data"));
  const unsigned n = 1u << f.lane_bits;
  const auto code = static_cast<unsigned>(f.format);
  for (int lane = 0; lane < f.lanes; ++lane)
    for (unsigned x = 0; x < n; ++x)
      for (unsigned y = 0; y < n; ++y) {
        std::vector<unsigned> a, b;
        for (int i = 0; i < f.lanes; ++i) {
          a.push_back(i == lane ? x : real_lane(rng, f));
          b.push_back(i == lane ? y : real_lane(rng, f));
        }
        h->send({pack(a, f.lane_bits), pack(b, f.lane_bits), code, true});
      }
  for (unsigned x = 0; x < n; ++x)
    for (unsigned y = 0; y < n; ++y) h->send({splat(x, f), splat(y, f), code, true});
  EXPECT_HARNESS_OK(*h, (f.lanes + 1) * n * n);
}

// g_vectors random beats in dot products of random length 1..64, each read
// out in a random enabled format.
void random_beats(const golden::FormatInfo& f) {
  auto h = make_harness("random");
  std::mt19937_64 rng(test_seed("random-data"));
  std::uint64_t results = 0;
  for (std::uint64_t i = 0; i < g_vectors;) {
    const std::uint64_t len = 1 + rng() % 64;
    const int out = random_read_format(rng);
    for (std::uint64_t k = 0; k < len && i < g_vectors; ++k, ++i)
      h->send({corner_biased(rng, f), corner_biased(rng, f), static_cast<unsigned>(f.format), k + 1 == len || i + 1 == g_vectors, out});
    ++results;
  }
  EXPECT_HARNESS_OK(*h, results);
}

// The beats of largest magnitude, up and down, and their values in the
// accumulator's units (sizes the stimulus; the expected results come from
// the golden model as always).
struct Extremes {
  Beat up, down;
  mpz_class up_units, down_units;
};
Extremes compute_extremes(const golden::FormatInfo& f) {
  const Codes c = codes(f);
  const auto code = static_cast<unsigned>(f.format);
  Extremes e{{splat(c.big, f), splat(c.big, f), code, true}, {splat(c.big, f), splat(f.is_integer ? c.small : c.big_neg, f), code, true}, 0, 0};
  golden::AuModel m(au_spec(config()));
  e.up_units = m.accept(e.up.a, e.up.b, code, true)->acc;
  e.down_units = -m.accept(e.down.a, e.down.b, code, true)->acc;
  return e;
}
const Extremes& extremes(const golden::FormatInfo& f) {
  static std::map<std::pair<const Dut*, golden::Format>, Extremes> cache;
  const auto key = std::make_pair(g_dut, f.format);
  if (!cache.count(key)) cache.emplace(key, compute_extremes(f));
  return cache.at(key);
}

// Dot products of exactly max_accumulations worst-case beats reach the
// bound each way; the golden model says they must not saturate.
void accumulation_bounds(const golden::FormatInfo& f) {
  auto h = make_harness("bounds");
  const Extremes& x = extremes(f);
  const std::uint64_t k = config().au.max_accumulations;
  for (const Beat& b : {x.up, x.down})
    for (std::uint64_t i = 0; i < k; ++i) h->send({b.a, b.b, b.fmt, i + 1 == k});
  EXPECT_HARNESS_OK(*h, 2);
  EXPECT_EQ(h->saturated_results(), 0u) << "K worst-case beats must fit the accumulator";
}

// Beats needed to clamp the accumulator from zero with beats of `units`, plus two.
mpz_class beats_to_clamp(const mpz_class& units) {
  const int w = golden::au_shape(config().au.formats, config().au.max_accumulations).acc_width;
  return (mpz_class(1) << (w - 1)) / units + 3;
}

// Saturation is reachable within a test's time only for formats whose beats
// fill the accumulator in a few times max_accumulations beats, and only in
// an AU that has saturation logic: an engine's AUs (a config with nn) are
// built without it, because the sequencer never gives them more than
// max_accumulations beats, within which the accumulator cannot overflow.
bool saturation_reachable(const golden::FormatInfo& f) {
  if (config().nn) return false;
  const Extremes& x = extremes(f);
  return beats_to_clamp(x.down_units) <= 4 * config().au.max_accumulations + 8;
}

// Worst-case beats until the accumulator clamps, both ways, two beats past
// it, then one beat back: clamping is per step and flagged until `last`.
void saturation(const golden::FormatInfo& f) {
  auto h = make_harness("saturation");
  const Extremes& x = extremes(f);
  const std::uint64_t up = beats_to_clamp(x.up_units).get_ui(), down = beats_to_clamp(x.down_units).get_ui();  // reachable: small
  for (std::uint64_t i = 0; i < up; ++i) {
    const Beat& b = i + 1 == up ? x.down : x.up;
    h->send({b.a, b.b, b.fmt, i + 1 == up});
  }
  for (std::uint64_t i = 0; i < down; ++i) {
    const Beat& b = i + 1 == down ? x.up : x.down;
    h->send({b.a, b.b, b.fmt, i + 1 == down});
  }
  h->send(x.up);  // the flag does not leak into the next product
  EXPECT_HARNESS_OK(*h, 3);
  EXPECT_EQ(h->saturated_results(), 2u);
}

// g_vectors beats in long dot products: lengths up to max_accumulations (and
// a few past it, all beats extreme, so saturation is reached at random
// points), one random enabled format per product, with back-pressure.
void long_accumulations() {
  auto h = make_harness("long");
  h->set_backpressure(100, 50);
  std::mt19937_64 rng(test_seed("long-data"));
  const auto& enabled = config().au.formats;
  const std::uint64_t k = config().au.max_accumulations;
  const std::uint64_t longest = std::min<std::uint64_t>(k, 1u << 16);
  std::uint64_t results = 0;
  for (std::uint64_t i = 0; i < g_vectors; ++results) {
    const auto& f = golden::info(enabled[rng() % enabled.size()]);
    // One product in eight runs 3K..4K extreme beats that mostly drift one
    // way: enough to clamp wherever the format can fill the accumulator.
    const bool past = rng() % 8 == 0 && k <= (1u << 14) && saturation_reachable(f);
    const std::uint64_t len = past ? 3 * k + rng() % (k + 1) : 1 + rng() % longest;
    const Extremes& x = extremes(f);
    const bool upwards = rng() % 2;
    const int out = random_read_format(rng);
    for (std::uint64_t j = 0; j < len; ++j, ++i) {
      const bool up = (rng() % 32 != 0) == upwards;
      Beat b = past ? (up ? x.up : x.down) : Beat{corner_biased(rng, f), corner_biased(rng, f), static_cast<unsigned>(f.format), true};
      b.last = j + 1 == len;
      b.out_fmt = out;
      h->send(b);
    }
  }
  EXPECT_HARNESS_OK(*h, results);
}

// Random formats beat by beat (enabled and not) and random read-out codes
// (enabled and not), random lengths, with back-pressure on out_ready_i and
// idle cycles on the input.
void mixed_with_backpressure(unsigned ready_low, unsigned idle, const std::string& name) {
  auto h = make_harness(name);
  h->set_backpressure(ready_low, idle);
  std::mt19937_64 rng(test_seed(name + "-data"));
  const auto& enabled = config().au.formats;
  std::uint64_t results = 0;
  const std::uint64_t beats = std::max<std::uint64_t>(g_vectors / 4, 1000);
  for (std::uint64_t i = 0; i < beats;) {
    const std::uint64_t len = 1 + rng() % 16;
    const int out = rng() % 32 == 0 ? static_cast<int>(rng() % 8) : random_read_format(rng);
    for (std::uint64_t k = 0; k < len && i < beats; ++k, ++i) {
      // One beat in 64 carries any code, most likely one that is not enabled.
      const unsigned code = rng() % 64 == 0 ? static_cast<unsigned>(rng() % 8) : static_cast<unsigned>(enabled[rng() % enabled.size()]);
      const auto& f = golden::kFormats[code < golden::kFormats.size() ? code : 0];
      h->send({corner_biased(rng, f), corner_biased(rng, f), code, k + 1 == len || i + 1 == beats, out});
    }
    ++results;
  }
  EXPECT_HARNESS_OK(*h, results);
}

// NaR in every lane position of either operand, alone and inside longer
// products of every enabled format, and the product after it clean again.
void nar_corners(const golden::FormatInfo& f) {
  auto h = make_harness("nar");
  std::mt19937_64 rng(test_seed("nar-data"));
  const Codes c = codes(f);
  const auto code = static_cast<unsigned>(f.format);
  const auto& enabled = config().au.formats;
  std::uint64_t results = 0;
  for (int lane = 0; lane < f.lanes; ++lane)
    for (int side = 0; side < 2; ++side)
      for (int rep = 0; rep < 50; ++rep) {
        std::vector<unsigned> a, b;
        for (int i = 0; i < f.lanes; ++i) {
          a.push_back(real_lane(rng, f));
          b.push_back(real_lane(rng, f));
        }
        (side ? b : a)[static_cast<std::size_t>(lane)] = c.nar;
        const int len = 1 + static_cast<int>(rng() % 8), at = static_cast<int>(rng() % static_cast<unsigned>(len));
        const int out = random_read_format(rng);
        for (int k = 0; k < len; ++k) {
          const auto& g = golden::info(enabled[rng() % enabled.size()]);
          const Beat beat = k == at ? Beat{pack(a, f.lane_bits), pack(b, f.lane_bits), code, false}
                                    : Beat{corner_biased(rng, g), corner_biased(rng, g), static_cast<unsigned>(g.format), false};
          h->send({beat.a, beat.b, beat.fmt, k + 1 == len, out});
        }
        h->send({splat(real_lane(rng, f), f), splat(real_lane(rng, f), f), code, true, out});
        results += 2;
      }
  EXPECT_HARNESS_OK(*h, results);
  EXPECT_GE(h->nar_results(), results / 2);
}

const Dut* g_registering = nullptr;

// Registers a test of the DUT being registered; with several DUTs the test's
// name starts with the config's name.
void registered(const std::string& suite, const std::string& name, std::function<void()> body) {
  const Dut* dut = g_registering;
  const std::string full = duts().size() > 1 ? dut->config.name + "_" + name : name;
  testing::RegisterTest(suite.c_str(), full.c_str(), nullptr, nullptr, __FILE__, __LINE__, [body, dut]() -> testing::Test* {
    struct T : testing::Test {
      std::function<void()> f;
      const Dut* d;
      T(std::function<void()> g, const Dut* x) : f(std::move(g)), d(x) {}
      void TestBody() override {
        g_dut = d;
        f();
      }
    };
    return new T(body, dut);
  });
}

void register_tests(const Dut& dut) {
  g_registering = &dut;
  g_dut = &dut;
  for (golden::Format fmt : config().au.formats) {
    const auto& f = golden::info(fmt);
    if (f.lane_bits <= 8) registered("AuExhaustive", std::string(f.name), [&f] { exhaustive(f); });
    if (f.has_nar) registered("AuNaR", std::string(f.name), [&f] { nar_corners(f); });
    registered("AuRandom", std::string(f.name), [&f] { random_beats(f); });
    registered("AuAccumulationBounds", std::string(f.name), [&f] { accumulation_bounds(f); });
    if (saturation_reachable(f)) registered("AuSaturation", std::string(f.name), [&f] { saturation(f); });
  }
  registered("AuStream", "LongAccumulations", [] { long_accumulations(); });
  registered("AuStream", "MixedFormatsNoBackpressure", [] { mixed_with_backpressure(0, 0, "mixed"); });
  registered("AuStream", "MixedFormatsWithBackpressure", [] { mixed_with_backpressure(500, 300, "backpressure"); });
  registered("AuStream", "ResetMidStream", [] {
    auto h = make_harness("reset");
    h->set_backpressure(300, 100);
    std::mt19937_64 rng(test_seed("reset-data"));
    const auto& enabled = config().au.formats;
    std::uint64_t results = 0;
    for (int i = 0; i < 20000; ++i) {
      const auto& f = golden::info(enabled[rng() % enabled.size()]);
      const bool last = rng() % 5 == 0;
      h->send({corner_biased(rng, f), corner_biased(rng, f), static_cast<unsigned>(f.format), last, random_read_format(rng)});
      results += last;
      if (rng() % 97 == 0) h->reset(1 + static_cast<int>(rng() % 3));  // mid-product or with a result waiting
    }
    h->send({0x1111, 0x2222, static_cast<unsigned>(enabled[0]), true});
    EXPECT_HARNESS_OK(*h, results / 2);
  });
  registered("AuStream", "DisabledFormatCodes", [] {
    auto h = make_harness("disabled");
    const auto& enabled = config().au.formats;
    int bad = 0;
    for (unsigned code = 0; code < (1u << golden::kFormatCodeBits); ++code) {
      if (std::find(enabled.begin(), enabled.end(), static_cast<golden::Format>(code)) != enabled.end()) continue;
      ++bad;
      h->send({0x7fff, 0x7fff, code, true});                             // alone: 0 and the flag
      h->send({0x1234, 0x4321, static_cast<unsigned>(enabled[0]), false});  // inside a product
      h->send({0x7fff, 0x7fff, code, false});
      h->send({0x0101, 0x0303, static_cast<unsigned>(enabled[0]), true});
      h->send({0x0101, 0x0303, static_cast<unsigned>(enabled[0]), true});  // flag cleared again
    }
    EXPECT_HARNESS_OK(*h, 3 * bad);
  });
  registered("AuStream", "FullThroughput", [] {
    // Without back-pressure one beat is accepted every cycle and each result
    // appears exactly `latency` cycles after its last beat (checked per result).
    auto h = make_harness("throughput");
    const std::uint64_t start = h->cycles();
    const auto code = static_cast<unsigned>(config().au.formats[0]);
    for (int i = 0; i < 1000; ++i) h->send({static_cast<std::uint16_t>(i * 7919), static_cast<std::uint16_t>(i * 104729), code, i % 3 == 2});
    EXPECT_EQ(h->cycles() - start, 1000u) << "a beat was refused without back-pressure";
    EXPECT_HARNESS_OK(*h, 333);
  });
}

}  // namespace
}  // namespace strata::sim

int main(int argc, char** argv) {
  using namespace strata::sim;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--seed=", 7) == 0)
      g_seed = std::stoull(argv[i] + 7);
    else if (std::strncmp(argv[i], "--vectors=", 10) == 0)
      g_vectors = std::stoull(argv[i] + 10);
    else if (std::strncmp(argv[i], "--trace=", 8) == 0)
      g_trace = argv[i] + 8;
    else
      rest.push_back(argv[i]);
  }
  int n = static_cast<int>(rest.size());
  testing::InitGoogleTest(&n, rest.data());
  try {
#define STRATA_ADD_DUT(MODEL, PATH)                                                                                   \
  duts().push_back({PATH, strata::load_config(PATH), [](const strata::golden::AuSpec& spec, std::uint64_t seed, const std::string& trace) { \
                      return std::unique_ptr<AuDriver>(new AuHarness<MODEL>(spec, seed, trace));                          \
                    }});
    STRATA_DUTS(STRATA_ADD_DUT)
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  }
  for (const auto& d : duts()) {
    fmt::print("AU co-simulation of config '{}' ({})\n", d.config.name, d.path);
    register_tests(d);
  }
  fmt::print("seed {} (replay with --seed={}), {} random vectors\n", g_seed, g_seed, g_vectors);
  return RUN_ALL_TESTS();
}
