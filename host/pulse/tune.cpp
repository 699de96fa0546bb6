#include "pulse/tune.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace strata::pulse {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// Baseline-subtracted samples of every event, event after event.
std::vector<double> subtracted(const Dataset& d, double baseline) {
  std::vector<double> y(d.samples.size());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = d.samples[i] - baseline;
  return y;
}

std::size_t max_failures(const Dataset& d) { return d.count() / 200; }

int phase_bin(double crossing_ns, double ts_ns, int bins) {
  const double u = crossing_ns / ts_ns - std::floor(crossing_ns / ts_ns);
  return std::min(static_cast<int>(u * bins), bins - 1);
}

// Accumulates q = reading / amplitude for the least-squares gain.
struct GainFit {
  double s1 = 0, s2 = 0;
  std::size_t n = 0, failed = 0;
  void add(double q) {
    if (!std::isfinite(q)) {
      ++failed;
      return;
    }
    s1 += q;
    s2 += q * q;
    ++n;
  }
  double gain() const { return s2 > 0 ? s1 / s2 : kNan; }
  // rms of g q - 1 at the best g: sqrt(1 - s1^2 / (n s2)).
  double rms() const { return n > 0 && s2 > 0 ? std::sqrt(std::max(0.0, 1.0 - s1 * s1 / (static_cast<double>(n) * s2))) : kNan; }
};

}  // namespace

CfdGrid::CfdGrid() {
  for (int i = 1; i <= 20; ++i) fractions.push_back(0.05 * i);
}

double estimate_baseline(const Dataset& train) {
  const PulseParams& p = train.params;
  if (p.first_sample == 0 || train.count() == 0) return p.baseline;
  double s = 0;
  for (std::size_t i = 0; i < train.count(); ++i) {
    const auto x = train.event(i);
    for (std::uint32_t k = 0; k < p.first_sample; ++k) s += x[k];
  }
  return s / (static_cast<double>(train.count()) * p.first_sample);
}

TimingMethod tune_cfd(const Dataset& train, const CfdGrid& grid, double baseline) {
  const auto y = subtracted(train, baseline);
  const int n = static_cast<int>(train.params.samples);
  const double ts = train.params.ts_ns();
  TimingMethod best;
  best.baseline = baseline;
  best.train_std_ps = std::numeric_limits<double>::infinity();
  const int bins = std::max(grid.phase_bins, 1);
  auto evaluate = [&](const CfdParams& c) {
    std::vector<double> s1(bins, 0.0), s2(bins, 0.0);
    std::vector<std::size_t> m(bins, 0);
    std::size_t failed = 0, total = 0;
    for (std::size_t i = 0; i < train.count(); ++i) {
      const double t = cfd_crossing_ns(y.data() + i * n, n, c, ts);
      if (!std::isfinite(t)) {
        if (++failed > max_failures(train)) return;
        continue;
      }
      const double e = t - train.t0_ns[i];
      const int b = phase_bin(t, ts, bins);
      s1[b] += e;
      s2[b] += e * e;
      ++m[b];
      ++total;
    }
    if (total < 2) return;
    // Residual variance about each bin's mean (one bin: about the mean).
    double ss = 0, sum = 0;
    for (int b = 0; b < bins; ++b) {
      if (m[b] == 0) continue;
      ss += s2[b] - s1[b] * s1[b] / static_cast<double>(m[b]);
      sum += s1[b];
    }
    const double sd = std::sqrt(std::max(0.0, ss / static_cast<double>(total - 1))) * 1000.0;
    if (sd < best.train_std_ps) {
      best.cfd = c;
      best.offset_ns = sum / static_cast<double>(total);
      best.phase_offsets_ns.clear();
      if (grid.phase_bins > 0)
        for (int b = 0; b < bins; ++b) best.phase_offsets_ns.push_back(m[b] ? s1[b] / static_cast<double>(m[b]) : best.offset_ns);
      best.train_std_ps = sd;
    }
  };
  for (CfdMode mode : grid.modes)
    for (Interp interp : grid.interps)
      for (double f : grid.fractions) {
        if (mode == CfdMode::peak_fraction) {
          evaluate({mode, 0, f, interp});
          continue;
        }
        for (int d : grid.delays) evaluate({mode, d, f, interp});
      }
  return best;
}

std::vector<double> time_errors_ps(const Dataset& d, const TimingMethod& m) {
  const auto y = subtracted(d, m.baseline);
  const int n = static_cast<int>(d.params.samples);
  std::vector<double> e(d.count());
  for (std::size_t i = 0; i < d.count(); ++i) {
    const double t = cfd_crossing_ns(y.data() + i * n, n, m.cfd, d.params.ts_ns());
    e[i] = (t - m.offset_for(t, d.params.ts_ns()) - d.t0_ns[i]) * 1000.0;
  }
  return e;
}

double TimingMethod::offset_for(double crossing_ns, double ts_ns) const {
  if (phase_offsets_ns.empty() || !std::isfinite(crossing_ns)) return offset_ns;
  return phase_offsets_ns[static_cast<std::size_t>(phase_bin(crossing_ns, ts_ns, static_cast<int>(phase_offsets_ns.size())))];
}

