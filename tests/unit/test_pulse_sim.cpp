// The pulse simulator: deterministic math, random numbers, shapes against their
// formulas, the SNR definition measured on generated noise, reproducibility.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "pulse/dataset_io.h"
#include "pulse/detmath.h"
#include "pulse/rng.h"
#include "pulse/shape.h"
#include "pulse/simulate.h"

namespace sp = strata::pulse;

namespace {

// The shapes written out again with the standard library.
double crrc_formula(double t, int n, double tau) {
  if (t <= 0) return 0;
  const double x = t / tau;
  return std::pow(x / n, n) * std::exp(n - x);
}
double double_exp_formula(double t, double rise, double decay) {
  if (t <= 0) return 0;
  const double tp = rise * decay / (decay - rise) * std::log(decay / rise);
  const double norm = 1.0 / (std::exp(-tp / decay) - std::exp(-tp / rise));
  return norm * (std::exp(-t / decay) - std::exp(-t / rise));
}

std::uint64_t fnv1a(const std::vector<unsigned char>& b) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : b) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

TEST(PulseDetMath, ExpAndLogWithinTwoUlpOfTheLibrary) {
  for (double x = -700; x <= 700; x += 0.37) {
    const double ref = std::exp(x);
    EXPECT_NEAR(sp::det_exp(x), ref, 4.5e-16 * ref) << x;
  }
  for (double x = -2; x <= 2; x += 1e-3) EXPECT_NEAR(sp::det_exp(x), std::exp(x), 4.5e-16 * std::exp(x)) << x;
  for (double x = 1e-300; x < 1e300; x *= 1.7) EXPECT_NEAR(sp::det_log(x), std::log(x), 4.5e-16 * std::fabs(std::log(x)) + 1e-300) << x;
  for (double x = 0.5; x <= 2; x += 1e-4) EXPECT_NEAR(sp::det_log(x), std::log(x), 2.3e-16) << x;
  EXPECT_EQ(sp::det_exp(0), 1.0);
  EXPECT_EQ(sp::det_log(1), 0.0);
  EXPECT_TRUE(std::isinf(sp::det_log(0)));
  EXPECT_TRUE(std::isnan(sp::det_log(-1)));
}

TEST(PulseRng, EngineAndUniformAreTheStandardOnes) {
  // The C++ standard fixes mt19937_64's 10000th output for the default seed.
  sp::PulseRng r(5489u);
  std::uint64_t x = 0;
  for (int i = 0; i < 10000; ++i) x = r.next();
  EXPECT_EQ(x, 9981545732273789042ull);
  sp::PulseRng a(7), b(7);
  std::mt19937_64 e(7);
  for (int i = 0; i < 1000; ++i) {
    const double u = a.uniform();
    EXPECT_EQ(u, static_cast<double>(e() >> 11) / 9007199254740992.0);
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
    EXPECT_EQ(b.uniform(), u);
  }
}

TEST(PulseRng, GaussianHasUnitVarianceAndGaussianTails) {
  sp::PulseRng r(11);
  const int n = 400000;
  double s1 = 0, s2 = 0, s4 = 0;
  int beyond2 = 0;
  for (int i = 0; i < n; ++i) {
    const double g = r.gaussian();
    s1 += g;
    s2 += g * g;
    s4 += g * g * g * g;
    if (std::fabs(g) > 2) ++beyond2;
  }
  const double mean = s1 / n, var = s2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 0.006);             // 4 sigma of the mean
  EXPECT_NEAR(var, 1.0, 0.009);              // 4 sigma of the variance
  EXPECT_NEAR(s4 / n, 3.0, 0.05);            // the kurtosis of a normal
  EXPECT_NEAR(beyond2 / double(n), 0.0455, 0.0015);
}

TEST(PulseShape, CrrcMatchesItsFormulaAndPeaksAtNTau) {
  for (int order : {1, 2, 4, 7}) {
    sp::PulseParams p;
    p.order = static_cast<std::uint32_t>(order);
    p.tau_ns = 10;
    const sp::Shape s(p);
    for (double t = -5; t < 400; t += 0.173) EXPECT_NEAR(s.value(t), crrc_formula(t, order, 10), 2e-15) << order << " " << t;
    EXPECT_DOUBLE_EQ(s.peak_time_ns(), order * 10.0);
    EXPECT_NEAR(s.value(order * 10.0), 1.0, 1e-15);
    EXPECT_NEAR(s.derivative(order * 10.0), 0.0, 1e-15);
    for (double t = 1; t < 200; t += 3.1)  // the derivative against a central difference
      EXPECT_NEAR(s.derivative(t), (crrc_formula(t + 1e-5, order, 10) - crrc_formula(t - 1e-5, order, 10)) / 2e-5, 1e-8) << t;
  }
}

TEST(PulseShape, DoubleExponentialMatchesItsFormula) {
  sp::PulseParams p;
  p.shape = sp::ShapeKind::double_exp;
  p.rise_ns = 7;
  p.decay_ns = 80;
  const sp::Shape s(p);
  for (double t = -5; t < 600; t += 0.191) EXPECT_NEAR(s.value(t), double_exp_formula(t, 7, 80), 3e-15) << t;
  EXPECT_NEAR(s.value(s.peak_time_ns()), 1.0, 1e-15);
  EXPECT_NEAR(s.derivative(s.peak_time_ns()), 0.0, 1e-15);
  for (double t = 1; t < 300; t += 3.1)
    EXPECT_NEAR(s.derivative(t), (double_exp_formula(t + 1e-5, 7, 80) - double_exp_formula(t - 1e-5, 7, 80)) / 2e-5, 1e-8) << t;
}

