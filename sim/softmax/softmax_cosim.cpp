// Co-simulation of a generated softmax unit against the golden model: random
// vectors of many lengths, logit spreads and scales for every algorithm, input
// and output type the config has, adversarial vectors, back-pressure and input
// gaps; every code, sum and reciprocal compared bit for bit.
//   softmax_cosim [--seed=N] [--vectors=N] [--timing] [GoogleTest flags]
// --vectors: random vectors per algorithm (default 10000); --timing prints
// the cycles per vector of each algorithm (no back-pressure, no gaps).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "config/config.h"
#include "softmax_harness.h"

namespace strata::sim {
namespace {

std::uint64_t g_seed = 1;
std::uint64_t g_vectors = 10000;
bool g_timing = false;

const SocConfig& config() {
  static const SocConfig c = load_config(STRATA_SM_CONFIG);
  return c;
}
const SoftmaxConfig& unit() { return *config().softmax; }

std::uint64_t test_seed(const std::string& name) {
  std::uint64_t h = g_seed ^ 0x9e3779b97f4a7c15ull;
  for (unsigned char ch : name) h = (h ^ ch) * 0x100000001b3ull;
  return h;
}

template <class E>
E pick(std::mt19937_64& rng, const std::vector<E>& v) {
  return v[rng() % v.size()];
}

int lo_of(sm::InType t) { return t == sm::InType::int8 ? -128 : -32768; }
int hi_of(sm::InType t) { return t == sm::InType::int8 ? 127 : 32767; }

// A scale whose logit steps span about 2^-12 .. 2^3 in base 2 (per int8
// step; int16 steps 256 times finer), or now and then any (M, s).
sm::Scale random_scale(std::mt19937_64& rng, sm::InType in) {
  if (rng() % 8 == 0) return {static_cast<std::uint32_t>(rng() & 0xffff), static_cast<int>(rng() % 32)};
  std::uniform_real_distribution<double> e(-12.0, 3.0);
  double y = std::exp2(e(rng));
  if (in == sm::InType::int16) y /= 256.0;
  return sm::scale_for(y / std::log2(std::exp(1.0)));
}

// Length 1..L_max: log-uniform, so short and long vectors both occur.
std::size_t random_length(std::mt19937_64& rng) {
  const double lmax = unit().max_length;
  std::uniform_real_distribution<double> u(0.0, std::log2(lmax + 1.0));
  return std::clamp<std::size_t>(static_cast<std::size_t>(std::exp2(u(rng))), 1, unit().max_length);
}

SmVector random_vector(std::mt19937_64& rng, sm::Algorithm a) {
  SmVector v;
  v.alg = a;
  v.in = pick(rng, unit().in_types);
  v.out = pick(rng, unit().out_types);
  v.scale = random_scale(rng, v.in);
  const int lo = lo_of(v.in), hi = hi_of(v.in);
  const int spreads[] = {0, 1, 3, 10, 40, 127, 1000, 65535};
  const int spread = spreads[rng() % (v.in == sm::InType::int8 ? 6 : 8)];
  const int centre = lo + static_cast<int>(rng() % static_cast<unsigned>(hi - lo + 1));
  const std::size_t n = random_length(rng);
  for (std::size_t i = 0; i < n; ++i) {
    const int d = spread == 0 ? 0 : static_cast<int>(rng() % (2 * static_cast<unsigned>(spread) + 1)) - spread;
    v.logits.push_back(std::clamp(centre + d, lo, hi));
  }
  return v;
}

#define EXPECT_HARNESS_OK(h)                                                                                                  \
  do {                                                                                                                        \
    EXPECT_TRUE((h).ok()) << (h).failure() << "\n  replay: --seed=" << g_seed << " --vectors=" << g_vectors;               \
  } while (0)

class SoftmaxRandom : public ::testing::TestWithParam<sm::Algorithm> {};

// g_vectors random vectors of one algorithm, every type the config has,
// with back-pressure and input gaps.
TEST_P(SoftmaxRandom, BitExact) {
  const sm::Algorithm a = GetParam();
  SoftmaxHarness h(test_seed(fmt::format("random-{}", sm::name(a))));
  std::mt19937_64 rng(test_seed(fmt::format("random-data-{}", sm::name(a))));
  h.set_backpressure(250, 150);
  for (std::uint64_t i = 0; i < g_vectors && h.ok(); ++i) {
    if (i % 1000 == 0) h.set_backpressure(static_cast<unsigned>(rng() % 600), static_cast<unsigned>(rng() % 600));
    h.send(random_vector(rng, a));
  }
  h.drain();
  EXPECT_HARNESS_OK(h);
  EXPECT_EQ(h.vectors_checked(), g_vectors);
  fmt::print("{}: {} vectors, {} codes, {} cycles\n", sm::name(a), h.vectors_checked(), h.codes_checked(), h.cycles());
}

// The corners: all logits equal, one dominant, the type's extremes, length 1
// and L_max, zero and extreme scales, for every type pair.
std::vector<SmVector> adversarial(sm::Algorithm a, std::mt19937_64& rng) {
  std::vector<SmVector> out;
  const std::size_t lmax = static_cast<std::size_t>(unit().max_length);
  for (auto in : unit().in_types)
    for (auto ot : unit().out_types) {
      const int lo = lo_of(in), hi = hi_of(in);
      const std::vector<sm::Scale> scales{{0, 0}, {1, 31}, {65535, 0}, {65535, 31}, {46341, 16}, sm::scale_for(in == sm::InType::int8 ? 0.1 : 0.001),
                                          sm::scale_for(1.0), {static_cast<std::uint32_t>(rng() & 0xffff), static_cast<int>(rng() % 32)}};
      for (const auto& sc : scales) {
        std::vector<std::vector<int>> vs;
        for (std::size_t n : {std::size_t{1}, std::size_t{2}, std::min<std::size_t>(3, lmax), lmax}) {
          vs.push_back(std::vector<int>(n, 0));
          vs.push_back(std::vector<int>(n, hi));
          vs.push_back(std::vector<int>(n, lo));
          std::vector<int> dom(n, lo);
          dom[rng() % n] = hi;
          vs.push_back(dom);
          std::vector<int> dom_last(n, 0);
          dom_last.back() = hi;
          vs.push_back(dom_last);
          std::vector<int> dom_first(n, lo);
          dom_first.front() = hi;
          vs.push_back(dom_first);
          std::vector<int> alt(n);
          for (std::size_t i = 0; i < n; ++i) alt[i] = i % 2 ? hi : lo;
          vs.push_back(alt);
          std::vector<int> rising(n), falling(n);
          for (std::size_t i = 0; i < n; ++i) {
            rising[i] = std::clamp(lo + static_cast<int>(i * 7), lo, hi);
            falling[i] = std::clamp(hi - static_cast<int>(i * 7), lo, hi);
          }
          vs.push_back(rising);
          vs.push_back(falling);
          std::vector<int> two_top(n, hi - 1);  // several at the maximum, the rest just below
          for (std::size_t i = 0; i < n; i += 3) two_top[i] = hi;
          vs.push_back(two_top);
        }
        for (auto& l : vs) out.push_back({l, a, in, ot, sc});
      }
    }
  return out;
}

class SoftmaxAdversarial : public ::testing::TestWithParam<sm::Algorithm> {};

TEST_P(SoftmaxAdversarial, BitExact) {
  const sm::Algorithm a = GetParam();
  SoftmaxHarness h(test_seed(fmt::format("adv-{}", sm::name(a))));
  std::mt19937_64 rng(test_seed(fmt::format("adv-data-{}", sm::name(a))));
  h.set_backpressure(300, 300);
  const auto vs = adversarial(a, rng);
  for (const auto& v : vs) h.send(v);
  h.drain();
  EXPECT_HARNESS_OK(h);
  EXPECT_EQ(h.vectors_checked(), vs.size());
}

// Vectors of every algorithm, interleaved, back to back: no gaps, no
// back-pressure (then with both), so a vector's selects never leak into the next.
TEST(SoftmaxStream, MixedAlgorithmsBackToBack) {
  SoftmaxHarness h(test_seed("mixed"));
  std::mt19937_64 rng(test_seed("mixed-data"));
  const std::uint64_t n = std::max<std::uint64_t>(g_vectors / 4, 200);
  for (std::uint64_t i = 0; i < n && h.ok(); ++i) {
    if (i == n / 2) h.set_backpressure(500, 500);
    h.send(random_vector(rng, pick(rng, unit().algorithms)));
  }
  h.drain();
  EXPECT_HARNESS_OK(h);
  EXPECT_EQ(h.vectors_checked(), n);
}

// Cycles per vector of each algorithm for a few lengths, streaming with no
// gaps and no back-pressure (printed for docs/results; not asserted).
TEST(SoftmaxTiming, CyclesPerVector) {
  if (!g_timing) GTEST_SKIP() << "run with --timing";
  std::mt19937_64 rng(test_seed("timing"));
  for (auto a : unit().algorithms) {
    bool printed_256 = false;
    for (std::size_t n : {std::size_t{1}, std::size_t{16}, std::size_t{64}, std::size_t{256}, std::size_t{unit().max_length}}) {
      const auto lmax = static_cast<std::size_t>(unit().max_length);
      if (n > lmax || (n == lmax && n == 256 && printed_256)) continue;
      printed_256 = printed_256 || n == 256;
      SoftmaxHarness h(1);
      SmVector v = random_vector(rng, a);
      v.logits.resize(n, v.logits.front());
      for (int rep = 0; rep < 3; ++rep) h.send(v);
      h.drain();
      const std::uint64_t total = h.cycles();
      EXPECT_HARNESS_OK(h);
      fmt::print("timing {} L={} cycles_per_vector={} cycles_3_vectors={}\n", sm::name(a), n, h.last_vector_cycles(), total);
    }
  }
}

std::string alg_name(const ::testing::TestParamInfo<sm::Algorithm>& i) { return std::string(sm::name(i.param)); }
INSTANTIATE_TEST_SUITE_P(Config, SoftmaxRandom, ::testing::ValuesIn(unit().algorithms), alg_name);
INSTANTIATE_TEST_SUITE_P(Config, SoftmaxAdversarial, ::testing::ValuesIn(unit().algorithms), alg_name);

}  // namespace
}  // namespace strata::sim

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--seed=", 7) == 0)
      strata::sim::g_seed = std::stoull(argv[i] + 7);
    else if (std::strncmp(argv[i], "--vectors=", 10) == 0)
      strata::sim::g_vectors = std::stoull(argv[i] + 10);
    else if (std::strcmp(argv[i], "--timing") == 0)
      strata::sim::g_timing = true;
  }
  fmt::print("softmax co-simulation of {}: seed {} (replay with --seed={}), {} random vectors per algorithm\n", STRATA_SM_CONFIG,
             strata::sim::g_seed, strata::sim::g_seed, strata::sim::g_vectors);
  return RUN_ALL_TESTS();
}