std::string describe(const TimingMethod& m) {
  if (m.phase_offsets_ns.empty()) return fmt::format("{}; offset {:.3f} ns", describe(m.cfd), m.offset_ns);
  return fmt::format("{}; offsets by phase ({} bins, mean {:.3f} ns)", describe(m.cfd), m.phase_offsets_ns.size(), m.offset_ns);
}

EnergyMethod tune_trapezoid(const Dataset& train, const TrapezoidGrid& grid, double baseline) {
  const auto y = subtracted(train, baseline);
  const int n = static_cast<int>(train.params.samples);
  const double ts = train.params.ts_ns();
  std::vector<int> trig(train.count());
  for (std::size_t i = 0; i < train.count(); ++i) trig[i] = trigger_index(y.data() + i * n, n);
  EnergyMethod best;
  best.kind = EnergyKind::trapezoid;
  best.baseline = baseline;
  best.train_rms = std::numeric_limits<double>::infinity();
  const int delays = n - grid.delay_min;  // fixed readouts delay_min .. n-1, then max
  std::vector<double> t;
  for (int rise : grid.rises)
    for (int flat : grid.flats)
      for (double pz : grid.pz_taus_ns) {
        std::vector<GainFit> fits(static_cast<std::size_t>(delays) + 1);
        for (std::size_t i = 0; i < train.count(); ++i) {
          trapezoid(y.data() + i * n, n, rise, flat, pz, ts, t);
          const double a = train.amplitude[i];
          for (int di = 0; di < delays; ++di) {
            const int k = trig[i] + grid.delay_min + di;
            fits[di].add(k >= 0 && k < n ? t[k] / a : kNan);
          }
          fits[delays].add(*std::max_element(t.begin(), t.end()) / a);
        }
        for (int di = 0; di <= delays; ++di) {
          const GainFit& f = fits[di];
          if (f.failed > max_failures(train) || !(f.rms() < best.train_rms)) continue;
          best.train_rms = f.rms();
          best.gain = f.gain();
          best.trapezoid = {rise, flat, pz, di == delays ? Readout::max : Readout::fixed, di == delays ? 0 : grid.delay_min + di};
        }
      }
  return best;
}

EnergyMethod tune_integral(const Dataset& train, const IntegralGrid& grid, double baseline) {
  const auto y = subtracted(train, baseline);
  const int n = static_cast<int>(train.params.samples);
  EnergyMethod best;
  best.kind = EnergyKind::integral;
  best.baseline = baseline;
  best.train_rms = std::numeric_limits<double>::infinity();
  for (int start : grid.starts)
    for (int length = 1; length <= grid.length_max; ++length) {
      GainFit f;
      const IntegralParams ip{start, length};
      for (std::size_t i = 0; i < train.count(); ++i) f.add(pulse_integral(y.data() + i * n, n, ip) / train.amplitude[i]);
      if (f.failed > max_failures(train) || !(f.rms() < best.train_rms)) continue;
      best.train_rms = f.rms();
      best.gain = f.gain();
      best.integral = ip;
    }
  return best;
}

double energy_estimate(const double* y, int n, const EnergyMethod& m, double ts_ns) {
  const double r = m.kind == EnergyKind::trapezoid ? trapezoid_height(y, n, m.trapezoid, ts_ns) : pulse_integral(y, n, m.integral);
  return m.gain * r;
}

std::vector<double> energy_errors(const Dataset& d, const EnergyMethod& m) {
  const auto y = subtracted(d, m.baseline);
  const int n = static_cast<int>(d.params.samples);
  std::vector<double> e(d.count());
  for (std::size_t i = 0; i < d.count(); ++i) e[i] = energy_estimate(y.data() + i * n, n, m, d.params.ts_ns()) / d.amplitude[i] - 1.0;
  return e;
}

std::string describe(const EnergyMethod& m) {
  return m.kind == EnergyKind::trapezoid ? "trapezoid: " + describe(m.trapezoid) : "integral: " + describe(m.integral);
}

namespace {
std::vector<FitResult> fit_all(const Dataset& d, double baseline) {
  const auto y = subtracted(d, baseline);
  const int n = static_cast<int>(d.params.samples);
  const TemplateFit fit(d.params);
  std::vector<FitResult> r(d.count());
  for (std::size_t i = 0; i < d.count(); ++i) r[i] = fit.fit(y.data() + i * n);
  return r;
}
}  // namespace

FitMethod tune_fit(const Dataset& train, double baseline) {
  FitMethod m;
  m.baseline = baseline;
  const auto r = fit_all(train, baseline);
  double s = 0;
  std::size_t n = 0;
  GainFit g;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (!r[i].ok) continue;
    s += r[i].t0_ns - train.t0_ns[i];
    ++n;
    g.add(r[i].amplitude / train.amplitude[i]);
  }
  m.offset_ns = n ? s / static_cast<double>(n) : 0;
  m.gain = g.gain();
  return m;
}

FitErrors fit_errors(const Dataset& d, const FitMethod& m) {
  const auto r = fit_all(d, m.baseline);
  FitErrors e;
  for (std::size_t i = 0; i < r.size(); ++i) {
    e.time_ps.push_back(r[i].ok ? (r[i].t0_ns - m.offset_ns - d.t0_ns[i]) * 1000.0 : kNan);
    e.energy.push_back(r[i].ok ? m.gain * r[i].amplitude / d.amplitude[i] - 1.0 : kNan);
  }
  return e;
}

}  // namespace strata::pulse
