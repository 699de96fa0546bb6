// Co-simulation of a generated GELU unit against the golden model: every
// int8 input and every int16 input, for several scales and zero points, in
// both forms and in every bank, with random back-pressure and input gaps;
// mixed streams; throughput and latency; reset. The tests registered depend
// on the types the config enables, so none is skipped and none is empty.
//
//   gelu_cosim [--seed=N] [--vectors=N] [--quick] [--trace=FILE.fst] [GoogleTest flags]
// (--quick: one quantization per type, form and bank instead of all)
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

#include "Vgelu.h"
#include "config/config.h"
#include "gelu/gelu_harness.h"
#include "gelu_dut.h"

namespace strata::sim {
namespace {

namespace gm = golden::gelu;
using Harness = GeluHarness<Vgelu>;

std::uint64_t g_seed = 1;
std::uint64_t g_vectors = 200000;
bool g_quick = false;
std::string g_trace;
SocConfig g_config;

const GeluConfig& gelu() { return *g_config.gelu; }
int banks() { return static_cast<int>(gelu().forms.size()); }

std::uint64_t test_seed(const std::string& name) {
  std::uint64_t h = g_seed ^ 0x9e3779b97f4a7c15ull;
  for (unsigned char ch : name) h = (h ^ ch) * 0x100000001b3ull;
  return h;
}

std::unique_ptr<Harness> make_harness(const std::string& name) {
  static bool traced = false;
  std::string trace;
  if (!g_trace.empty() && !traced) {
    trace = g_trace;
    traced = true;
  }
  return std::make_unique<Harness>(STRATA_GELU_LATENCY, test_seed(name), trace);
}

// Symmetric ranges +-R, ranges whose output spans GELU's image [-0.17, R]
// with a zero point, and corners: zero points at the ends of the type and
// scale ratios that saturate the output at either end.
std::vector<gm::Quant> int16_quants() {
  std::vector<gm::Quant> v;
  for (double r : {8.0, 1.0, 64.0}) v.push_back({r / 32768, 0, r / 32768, 0});
  for (double r : {4.0, 16.0}) {
    const double so = (r + 0.17) / 65535;
    v.push_back({2 * r / 65535, -1000, so, -32768 + static_cast<int>(std::lround(0.17 / so))});
  }
  v.push_back({16.0 / 32768, 32767, 8.0 / 32768, -32768});  // every input <= z_in: the low end saturates
  v.push_back({16.0 / 32768, -32768, 4.0 / 32768, 0});      // ratio 4: the high end saturates
  v.push_back({0.003, 1234, 0.0011, -20000});
  return v;
}

std::vector<gm::Quant> int8_quants() {
  std::vector<gm::Quant> v;
  for (double r : {4.0, 1.0, 16.0}) v.push_back({r / 128, 0, r / 128, 0});
  for (double r : {3.0, 8.0}) {
    const double so = (r + 0.17) / 255;
    v.push_back({2 * r / 255, -5, so, -128 + static_cast<int>(std::lround(0.17 / so))});
  }
  v.push_back({0.25, 127, 0.05, -128});
  v.push_back({0.1, -128, 0.02, 100});
  return v;
}

std::string describe(const gm::Quant& q, gm::Form f) {
  return fmt::format("{} s_in {} z_in {} s_out {} z_out {}", to_string(f), q.in_scale, q.in_zero, q.out_scale, q.out_zero);
}

#define EXPECT_HARNESS_OK(h, min_checked)                                                             \
  do {                                                                                                \
    (h).drain();                                                                                      \
    EXPECT_TRUE((h).ok()) << (h).failure() << "\n  replay: --seed=" << g_seed;                        \
    EXPECT_GE((h).checked(), static_cast<std::uint64_t>(min_checked)) << "results compared (test bug)"; \
  } while (0)

// Loads bank `other` with an unrelated program so that a result from the
// wrong bank is seen.
void load_decoy(Harness& h, int bank, bool int16) {
  const gm::Quant decoy{0.5 / (int16 ? 256 : 1), 7, 0.3 / (int16 ? 256 : 1), -3};
  if (int16)
    h.load(gelu_map::int16_writes(bank, gm::int16_program(decoy, gm::Form::tanh, gelu().shape()), gelu().shape()));
  else
    h.load(gelu_map::table8_writes(bank, gm::int8_table(decoy, gm::Form::tanh)));
}

// Every input of `type` through bank b, for both forms and every quantization.
void exhaustive(bool int16) {
  auto h = make_harness(int16 ? "exhaustive16" : "exhaustive8");
  h->set_backpressure(250, 100);
  std::mt19937_64 rng(test_seed(int16 ? "exhaustive16-order" : "exhaustive8-order"));
  const int lo = int16 ? -32768 : -128, n = int16 ? 65536 : 256;
  std::vector<int> codes(static_cast<std::size_t>(n));
  std::iota(codes.begin(), codes.end(), lo);
  auto quants = int16 ? int16_quants() : int8_quants();
  if (g_quick) quants.resize(1);
  std::uint64_t want = 0, saturated_lo = 0, saturated_hi = 0;
  for (int b = 0; b < banks(); ++b) {
    if (banks() > 1) load_decoy(*h, 1 - b, int16);
    for (gm::Form form : {gm::Form::erf, gm::Form::tanh})
      for (const gm::Quant& q : quants) {
        SCOPED_TRACE(fmt::format("bank {}: {}", b, describe(q, form)));
        std::vector<int> expected(static_cast<std::size_t>(n));
        if (int16) {
          const gm::Int16Program p = gm::int16_program(q, form, gelu().shape());
          h->load(gelu_map::int16_writes(b, p, gelu().shape()));
          for (int i = 0; i < n; ++i) expected[static_cast<std::size_t>(i)] = gm::int16_eval(p, gelu().shape(), static_cast<std::int16_t>(lo + i));
        } else {
          const auto t = gm::int8_table(q, form);
          h->load(gelu_map::table8_writes(b, t));
          for (int i = 0; i < n; ++i) expected[static_cast<std::size_t>(i)] = gm::int8_eval(t, static_cast<std::int8_t>(lo + i));
        }
        std::shuffle(codes.begin(), codes.end(), rng);
        for (int x : codes) {
          const int y = expected[static_cast<std::size_t>(x - lo)];
          saturated_lo += y == lo;
          saturated_hi += y == lo + n - 1;
          h->send({x, int16, b, y});
        }
        want += static_cast<std::uint64_t>(n);
        h->drain();
        ASSERT_TRUE(h->ok()) << h->failure() << "\n  replay: --seed=" << g_seed;
      }
  }
  EXPECT_HARNESS_OK(*h, want);
  fmt::print("{}: {} results compared in {} cycles ({} at the low end, {} at the high end of the type)\n", int16 ? "int16" : "int8", h->checked(),
             h->cycles(), saturated_lo, saturated_hi);
  if (!g_quick) {
    EXPECT_GT(saturated_lo, 0u) << "no case saturates at the low end (test bug)";
    EXPECT_GT(saturated_hi, 0u) << "no case saturates at the high end (test bug)";
  }
}

// Each bank holds its own form's programs (both types); elements of random
// type and bank, back to back and with back-pressure.
void mixed_stream() {
  auto h = make_harness("mixed");
  std::mt19937_64 rng(test_seed("mixed-data"));
  struct Bank {
    std::array<std::int8_t, 256> table{};
    gm::Int16Program program;
  };
  std::vector<Bank> bank(static_cast<std::size_t>(banks()));
  const auto q8 = int8_quants();
  const auto q16 = int16_quants();
  for (int b = 0; b < banks(); ++b) {
    const gm::Form form = gelu().forms[static_cast<std::size_t>(b)];
    auto& bk = bank[static_cast<std::size_t>(b)];
    if (gelu().has(GeluType::int8)) {
      bk.table = gm::int8_table(q8[static_cast<std::size_t>(b) % q8.size()], form);
      h->load(gelu_map::table8_writes(b, bk.table));
    }
    if (gelu().has(GeluType::int16)) {
      bk.program = gm::int16_program(q16[(3 + static_cast<std::size_t>(b)) % q16.size()], form, gelu().shape());
      h->load(gelu_map::int16_writes(b, bk.program, gelu().shape()));
    }
  }
  std::uint64_t sent = 0;
  for (auto [ready_low, idle] : {std::pair{0u, 0u}, {300u, 0u}, {0u, 300u}, {500u, 200u}}) {
    h->set_backpressure(ready_low, idle);
    for (std::uint64_t i = 0; i < g_vectors / 4; ++i) {
      const bool int16 = gelu().types.size() == 2 ? (rng() & 1) : gelu().has(GeluType::int16);
      const int b = static_cast<int>(rng() % static_cast<unsigned>(banks()));
      const auto& bk = bank[static_cast<std::size_t>(b)];
      const int x = int16 ? static_cast<std::int16_t>(rng()) : static_cast<std::int8_t>(rng());
      const int y = int16 ? gm::int16_eval(bk.program, gelu().shape(), static_cast<std::int16_t>(x)) : gm::int8_eval(bk.table, static_cast<std::int8_t>(x));
      h->send({x, int16, b, y});
      ++sent;
    }
  }
  EXPECT_HARNESS_OK(*h, sent);
}

// Without back-pressure an element is accepted every cycle and each result
// leaves exactly LATENCY cycles after its element (checked per result).
void back_to_back() {
  auto h = make_harness("back-to-back");
  std::mt19937_64 rng(test_seed("back-to-back-data"));
  const bool int16 = gelu().has(GeluType::int16);
  gm::Int16Program p;
  std::array<std::int8_t, 256> t{};
  const gm::Quant q = int16 ? int16_quants()[0] : int8_quants()[0];
  if (int16) {
    p = gm::int16_program(q, gelu().forms[0], gelu().shape());
    h->load(gelu_map::int16_writes(0, p, gelu().shape()));
  } else {
    t = gm::int8_table(q, gelu().forms[0]);
    h->load(gelu_map::table8_writes(0, t));
  }
  constexpr int kElements = 10000;
  const std::uint64_t start = h->cycles();
  for (int i = 0; i < kElements; ++i) {
    const int x = int16 ? static_cast<std::int16_t>(rng()) : static_cast<std::int8_t>(rng());
    h->send({x, int16, 0, int16 ? gm::int16_eval(p, gelu().shape(), static_cast<std::int16_t>(x)) : gm::int8_eval(t, static_cast<std::int8_t>(x))});
  }
  const std::uint64_t accept_cycles = h->cycles() - start;
  EXPECT_EQ(accept_cycles, static_cast<std::uint64_t>(kElements)) << "an element was refused without back-pressure";
  EXPECT_HARNESS_OK(*h, kElements);
  fmt::print("gelu throughput: {} {} elements accepted in {} cycles, {:.3f} cycles per element; latency {} cycles\n", kElements,
             int16 ? "int16" : "int8", accept_cycles, static_cast<double>(accept_cycles) / kElements, STRATA_GELU_LATENCY);
}

// Reset drops the elements in flight (no result comes out for them) and
// keeps the programs.
void reset_in_flight() {
  auto h = make_harness("reset");
  const bool int16 = gelu().has(GeluType::int16);
  const gm::Quant q = int16 ? int16_quants()[0] : int8_quants()[0];
  gm::Int16Program p;
  std::array<std::int8_t, 256> t{};
  if (int16) {
    p = gm::int16_program(q, gelu().forms[0], gelu().shape());
    h->load(gelu_map::int16_writes(0, p, gelu().shape()));
  } else {
    t = gm::int8_table(q, gelu().forms[0]);
    h->load(gelu_map::table8_writes(0, t));
  }
  auto element = [&](int x) {
    return GeluElement{x, int16, 0, int16 ? gm::int16_eval(p, gelu().shape(), static_cast<std::int16_t>(x)) : gm::int8_eval(t, static_cast<std::int8_t>(x))};
  };
  for (int i = 0; i < STRATA_GELU_LATENCY; ++i) h->send(element(i * 37 - 50));
  EXPECT_GT(h->in_flight(), 0u);
  h->reset(1);
  h->drain();  // fails if a dropped element's result comes out
  for (int i = 0; i < 100; ++i) h->send(element(i * 101 - 3000));
  EXPECT_HARNESS_OK(*h, 100);
}

void register_tests() {
  auto reg = [](const char* suite, const char* name, std::function<void()> body) {
    testing::RegisterTest(suite, name, nullptr, nullptr, __FILE__, __LINE__, [body]() -> testing::Test* {
      struct T : testing::Test {
        std::function<void()> f;
        explicit T(std::function<void()> g) : f(std::move(g)) {}
        void TestBody() override { f(); }
      };
      return new T(body);
    });
  };
  if (gelu().has(GeluType::int8)) reg("GeluExhaustive", "Int8", [] { exhaustive(false); });
  if (gelu().has(GeluType::int16)) reg("GeluExhaustive", "Int16", [] { exhaustive(true); });
  reg("GeluStream", "MixedTypesAndBanksWithBackpressure", mixed_stream);
  reg("GeluStream", "BackToBackOneElementPerCycle", back_to_back);
  reg("GeluStream", "ResetDropsElementsInFlight", reset_in_flight);
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
    else if (std::strcmp(argv[i], "--quick") == 0)
      g_quick = true;
    else if (std::strncmp(argv[i], "--trace=", 8) == 0)
      g_trace = argv[i] + 8;
    else
      rest.push_back(argv[i]);
  }
  int n = static_cast<int>(rest.size());
  testing::InitGoogleTest(&n, rest.data());
  try {
    g_config = strata::load_config(STRATA_GELU_CONFIG);
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  }
  if (!g_config.gelu) {
    fmt::print(stderr, "{}: the config has no gelu section\n", STRATA_GELU_CONFIG);
    return 2;
  }
  fmt::print("GELU co-simulation of config '{}' ({}), latency {}\n", g_config.name, STRATA_GELU_CONFIG, STRATA_GELU_LATENCY);
  register_tests();
  fmt::print("seed {} (replay with --seed={}), {} mixed elements{}\n", g_seed, g_seed, g_vectors, g_quick ? ", quick" : "");
  return RUN_ALL_TESTS();
}
