// The GELU golden model (host/golden/gelu.h) against references written
// independently here: long double erf/tanh GELU, hand-worked int16
// programs, and the error bounds docs/blocks/gelu.md states, over every
// int8 and every int16 input for several scales and zero points.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "golden/gelu.h"
#include "golden/gelu_baselines.h"

namespace strata::golden::gelu {
namespace {

long double gelu_ld(long double x, Form form) {
  if (form == Form::erf) return 0.5L * x * (1.0L + std::erf(x / std::sqrt(2.0L)));
  return 0.5L * x * (1.0L + std::tanh(std::sqrt(2.0L / 3.14159265358979323846264338327950288L) * (x + 0.044715L * x * x * x)));
}

// |code - clamp(f(q))| with f computed in long double.
double err(const Quant& qp, Form form, int q, int code, int qmin, int qmax) {
  long double f = gelu_ld(static_cast<long double>(qp.in_scale) * (q - qp.in_zero), form) / qp.out_scale + qp.out_zero;
  f = std::min(std::max(f, static_cast<long double>(qmin)), static_cast<long double>(qmax));
  return static_cast<double>(std::abs(code - f));
}

// The quantizations of the tests: symmetric ranges +-R, and asymmetric
// ones whose output codes span [-0.17, R] (GELU's image) with a zero point.
std::vector<Quant> int16_quants() {
  std::vector<Quant> v;
  for (double r : {1.0, 4.0, 8.0, 16.0, 64.0}) {
    v.push_back({r / 32768, 0, r / 32768, 0});
    const double so = (r + 0.17) / 65535;
    v.push_back({2 * r / 65535, -1000, so, -32768 + static_cast<int>(std::lround(0.17 / so))});
  }
  return v;
}

std::vector<Quant> int8_quants() {
  std::vector<Quant> v;
  for (double r : {1.0, 3.0, 4.0, 8.0, 16.0}) {
    v.push_back({r / 128, 0, r / 128, 0});
    const double so = (r + 0.17) / 255;
    v.push_back({2 * r / 255, -5, so, -128 + static_cast<int>(std::lround(0.17 / so))});
  }
  return v;
}

TEST(GeluGolden, FunctionsMatchPublishedValues) {
  // tf.nn.gelu's documented examples (float32; erf, then approximate = tanh).
  EXPECT_NEAR(gelu(-3.0, Form::erf), -0.00404951, 1e-6);
  EXPECT_NEAR(gelu(-1.0, Form::erf), -0.15865529, 1e-6);
  EXPECT_NEAR(gelu(1.0, Form::erf), 0.8413447, 1e-6);
  EXPECT_NEAR(gelu(3.0, Form::erf), 2.9959507, 1e-6);
  EXPECT_NEAR(gelu(-3.0, Form::tanh), -0.00363752, 1e-6);
  EXPECT_NEAR(gelu(-1.0, Form::tanh), -0.15880796, 1e-6);
  EXPECT_NEAR(gelu(1.0, Form::tanh), 0.841192, 1e-6);
  EXPECT_NEAR(gelu(3.0, Form::tanh), 2.9963627, 1e-6);
  EXPECT_EQ(gelu(0.0, Form::erf), 0.0);
}

TEST(GeluGolden, DeltaIsReluMinusGeluAndEven) {
  for (Form form : {Form::erf, Form::tanh})
    for (int i = -900; i <= 900; ++i) {
      const double x = i / 100.0;
      const long double want = std::max(0.0L, static_cast<long double>(x)) - gelu_ld(x, form);
      ASSERT_NEAR(delta(x, form), static_cast<double>(want), 1e-15) << x;
      ASSERT_EQ(delta(x, form), delta(-x, form)) << x;
      ASSERT_GE(delta(x, form), 0.0);
      ASSERT_LE(delta(x, form), 0.1701);
    }
}

TEST(GeluGolden, Int8TableIsCorrectlyRoundedForEveryInput) {
  for (Form form : {Form::erf, Form::tanh})
    for (const Quant& qp : int8_quants()) {
      const auto table = int8_table(qp, form);
      for (int q = -128; q <= 127; ++q) {
        const int c = int8_eval(table, static_cast<std::int8_t>(q));
        ASSERT_LE(err(qp, form, q, c, -128, 127), 0.5 + 1e-9) << "q " << q << " s_in " << qp.in_scale << " s_out " << qp.out_scale;
      }
    }
}

TEST(GeluGolden, Int8TableIndexIsTheInputByte) {
  const Quant qp{0.05, 3, 0.04, -100};
  const auto t = int8_table(qp, Form::erf);
  auto code = [](double x) { return static_cast<std::int8_t>(std::nearbyint(x / 0.04) - 100); };
  EXPECT_EQ(t[0x00], code(gelu(0.05 * (0 - 3), Form::erf)));
  EXPECT_EQ(t[0xff], code(gelu(0.05 * (-1 - 3), Form::erf)));
  EXPECT_EQ(t[0x80], code(gelu(0.05 * (-128 - 3), Form::erf)));
  EXPECT_EQ(t[0x7f], 55);  // gelu(6.2) / 0.04 = 155.0 (delta(6.2) ~ 3e-9), minus 100
}

// The stated bounds: degree 2 on 64 segments (the shipped shape) is within
// 0.8 LSB of float64 for every int16 input at these scales; degree 3 on 32
// segments within 0.6; degree 1 on 256 within 2.1.
TEST(GeluGolden, Int16ErrorBoundsOverEveryInput) {
  struct Case {
    Int16Shape shape;
    double bound;
  };
  for (const Case& cs : {Case{{64, 2}, 0.8}, Case{{32, 3}, 0.6}, Case{{256, 1}, 2.1}})
    for (Form form : {Form::erf, Form::tanh})
      for (const Quant& qp : int16_quants()) {
        const Int16Program p = int16_program(qp, form, cs.shape);
        double worst = 0;
        for (int q = -32768; q <= 32767; ++q)
          worst = std::max(worst, err(qp, form, q, int16_eval(p, cs.shape, static_cast<std::int16_t>(q)), -32768, 32767));
        EXPECT_LE(worst, cs.bound) << "segments " << cs.shape.segments << " degree " << cs.shape.degree << " s_in " << qp.in_scale << " s_out "
                                   << qp.out_scale << " z_in " << qp.in_zero << " z_out " << qp.out_zero;
      }
}

TEST(GeluGolden, Int16ProgramFieldsAreInRange) {
  for (const Quant& qp : int16_quants()) {
    const Int16Shape shape{64, 2};
    const Int16Program p = int16_program(qp, Form::erf, shape);
    EXPECT_GE(p.relu_mult, 1u << 23);
    EXPECT_LT(p.relu_mult, 1u << 24);
    EXPECT_GE(p.relu_shift, 0);
    EXPECT_LT(p.relu_shift, 64);
    const double want = qp.in_scale / qp.out_scale * 256;
    EXPECT_NEAR(p.relu_mult * std::ldexp(1.0, -p.relu_shift), want, want * std::ldexp(1.0, -23));
    EXPECT_GE(p.seg_shift, 0);
    EXPECT_LE(p.seg_shift, 15);
    ASSERT_EQ(p.coeffs.size(), 64u);
    for (const auto& c : p.coeffs)
      for (std::size_t k = 0; k < c.size(); ++k) {
        EXPECT_GE(c[k], -(1 << 23));
        EXPECT_LT(c[k], 1 << 23);
        if (k > 2) {
          EXPECT_EQ(c[k], 0);
        }
      }
  }
}

// A program written by hand: z_in 10, z_out -3, M 2^23 with sh 23 (relu in
// units 2^-8 LSB: ratio 2^-8), w 2, segment 1 = {c0 600, c1 -256, c2 64}.
TEST(GeluGolden, Int16EvalFollowsTheWrittenArithmetic) {
  Int16Program p;
  p.in_zero = 10;
  p.out_zero = -3;
  p.relu_mult = 1u << 23;
  p.relu_shift = 23;
  p.seg_shift = 2;
  p.coeffs.assign(16, {});
  p.coeffs[1] = {600, -256, 64, 0};
  const Int16Shape shape{16, 2};
  // q = 17: d = 7, a = 7, r = 7, relu = 7, seg 1, u 3:
  // h1 = -256 + floor(64 * 3 / 4) = -208, h0 = 600 + floor(-208 * 3 / 4) = 444,
  // y = 7 - 444 - 768 = -1205, out = floor((-1205 + 128) / 256) = -5.
  EXPECT_EQ(int16_eval(p, shape, 17), -5);
  // q = 3: d = -7, r = 0, the same delta: y = -1212, out = floor(-1084 / 256) = -5.
  EXPECT_EQ(int16_eval(p, shape, 3), -5);
  // q = 14: a = 4, seg 1, u 0: delta = 600, y = 4 - 600 - 768 = -1364, floor(-1236 / 256) = -5.
  EXPECT_EQ(int16_eval(p, shape, 14), -5);
  // q = 13: a = 3, seg 0 (all zero): y = 3 - 768 = -765, floor(-637 / 256) = -3.
  EXPECT_EQ(int16_eval(p, shape, 13), -3);
  // q = 74: a = 64, seg 16 >= 16: delta 0, relu = 64: y = -704, floor(-576 / 256) = -3.
  EXPECT_EQ(int16_eval(p, shape, 74), -3);
  // q = 10 + 1024: relu = 1024, y = 256: out 1 (floor(384 / 256)).
  EXPECT_EQ(int16_eval(p, shape, 1034), 1);
  // Saturation: sh 0 gives relu = r * 2^23: clamps to 32767.
  p.relu_shift = 0;
  EXPECT_EQ(int16_eval(p, shape, 32767), 32767);
  // A large delta clamps to -32768.
  p.coeffs[0] = {(1 << 23) - 1, 0, 0, 0};
  EXPECT_EQ(int16_eval(p, shape, 10), -32768);
}

TEST(GeluGolden, Int16ProgramRefusesScalesItCannotCarry) {
  const Int16Shape shape{64, 2};
  EXPECT_THROW(int16_program({1.0 / 32768, 0, 1.0 / (32768.0 * 64), 0}, Form::erf, shape), std::invalid_argument);  // ratio 64
  EXPECT_THROW(int16_program({1e-9, 0, 1.0, 0}, Form::erf, shape), std::invalid_argument);                          // ratio < 2^-16
  EXPECT_THROW(int16_program({1e-5, 0, 2e-6, 0}, Form::erf, shape), std::invalid_argument);                         // delta / s_out past 24 bits
  EXPECT_THROW(int16_program({0.0, 0, 1.0, 0}, Form::erf, shape), std::invalid_argument);
  EXPECT_THROW(int16_program({1.0, 0, 1.0, 0}, Form::erf, {48, 2}), std::invalid_argument);
  EXPECT_THROW(int16_program({1.0, 0, 1.0, 0}, Form::erf, {64, 4}), std::invalid_argument);
  EXPECT_THROW(int16_program({1.0, 40000, 1.0, 0}, Form::erf, shape), std::invalid_argument);
}

// The baselines: I-BERT approaches its real-valued polynomial at a fine
// input scale; Edge-MoE is exact at its table's nodes.
TEST(GeluGolden, BaselinesFollowTheirPapers) {
  auto ibert_real = [](double x) {
    const double a = -0.2888, b = -1.769, y = x / std::sqrt(2.0);
    const double l = (y > 0 ? 1 : -1) * (a * std::pow(std::min(std::abs(y), -b) + b, 2) + 1);
    return x / 2 * (1 + l);
  };
  const Quant fine{1.0 / 4096, 0, 1.0 / 4096, 0};
  for (int q : {-8000, -4096, -1000, 1, 1000, 4096, 8000})
    EXPECT_NEAR(ibert_code(fine, q, -32768, 32767), ibert_real(q / 4096.0) * 4096, 2.0) << q;
  const Quant q32{1.0 / 32, 0, 1.0 / 4096, 0};
  for (int q = -200; q <= 200; ++q)
    EXPECT_LE(err(q32, Form::erf, q, edge_moe_code(q32, q, -32768, 32767), -32768, 32767), 0.5 + 1e-6) << q;
}

}  // namespace
}  // namespace strata::golden::gelu
