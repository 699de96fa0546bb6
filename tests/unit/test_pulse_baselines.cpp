// The classical pulse baselines: CFD timing, trapezoid and integral energy,
// their tuning, the resolution figures and the Cramer-Rao bound.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "pulse/cfd.h"
#include "pulse/crb.h"
#include "pulse/fit.h"
#include "pulse/energy.h"
#include "pulse/metrics.h"
#include "pulse/shape.h"
#include "pulse/simulate.h"
#include "pulse/tune.h"

namespace sp = strata::pulse;

namespace {

constexpr double kTs = 8.0;  // 125 MSPS

sp::PulseParams shape_params(sp::ShapeKind k) {
  sp::PulseParams p;
  p.shape = k;
  return p;
}

// Noise-free, unquantized samples A s(k Ts - t0).
std::vector<double> analog(const sp::Shape& s, double t0, double a, int n = 32) {
  std::vector<double> y(n);
  for (int k = 0; k < n; ++k) y[k] = a * s.value(k * kTs - t0);
  return y;
}

// The root of f s(tau) = s(tau - delay) by bisection on the continuous shape:
// the time a delay-line CFD reports, relative to t0.
double delay_line_offset(const sp::Shape& s, double delay_ns, double f) {
  double lo = delay_ns + 1e-9, hi = s.peak_time_ns() + delay_ns;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (f * s.value(mid) - s.value(mid - delay_ns) > 0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// The time the leading edge reaches the fraction `level` of the peak.
double rise_time_to(const sp::Shape& s, double level) {
  double lo = 0, hi = s.peak_time_ns();
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (s.value(mid) < level ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

struct Errors {
  double linear = 0, cubic = 0;  // the largest |error| in ps
};

Errors delay_line_errors(sp::ShapeKind kind, int delay, double f) {
  const sp::Shape s(shape_params(kind));
  const double expected = delay_line_offset(s, delay * kTs, f);
  Errors e;
  for (int i = 0; i < 256; ++i) {
    const double t0 = 4 * kTs + kTs * (i + 0.5) / 256;
    const auto y = analog(s, t0, 1000.0 + 7 * i);
    for (auto interp : {sp::Interp::linear, sp::Interp::cubic}) {
      const double t = sp::cfd_crossing_ns(y.data(), 32, {sp::CfdMode::delay_line, delay, f, interp}, kTs);
      double& worst = interp == sp::Interp::linear ? e.linear : e.cubic;
      worst = std::max(worst, std::fabs(t - t0 - expected) * 1000);
    }
  }
  return e;
}

}  // namespace

TEST(PulseCfd, CubicZeroIsTheRootOfTheCubicThroughFourPoints) {
  auto poly = [](double u) { return (u - 0.3) * (u + 2) * (u - 5); };
  EXPECT_NEAR(sp::cubic_zero(poly(-1), poly(0), poly(1), poly(2)), 0.3, 1e-12);
  auto line = [](double u) { return 0.8 - 2 * u; };  // a line stays a line
  EXPECT_NEAR(sp::cubic_zero(line(-1), line(0), line(1), line(2)), 0.4, 1e-12);
}

// Noise-free, unquantized pulses at 256 phases of a sample and 256 amplitudes:
// the delay-line CFD's crossing minus t0 is the continuous shape's
// f s(tau) = s(tau - D Ts) root to within the interpolation error, stated here:
// CR-RC^4: cubic 80 ps, linear 500 ps (measured: 24 .. 74 ps and 124 .. 472 ps);
// the 10/100 ns double exponential, whose onset has a kink: cubic 150 ps,
// linear 900 ps at f = 0.95 (measured 116 .. 144 ps and 872 ps).
TEST(PulseCfd, DelayLineRecoversTheArrivalTimeOfNoiseFreePulses) {
  for (auto [delay, f] : {std::pair{2, 0.5}, {4, 0.3}, {5, 0.6}, {3, 0.8}}) {
    const Errors c = delay_line_errors(sp::ShapeKind::crrc, delay, f);
    EXPECT_LT(c.cubic, 80.0) << delay << " " << f;
    EXPECT_LT(c.linear, 500.0) << delay << " " << f;
    EXPECT_LT(c.cubic, c.linear);
  }
  for (auto [delay, f] : {std::pair{3, 0.95}, {4, 0.95}}) {
    const Errors d = delay_line_errors(sp::ShapeKind::double_exp, delay, f);
    EXPECT_LT(d.cubic, 150.0) << delay << " " << f;
    EXPECT_LT(d.linear, 900.0) << delay << " " << f;
  }
}

// A CFD that used another fraction or delay than it was given would be off by
// far more than the tolerance of 35 ps: on this pulse the crossing moves by
// more than 0.35 ns per 0.05 of fraction and per sample of delay.
TEST(PulseCfd, AWrongFractionOrDelayIsCaught) {
  const sp::Shape s(shape_params(sp::ShapeKind::crrc));
  const double good = delay_line_offset(s, 5 * kTs, 0.6);
  EXPECT_GT(std::fabs(delay_line_offset(s, 5 * kTs, 0.65) - good), 0.35);
  EXPECT_GT(std::fabs(delay_line_offset(s, 5 * kTs, 0.55) - good), 0.35);
  EXPECT_GT(std::fabs(delay_line_offset(s, 4 * kTs, 0.6) - good), 0.35);
  EXPECT_GT(std::fabs(delay_line_offset(s, 6 * kTs, 0.6) - good), 0.35);
  for (double t0 : {32.1, 35.0, 37.3, 39.9}) {
    const auto y = analog(s, t0, 2000);
    const double t = sp::cfd_crossing_ns(y.data(), 32, {sp::CfdMode::delay_line, 5, 0.6, sp::Interp::cubic}, kTs);
    EXPECT_NEAR(t - t0, good, 0.035) << t0;
  }
}

// Peak-fraction CFD on the same pulses: the threshold is f times the parabola's
// vertex through the three samples around the largest; the crossing of that level.
TEST(PulseCfd, PeakFractionRecoversTheArrivalTimeOfNoiseFreePulses) {
  const sp::Shape s(shape_params(sp::ShapeKind::crrc));
  for (auto [f, tolerance] : {std::pair{0.2, 160.0}, {0.4, 30.0}, {0.6, 70.0}}) {  // measured 158, 26, 69 ps
    double worst = 0;
    for (int i = 0; i < 256; ++i) {
      const double t0 = 4 * kTs + kTs * (i + 0.5) / 256;
      const auto y = analog(s, t0, 1500);
      int p = 0;
      for (int k = 1; k < 32; ++k)
        if (y[k] > y[p]) p = k;
      const double top = y[p] - (y[p + 1] - y[p - 1]) * (y[p + 1] - y[p - 1]) / (8 * (y[p + 1] - 2 * y[p] + y[p - 1]));
      const double expected = rise_time_to(s, f * top / 1500);
      const double t = sp::cfd_crossing_ns(y.data(), 32, {sp::CfdMode::peak_fraction, 0, f, sp::Interp::cubic}, kTs);
      worst = std::max(worst, std::fabs(t - t0 - expected) * 1000);
    }
    EXPECT_LT(worst, tolerance) << f;
  }
}

// On the simulator's own noise-free pulses (12-bit codes, so +-0.5 LSB of
// rounding), with the offset of the continuous shape: within 45 ps everywhere.
TEST(PulseCfd, NoiseFreeSimulatedPulses) {
  sp::PulseParams p;
  p.snr_db = std::numeric_limits<double>::infinity();
  p.count = 2000;
  const sp::Dataset d = sp::simulate(p);
  const sp::Shape s(p);
  sp::TimingMethod m;
  m.cfd = {sp::CfdMode::delay_line, 5, 0.6, sp::Interp::cubic};
  m.baseline = p.baseline;
  m.offset_ns = delay_line_offset(s, 5 * kTs, 0.6);
  const auto errors = sp::time_errors_ps(d, m);
  const sp::Resolution r = sp::resolution(errors);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_LT(std::fabs(r.mean), 15.0);
  EXPECT_LT(r.std, 20.0);
  for (double e : errors) ASSERT_LT(std::fabs(e), 45.0);
}

// The phase correction learns the interpolation's phase-dependent error on a
// training set: on noise-free double exponential pulses with linear
// interpolation it takes the error from hundreds of ps to tens.
TEST(PulseCfd, PhaseCorrectionRemovesTheInterpolationError) {
  sp::PulseParams p;
  p.shape = sp::ShapeKind::double_exp;
  p.snr_db = std::numeric_limits<double>::infinity();
  p.count = 4000;
  const sp::Dataset train = sp::simulate(p);
  p.seed = 2;
  const sp::Dataset test = sp::simulate(p);
  sp::CfdGrid g;
  g.modes = {sp::CfdMode::delay_line};
  g.interps = {sp::Interp::linear};
  g.delays = {4};
  g.fractions = {0.95};
  const sp::TimingMethod plain = sp::tune_cfd(train, g, p.baseline);
  g.phase_bins = 32;
  const sp::TimingMethod corrected = sp::tune_cfd(train, g, p.baseline);
  ASSERT_EQ(corrected.phase_offsets_ns.size(), 32u);
  const sp::Resolution a = sp::resolution(sp::time_errors_ps(test, plain));
  const sp::Resolution b = sp::resolution(sp::time_errors_ps(test, corrected));
  EXPECT_GT(a.std, 200.0);  // measured 260 ps
  EXPECT_LT(b.std, 40.0);
}

// Trapezoid: an exponential decay h a^k with the matched pole-zero correction
// is a step of height h, and the trapezoid's flat top is h.
TEST(PulseTrapezoid, FlatTopOfAnExponentialIsItsHeight) {
  const double tau = 100, h = 1234.5, a = std::exp(-kTs / tau);
  std::vector<double> y(64, 0.0);
  for (int k = 5; k < 64; ++k) y[k] = h * std::pow(a, k - 5);
  std::vector<double> t;
  sp::trapezoid(y.data(), 64, 6, 4, tau, kTs, t);
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(t[k], 0.0, 1e-9);
  for (int k = 5; k < 10; ++k) EXPECT_NEAR(t[k], h * (k - 4) / 6.0, 1e-9) << k;  // the rise
  for (int k = 10; k <= 14; ++k) EXPECT_NEAR(t[k], h, 1e-9) << k;               // flat top: flat + 1 samples
  for (int k = 15; k < 21; ++k) EXPECT_NEAR(t[k], h * (20 - k) / 6.0, 1e-9) << k;  // the fall
  for (int k = 20; k < 64; ++k) EXPECT_NEAR(t[k], 0.0, 1e-9) << k;
  EXPECT_NEAR(sp::trapezoid_height(y.data(), 64, {6, 4, tau, sp::Readout::max, 0}, kTs), h, 1e-9);
  EXPECT_NEAR(sp::trapezoid_height(y.data(), 64, {6, 4, tau, sp::Readout::fixed, 7}, kTs), h, 1e-9);  // trigger 5
  // Without the correction the flat top sags.
  EXPECT_LT(sp::trapezoid_height(y.data(), 64, {6, 4, 0, sp::Readout::max, 0}, kTs), 0.9 * h);
}

// Noise-free double exponential pulses (A, t0 known): the trapezoid's flat top
// with the pole-zero correction matched to the decay is, in closed form,
//   N A (alpha_d - alpha_r (1 - a_d) / (1 - a_r)) + (fast transient),
// alpha = e^(-delta / tau) at the first sample delta after t0, a = e^(-Ts / tau).
TEST(PulseTrapezoid, AmplitudeOfNoiseFreeDoubleExponentialPulses) {
  const sp::PulseParams p = shape_params(sp::ShapeKind::double_exp);
  const sp::Shape s(p);
  const double tp = s.peak_time_ns();
  const double norm = 1.0 / (std::exp(-tp / 100) - std::exp(-tp / 10));
  const double ad = std::exp(-kTs / 100), ar = std::exp(-kTs / 10);
  for (int i = 0; i < 64; ++i) {
    const double t0 = 4 * kTs + kTs * (i + 0.5) / 64, a = 700 + 30 * i;
    const auto y = analog(s, t0, a, 48);
    std::vector<double> t;
    sp::trapezoid(y.data(), 48, 4, 16, 100, kTs, t);
    const int k0 = static_cast<int>(std::ceil(t0 / kTs));
    const double delta = k0 * kTs - t0;
    const double alpha_d = std::exp(-delta / 100), alpha_r = std::exp(-delta / 10);
    // u_j of the fast part: alpha_r (a_d ar^j + (1 - a_d)(1 - ar^(j+1)) / (1 - ar)).
    for (int k = k0 + 14; k <= k0 + 19; ++k) {  // the flat top (k0 + 3 .. k0 + 19), 14 samples after the onset
      double expect = 0;
      for (int j = k - 3; j <= k; ++j) {
        const int m = j - k0;
        const double slow = alpha_d;
        const double fast = alpha_r * (ad * std::pow(ar, m) + (1 - ad) * (1 - std::pow(ar, m + 1)) / (1 - ar));
        expect += norm * a * (slow - fast) / 4;
      }
      EXPECT_NEAR(t[k], expect, 1e-9 * a) << i << " " << k;
    }
    const double limit = norm * a * (alpha_d - alpha_r * (1 - ad) / (1 - ar));
    EXPECT_NEAR(t[k0 + 19], limit, 1e-4 * a);
  }
}

// The trapezoid is linear in the amplitude: on the simulator's noise-free
// CR-RC^4 pulses at one phase, reading / A is the same within 0.15% (the 12-bit
// rounding: 0.5 LSB is 0.1% of the smallest, 500-count pulse).
TEST(PulseTrapezoid, LinearInTheAmplitudeOnSimulatedPulses) {
  sp::PulseParams p;
  p.snr_db = std::numeric_limits<double>::infinity();
  p.spread_samples = 0;
  p.count = 200;
  const sp::Dataset d = sp::simulate(p);
  double lo = 1e9, hi = 0;
  std::vector<double> y(32);
  for (std::size_t i = 0; i < d.count(); ++i) {
    for (int k = 0; k < 32; ++k) y[k] = d.event(i)[k] - p.baseline;
    const double q = sp::trapezoid_height(y.data(), 32, {5, 3, 0, sp::Readout::max, 0}, kTs) / d.amplitude[i];
    lo = std::min(lo, q);
    hi = std::max(hi, q);
  }
  EXPECT_LT((hi - lo) / hi, 1.5e-3);
  EXPECT_GT(lo, 0.5);
}

// The integral of CR-RC^n is tau e^n n! / n^n; a long window of samples sums to it / Ts.
TEST(PulseIntegral, SumOfSamplesIsTheAnalyticIntegral) {
  const sp::Shape s(shape_params(sp::ShapeKind::crrc));
  const double area = 10 * std::exp(4.0) * 24 / 256;  // ns
  for (int i = 0; i < 32; ++i) {
    const double t0 = 4 * kTs + kTs * i / 32.0;
    const auto y = analog(s, t0, 2000, 64);
    EXPECT_NEAR(sp::pulse_integral(y.data(), 64, {-8, 64}) / 2000, area / kTs, 1e-3 * area / kTs) << i;
  }
}

TEST(PulseMetrics, StdSigma68AndFwhm) {
  const std::vector<double> e{-1, 0, 1, std::nan("")};
  const sp::Resolution r = sp::resolution(e);
  EXPECT_EQ(r.n, 3u);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_DOUBLE_EQ(r.mean, 0);
  EXPECT_DOUBLE_EQ(r.std, 1);
  // Uniform on a fine grid of [0, 1]: the central 68.27% is 0.6827 wide.
  std::vector<double> u;
  for (int i = 0; i <= 100000; ++i) u.push_back(i / 100000.0);
  EXPECT_NEAR(sp::resolution(u).sigma68, 0.5 * 0.682689492, 1e-5);
  EXPECT_NEAR(sp::resolution(u).fwhm, 2.354820045 * 0.5 * 0.682689492, 1e-5);
}

// The bound scales as 1/SNR and is about 53 ps at 47.4 dB on the default bench
// (/work's reference figure), 0.20% in amplitude.
TEST(PulseCrb, BoundOfTheDefaultBench) {
  sp::PulseParams p;
  const sp::Bound b = sp::cramer_rao(p);
  EXPECT_NEAR(b.time_ps, 53.3, 0.5);
  EXPECT_NEAR(b.energy_rel, 0.00202, 0.00005);
  p.snr_db = 47.4 + 20;
  EXPECT_NEAR(sp::cramer_rao(p).time_ps, b.time_ps / 10, 1e-9);
  p.rate_msps = 250;  // twice the samples: about sqrt(2) better
  p.samples = 64;
  p.first_sample = 8;
  p.snr_db = 47.4;
  EXPECT_NEAR(sp::cramer_rao(p).time_ps, b.time_ps / std::sqrt(2.0), 1.0);
}

TEST(PulseTune, BaselineFromThePrePulseSamples) {
  sp::PulseParams p;
  p.count = 2000;
  p.snr_db = 40;
  const sp::Dataset d = sp::simulate(p);
  EXPECT_NEAR(sp::estimate_baseline(d), p.baseline, 0.3);
}

// Tuned on one set, measured on another at 47.4 dB: no method can beat the
// Cramer-Rao bound, and tuned CFD and trapezoid come within 1.6x of it. A CFD
// with its fraction moved off the tuned one (a broken baseline) is worse and biased.
TEST(PulseTune, TunedBaselinesAreNearTheBoundAndNotBelowIt) {
  sp::PulseParams p;
  p.count = 4000;
  p.seed = 100;
  const sp::Dataset train = sp::simulate(p);
  p.seed = 101;
  const sp::Dataset test = sp::simulate(p);
  const sp::Bound bound = sp::cramer_rao(p);
  const double baseline = sp::estimate_baseline(train);
  sp::CfdGrid grid;
  grid.interps = {sp::Interp::cubic};
  const sp::TimingMethod t = sp::tune_cfd(train, grid, baseline);
  const sp::Resolution rt = sp::resolution(sp::time_errors_ps(test, t));
  EXPECT_EQ(rt.failed, 0u);
  EXPECT_GT(rt.std, 0.95 * bound.time_ps);
  EXPECT_LT(rt.std, 1.6 * bound.time_ps);
  EXPECT_LT(std::fabs(rt.mean), 5.0);
  sp::TimingMethod broken = t;
  broken.cfd.fraction = t.cfd.fraction > 0.5 ? t.cfd.fraction - 0.2 : t.cfd.fraction + 0.2;
  const sp::Resolution rb = sp::resolution(sp::time_errors_ps(test, broken));
  EXPECT_GT(std::fabs(rb.mean), 500.0);
  EXPECT_GT(rb.std, rt.std);

  const sp::EnergyMethod e = sp::tune_trapezoid(train, sp::TrapezoidGrid{}, baseline);
  const sp::Resolution re = sp::resolution(sp::energy_errors(test, e));
  EXPECT_GT(re.std, 0.95 * bound.energy_rel);
  EXPECT_LT(re.std, 1.6 * bound.energy_rel);
  EXPECT_LT(std::fabs(re.mean), 0.0005);
  const sp::EnergyMethod g = sp::tune_integral(train, sp::IntegralGrid{}, baseline);
  const sp::Resolution rg = sp::resolution(sp::energy_errors(test, g));
  EXPECT_GT(rg.std, 0.95 * bound.energy_rel);
  EXPECT_LT(rg.std, 1.8 * bound.energy_rel);
  sp::EnergyMethod wrong_gain = e;
  wrong_gain.gain *= 1.01;
  EXPECT_NEAR(sp::resolution(sp::energy_errors(test, wrong_gain)).mean, 0.01, 0.001);
}

// The template fit recovers t0 and A of noise-free analog pulses exactly (it
// fits the true model), and on noisy pulses comes close to the Cramer-Rao bound
// (which, for an efficient estimator, it reaches at high SNR).
TEST(PulseFit, ExactOnNoiseFreePulsesAndNearTheBound) {
  for (auto kind : {sp::ShapeKind::crrc, sp::ShapeKind::double_exp}) {
    const sp::PulseParams p = shape_params(kind);
    const sp::Shape s(p);
    const sp::TemplateFit fit(p);
    for (int i = 0; i < 64; ++i) {
      const double t0 = 4 * kTs + kTs * (i + 0.5) / 64, a = 600 + 37 * i;
      const auto y = analog(s, t0, a);
      const sp::FitResult r = fit.fit(y.data());
      ASSERT_TRUE(r.ok);
      EXPECT_NEAR(r.t0_ns, t0, 1e-4) << i;
      EXPECT_NEAR(r.amplitude / a, 1.0, 1e-6) << i;
    }
  }
  sp::PulseParams p;
  p.count = 3000;
  p.seed = 200;
  const sp::Dataset train = sp::simulate(p);
  p.seed = 201;
  const sp::Dataset test = sp::simulate(p);
  const sp::Bound bound = sp::cramer_rao(p);
  const sp::FitMethod m = sp::tune_fit(train, sp::estimate_baseline(train));
  EXPECT_LT(std::fabs(m.offset_ns), 0.01);
  EXPECT_NEAR(m.gain, 1.0, 0.001);
  const sp::FitErrors e = sp::fit_errors(test, m);
  const sp::Resolution t = sp::resolution(e.time_ps), a = sp::resolution(e.energy);
  EXPECT_EQ(t.failed, 0u);
  EXPECT_GT(t.std, 0.95 * bound.time_ps);
  EXPECT_LT(t.std, 1.15 * bound.time_ps);
  EXPECT_GT(a.std, 0.95 * bound.energy_rel);
  EXPECT_LT(a.std, 1.15 * bound.energy_rel);
}