TEST(PulseSimulate, NoiseFreeSamplesAreTheRoundedFormula) {
  for (auto shape : {sp::ShapeKind::crrc, sp::ShapeKind::double_exp}) {
    sp::PulseParams p;
    p.shape = shape;
    p.snr_db = std::numeric_limits<double>::infinity();
    p.count = 300;
    p.spread_samples = 3;
    const sp::Dataset d = sp::simulate(p);
    for (std::size_t i = 0; i < d.count(); ++i) {
      EXPECT_GE(d.t0_ns[i], 4 * 8.0);
      EXPECT_LT(d.t0_ns[i], 7 * 8.0);
      EXPECT_GE(d.amplitude[i], p.amplitude_min);
      EXPECT_LT(d.amplitude[i], p.amplitude_max);
      const auto x = d.event(i);
      for (std::uint32_t k = 0; k < p.samples; ++k) {
        const double t = k * 8.0 - d.t0_ns[i];
        const double s = shape == sp::ShapeKind::crrc ? crrc_formula(t, 4, 10) : double_exp_formula(t, 10, 100);
        EXPECT_LE(std::fabs(x[k] - (p.baseline + d.amplitude[i] * s)), 0.5 + 1e-9) << i << " " << k;
      }
    }
  }
}

TEST(PulseSimulate, ClipsToTheAdcRange) {
  sp::PulseParams p;
  p.adc_bits = 10;
  p.baseline = 20;
  p.amplitude_min = 1500;  // above 1023
  p.amplitude_max = 1600;
  p.snr_db = 20;           // noise below 0 on the baseline too
  p.count = 200;
  const sp::Dataset d = sp::simulate(p);
  int top = 0, bottom = 0;
  for (auto x : d.samples) {
    EXPECT_GE(x, 0);
    EXPECT_LE(x, 1023);
    top += x == 1023;
    bottom += x == 0;
  }
  EXPECT_GT(top, 0);
  EXPECT_GT(bottom, 0);
}

// SNR = 20 log10(A / sigma): measured on the residual of every sample from the
// noise-free value, relative to each pulse's amplitude (reference pulse) or to
// amplitude_max (reference max_amplitude). Quantization adds 1/12 LSB^2.
TEST(PulseSimulate, MeasuredSnrIsTheRequestedOne) {
  for (auto ref : {sp::NoiseReference::pulse, sp::NoiseReference::max_amplitude})
    for (double snr : {30.0, 40.0, 47.4}) {
      sp::PulseParams p;
      p.snr_db = snr;
      p.noise_reference = ref;
      p.count = 6000;
      const sp::Dataset d = sp::simulate(p);
      double ss = 0, sq = 0;
      std::size_t n = 0;
      for (std::size_t i = 0; i < d.count(); ++i) {
        const double a_ref = ref == sp::NoiseReference::pulse ? d.amplitude[i] : p.amplitude_max;
        const auto x = d.event(i);
        for (std::uint32_t k = 0; k < p.samples; ++k) {
          const double r = x[k] - sp::ideal_sample(p, d.t0_ns[i], d.amplitude[i], k);
          ss += (r / a_ref) * (r / a_ref);
          sq += (1.0 / 12) / (a_ref * a_ref);  // quantization's share
          ++n;
        }
      }
      const double measured = -10 * std::log10((ss - sq) / static_cast<double>(n));
      EXPECT_NEAR(measured, snr, 0.04) << snr;  // 4 sigma of the variance estimate over 192000 samples
      EXPECT_NEAR(sp::noise_sigma(p, 1000.0) / (ref == sp::NoiseReference::pulse ? 1000.0 : p.amplitude_max), std::pow(10.0, -snr / 20),
                  1e-15);
    }
}

TEST(PulseSimulate, TheSeedReproducesTheSameBytes) {
  sp::PulseParams p;
  p.count = 500;
  p.seed = 42;
  const auto a = sp::encode_binary(sp::simulate(p));
  const auto b = sp::encode_binary(sp::simulate(p));
  EXPECT_EQ(a, b);
  p.seed = 43;
  EXPECT_NE(sp::encode_binary(sp::simulate(p)), a);
  // The first events of a longer set are the shorter set's.
  p.seed = 42;
  p.count = 800;
  const sp::Dataset longer = sp::simulate(p);
  const sp::Dataset shorter = sp::decode_binary(a, "a");
  for (std::size_t i = 0; i < shorter.count(); ++i) {
    EXPECT_EQ(longer.t0_ns[i], shorter.t0_ns[i]);
    ASSERT_TRUE(std::equal(longer.event(i).begin(), longer.event(i).end(), shorter.event(i).begin()));
  }
}

// The bytes of a small data set, pinned: a different compiler, C library or
// CPU must produce the same file (docs/pulse.md, "Reproducibility").
TEST(PulseSimulate, PinnedBytesOfSeedOne) {
  sp::PulseParams p;
  p.count = 1000;
  p.seed = 1;
  EXPECT_EQ(fnv1a(sp::encode_binary(sp::simulate(p))), 16065906302589666886ull);
  p.shape = sp::ShapeKind::double_exp;
  p.snr_db = 30;
  p.noise_reference = sp::NoiseReference::max_amplitude;
  p.samples = 33;  // odd: the spare normal is dropped
  EXPECT_EQ(fnv1a(sp::encode_binary(sp::simulate(p))), 14126967367078732950ull);
}
