// The trained pulse network's evaluation (host/pulse/pulse_nn.h) on an engine
// stand-in: the golden model itself, or the golden model with one bit
// flipped at one pulse, which the evaluation must stop at.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "pulse/pulse_nn.h"
#include "runtime/model_file.h"

namespace sp = strata::pulse;
namespace gn = strata::golden::nn;

namespace {

const std::string kModel = std::string(STRATA_SOURCE) + "/models/pulse_cnn_trained.json";

// Returns the golden model's output, with bit `bit` of element 0 flipped at
// pulse `bad` (none when bad is -1).
class GoldenEngine : public sp::Engine {
 public:
  GoldenEngine(const sp::PulseNetwork& n, long bad, int bit = 0) : n_(n), bad_(bad), bit_(bit) {}
  gn::Tensor run(const gn::Tensor& input, std::uint64_t& cycles) override {
    gn::Tensor out = gn::run(n_.model, input).at(n_.output);
    if (count_++ == bad_) out.data[0] = static_cast<gn::Code>(static_cast<std::int8_t>(out.data[0] ^ (1 << bit_)));
    cycles = 1000;
    return out;
  }
  std::string describe() const override { return "the golden stand-in"; }

 private:
  const sp::PulseNetwork& n_;
  long bad_, count_ = 0;
  int bit_;
};

sp::Dataset pulses(std::uint64_t count, std::uint64_t seed) {
  sp::PulseParams p;
  p.count = count;
  p.seed = seed;
  return sp::simulate(p);
}

}  // namespace

TEST(PulseNn, LoadsTheCommittedModelAndItsScaling) {
  const sp::PulseNetwork n = sp::load_pulse_network(kModel);
  EXPECT_EQ(n.model.input_length, 32);
  EXPECT_FALSE(n.time.channels.empty());
  EXPECT_FALSE(n.energy.channels.empty());
  EXPECT_EQ(n.time.channels.size(), n.energy.channels.size());
  EXPECT_EQ(n.pulse_path, sp::pulse_scaling_path(kModel));
}

TEST(PulseNn, InputCodesFollowTheWrittenRule) {
  const sp::PulseNetwork n = sp::load_pulse_network(kModel);
  const sp::Dataset d = pulses(4, 9);
  const gn::Tensor t = sp::network_input(n, d.event(0));
  ASSERT_EQ(t.length, 32);
  for (int k = 0; k < 32; ++k) {
    const int code = d.event(0)[static_cast<std::size_t>(k)];
    if (n.split_bits) {
      EXPECT_EQ(t.at(k, 0), (code >> n.split_bits) + n.model.input_quant.zero_point);
      EXPECT_EQ(t.at(k, 1), (code & ((1 << n.split_bits) - 1)) + n.model.input_quant.zero_point);
    } else {
      const double q = (code - n.offset) / n.divisor / n.model.input_quant.scale + n.model.input_quant.zero_point;
      EXPECT_LE(std::fabs(t.at(k, 0) - std::clamp(q, -128.0, 127.0)), 0.5 + 1e-6) << k;
    }
  }
}

TEST(PulseNn, DecodeAveragesTheCopies) {
  const sp::PulseNetwork n = sp::load_pulse_network(kModel);
  gn::Tensor out{1, static_cast<int>(n.time.channels.size() + n.energy.channels.size()), {}};
  out.data.assign(static_cast<std::size_t>(out.channels), 0);
  for (std::size_t i = 0; i < n.time.channels.size(); ++i) out.data[static_cast<std::size_t>(n.time.channels[i])] = static_cast<gn::Code>(10 + i);
  for (const int c : n.energy.channels) out.data[static_cast<std::size_t>(c)] = 40;
  double mean = 0;
  for (std::size_t i = 0; i < n.time.channels.size(); ++i) mean += 10.0 + static_cast<double>(i);
  mean /= static_cast<double>(n.time.channels.size());
  const auto e = sp::decode(n, out);
  const double s = n.output_quant.scale, z = n.output_quant.zero_point;
  EXPECT_NEAR(e.time_ns, n.time.offset + n.time.scale * s * (mean - z), 1e-9);
  EXPECT_NEAR(e.energy, n.energy.offset + n.energy.scale * s * (40 - z), 1e-9);
}

TEST(PulseNn, EvaluatesEveryPulseAndItsResolution) {
  const sp::PulseNetwork n = sp::load_pulse_network(kModel);
  const sp::Dataset train = pulses(400, 1), test = pulses(30, 2);
  const sp::Baselines b = sp::tune_baselines(train);
  GoldenEngine engine(n, -1);
  std::size_t calls = 0;
  const sp::Evaluation ev = sp::evaluate(engine, n, test, b, [&](std::size_t done) { EXPECT_EQ(done, ++calls); });
  ASSERT_EQ(ev.pulses.size(), 30u);
  EXPECT_EQ(calls, 30u);
  std::vector<double> dt;
  for (const auto& r : ev.pulses) {
    EXPECT_EQ(r.t0_ns, test.t0_ns[r.index]);
    const auto e = sp::decode(n, gn::Tensor{1, static_cast<int>(r.output.size()), r.output});
    EXPECT_EQ(e.time_ns, r.nn.time_ns);
    dt.push_back((r.nn.time_ns - r.t0_ns) * 1000);
  }
  double m = 0, v = 0;
  for (double x : dt) m += x / static_cast<double>(dt.size());
  for (double x : dt) v += (x - m) * (x - m) / static_cast<double>(dt.size() - 1);
  EXPECT_NEAR(ev.nn_time.std, std::sqrt(v), 1e-9);
  EXPECT_EQ(ev.mean_cycles, 1000);
}

TEST(PulseNn, StopsAtTheFirstMismatchingPulse) {
  const sp::PulseNetwork n = sp::load_pulse_network(kModel);
  const sp::Dataset train = pulses(400, 1), test = pulses(30, 2);
  const sp::Baselines b = sp::tune_baselines(train);
  for (int bit : {0, 7}) {
    GoldenEngine engine(n, 17, bit);
    std::size_t done = 0;
    try {
      (void)sp::evaluate(engine, n, test, b, [&](std::size_t k) { done = k; });
      FAIL() << "a flipped bit went unnoticed";
    } catch (const sp::MismatchError& e) {
      EXPECT_NE(std::string(e.what()).find("pulse 17 of seed 2"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("differs from the golden model"), std::string::npos) << e.what();
    }
    EXPECT_EQ(done, 17u);
  }
}

TEST(PulseNn, RejectsAModelWithoutScaling) {
  try {
    (void)sp::load_pulse_network(std::string(STRATA_SOURCE) + "/tests/models/tiny.json");
    FAIL();
  } catch (const strata::runtime::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("has no pulse scaling file"), std::string::npos) << e.what();
  }
}
