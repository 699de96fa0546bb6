// The published softmax approximations of the benchmark (softmax_baselines.h):
// hand-worked vectors and their accuracy against float64.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "golden/softmax_baselines.h"

namespace strata::golden::softmax {
namespace {

std::vector<double> exact(const std::vector<int>& q, double s) {
  const int m = *std::max_element(q.begin(), q.end());
  std::vector<double> e;
  double sum = 0;
  for (int x : q) sum += e.emplace_back(std::exp(s * (x - m)));
  for (double& x : e) x /= sum;
  return e;
}

// Equal logits, worked by hand. I-BERT (S = 0.1): q_b = 13, q_c = 95, every
// q_exp = 13^2 + 95 = 264, sum 1056, factor floor(2^32 / 1056) = 4067203,
// code floor(264 * 4067203 / 2^24) = 63 (the floors lose a little of 1/4).
TEST(SoftmaxBaselines, EqualLogitsByHand) {
  const std::vector<int> q(4, 17);
  EXPECT_EQ(ibert_softmax(q, 0.1, OutType::uint8), std::vector<int>(4, 63));
  EXPECT_EQ(ibert_softmax(q, 0.1, OutType::int8), std::vector<int>(4, 63 - 128));
  // Edge-MoE: the first logit sets the bias (sum 1), the others add exp(0).
  EXPECT_EQ(edge_moe_softmax(q, 0.1, OutType::uint8), std::vector<int>(4, 64));
  EXPECT_EQ(edge_moe_softmax(q, 0.1, OutType::uint16), std::vector<int>(4, 16384));
  EXPECT_EQ(edge_moe_softmax({5}, 0.1, OutType::uint8), std::vector<int>{255});  // p = 1 clamps
}

// I-BERT's i-EXP: z halvings of the second-order polynomial on (-ln 2, 0].
TEST(SoftmaxBaselines, IbertExponentialFollowsThePaper) {
  // Two logits ln 2 apart (S = ln2 / 100, 100 steps): z = 1, q_p = 0, so the
  // lower exponential is exactly half the upper one.
  const double s = std::log(2.0) / 100.0;
  const auto c = ibert_softmax({0, -100}, s, OutType::uint16);
  EXPECT_NEAR(c[0], 2 * c[1], 2);
  EXPECT_NEAR(c[0], 65536.0 * 2 / 3, 40);
}

// Random vectors: Edge-MoE's 22-bit arithmetic is within one 8-bit step (half
// a step of rounding, a whole one where p = 1 clamps to 255/256); I-BERT's
// integer polynomial has far fewer bits at coarse scales (S = 2^-2: q_b = 5).
TEST(SoftmaxBaselines, RandomVectorsNearFloat64) {
  std::mt19937_64 rng(5);
  double ib = 0, em = 0;
  for (int v = 0; v < 3000; ++v) {
    const std::size_t n = 1 + rng() % 64;
    std::vector<int> q(n);
    for (auto& x : q) x = static_cast<int>(rng() % 256) - 128;
    const double s = std::exp2(-7.0 + static_cast<double>(rng() % 50) / 10.0);  // 2^-7 .. 2^-2
    const auto ref = exact(q, s);
    const auto ci = ibert_softmax(q, s, OutType::uint8), ce = edge_moe_softmax(q, s, OutType::uint8);
    for (std::size_t i = 0; i < n; ++i) {
      ib = std::max(ib, std::abs(probability(ci[i], OutType::uint8) - ref[i]) * 256);
      em = std::max(em, std::abs(probability(ce[i], OutType::uint8) - ref[i]) * 256);
    }
  }
  EXPECT_LE(em, 1.0) << "Edge-MoE max error in 8-bit steps";
  EXPECT_GT(em, 0.4) << "rounding to 8 bits must show";
  EXPECT_LE(ib, 64.0) << "I-BERT max error in 8-bit steps";
  EXPECT_GT(ib, 0.5) << "I-BERT's floors and polynomial must show";
}

TEST(SoftmaxBaselines, RejectWhatTheyCannotTake) {
  EXPECT_THROW(ibert_softmax({}, 0.1, OutType::uint8), std::invalid_argument);
  EXPECT_THROW(edge_moe_softmax({}, 0.1, OutType::uint8), std::invalid_argument);
  EXPECT_THROW(ibert_softmax({1}, 0.0, OutType::uint8), std::invalid_argument);
}

}  // namespace
}  // namespace strata::golden::softmax
