// Benchmark of the classical pulse baselines (run by scripts/bench_pulse.sh).
//
// For each shape and SNR: a training set (seed S) and a test set (seed S + 1)
// from the simulator, the baselines tuned on the training set (host/pulse/tune.h)
// and measured on the test set, beside the Cramer-Rao bound. Prints Markdown.
//   pulse_baselines [--train N] [--test N] [--seed S] [--snr 30,40,47.4] [--shapes crrc,double_exp] [--detail-snr 47.4]
//                   [--rate-msps R --samples N --first-sample F]   (another ADC; defaults 125, 32, 4)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "pulse/crb.h"
#include "pulse/metrics.h"
#include "pulse/simulate.h"
#include "pulse/tune.h"

using namespace strata::pulse;

namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t a = 0;
  for (;;) {
    const std::size_t c = s.find(',', a);
    out.push_back(s.substr(a, c == std::string::npos ? std::string::npos : c - a));
    if (c == std::string::npos) break;
    a = c + 1;
  }
  return out;
}

[[noreturn]] void usage(const std::string& what) {
  fmt::print(stderr, "pulse_baselines: {}\nusage: pulse_baselines [--train N] [--test N] [--seed S] [--snr LIST] [--shapes LIST] [--detail-snr X]\n", what);
  std::exit(2);
}

struct TimingRow {
  std::string name;
  TimingMethod method;
  Resolution res;
};
struct EnergyRow {
  std::string name;
  EnergyMethod method;
  Resolution res;
};

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t train_n = 10000, test_n = 20000, seed = 1;
  std::vector<double> snrs{30, 35, 40, 45, 47.4, 50, 55, 60};
  std::vector<std::string> shapes{"crrc", "double_exp"};
  double detail_snr = 47.4;
  PulseParams adc;  // the ADC fields of the defaults, or the flags
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--train") train_n = std::stoull(value());
    else if (a == "--test") test_n = std::stoull(value());
    else if (a == "--seed") seed = std::stoull(value());
    else if (a == "--snr") {
      snrs.clear();
      for (const auto& s : split(value())) snrs.push_back(std::stod(s));
    } else if (a == "--shapes") shapes = split(value());
    else if (a == "--detail-snr") detail_snr = std::stod(value());
    else if (a == "--rate-msps") adc.rate_msps = std::stod(value());
    else if (a == "--samples") adc.samples = static_cast<std::uint32_t>(std::stoul(value()));
    else if (a == "--first-sample") adc.first_sample = static_cast<std::uint32_t>(std::stoul(value()));
    else usage("unknown argument '" + a + "'");
  }
  for (const auto& s : shapes)
    if (s != "crrc" && s != "double_exp") usage("unknown shape '" + s + "'; allowed: crrc, double_exp");

  for (const auto& shape : shapes) {
    PulseParams base;
    base.shape = shape == "crrc" ? ShapeKind::crrc : ShapeKind::double_exp;
    base.rate_msps = adc.rate_msps;
    base.samples = adc.samples;
    base.first_sample = adc.first_sample;
    if (const std::string e = check_params(base); !e.empty()) usage(e);
    const std::string title = base.shape == ShapeKind::crrc
                                  ? fmt::format("CR-RC^{} shaping, tau = {} ns (peak {} ns after t0)", base.order, base.tau_ns, base.order * base.tau_ns)
                                  : fmt::format("double exponential, rise {} ns, decay {} ns", base.rise_ns, base.decay_ns);
    fmt::print("### {}, {} MSPS\n\n", title, base.rate_msps);
    fmt::print("{}-bit ADC at {} MSPS, {} samples, baseline {}, amplitude uniform in [{}, {}) counts, t0 uniform in samples [{}, {}), "
               "noise sigma = A / 10^(SNR/20) per pulse; {} training and {} test events (seeds {} and {}).\n\n",
               base.adc_bits, base.rate_msps, base.samples, base.baseline, base.amplitude_min, base.amplitude_max, base.first_sample,
               base.first_sample + base.spread_samples, train_n, test_n, seed, seed + 1);
    fmt::print("Time resolution: standard deviation of (estimate - true t0) on the test set, ps. Energy resolution: standard deviation of "
               "(estimate / true amplitude - 1), %. CRB: the Cramer-Rao bound (A and t0 unknown, baseline known).\n\n");
    fmt::print("| SNR (dB) | CRB t (ps) | CFD delay-line, linear | CFD delay-line, cubic | CFD peak-fraction, linear | CFD peak-fraction, cubic "
               "| CFD + phase correction | template fit | CRB E (%) | trapezoid (%) | integral (%) | template fit (%) |\n");
    fmt::print("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    std::vector<TimingRow> detail_t;
    std::vector<EnergyRow> detail_e;
    Bound detail_bound;
    for (double snr : snrs) {
      PulseParams p = base;
      p.snr_db = snr;
      p.count = train_n;
      p.seed = seed;
      const Dataset train = simulate(p);
      p.count = test_n;
      p.seed = seed + 1;
      const Dataset test = simulate(p);
      const Bound bound = cramer_rao(p);
      const double baseline = estimate_baseline(train);
      fmt::print(stderr, "pulse_baselines: {} at {} dB: tuning\n", shape, snr);
      std::vector<TimingRow> trows;
      for (CfdMode mode : {CfdMode::delay_line, CfdMode::peak_fraction})
        for (Interp interp : {Interp::linear, Interp::cubic}) {
          CfdGrid g;
          g.modes = {mode};
          g.interps = {interp};
          TimingRow r;
          r.name = fmt::format("CFD {}, {}", mode == CfdMode::delay_line ? "delay-line" : "peak-fraction", interp == Interp::linear ? "linear" : "cubic");
          r.method = tune_cfd(train, g, baseline);
          r.res = resolution(time_errors_ps(test, r.method));
          trows.push_back(r);
        }
      {
        CfdGrid g;  // every mode and interpolation, offsets by phase
        g.phase_bins = 32;
        TimingRow r;
        r.name = "CFD + phase correction";
        r.method = tune_cfd(train, g, baseline);
        r.res = resolution(time_errors_ps(test, r.method));
        trows.push_back(r);
      }
      std::vector<EnergyRow> erows;
      {
        EnergyRow r{"trapezoid", tune_trapezoid(train, TrapezoidGrid{}, baseline), {}};
        r.res = resolution(energy_errors(test, r.method));
        erows.push_back(r);
        EnergyRow q{"integral", tune_integral(train, IntegralGrid{}, baseline), {}};
        q.res = resolution(energy_errors(test, q.method));
        erows.push_back(q);
      }
      const FitMethod fm = tune_fit(train, baseline);
      const FitErrors fe = fit_errors(test, fm);
      {
        TimingRow r;
        r.name = "template fit (known shape)";
        r.method.offset_ns = fm.offset_ns;
        r.res = resolution(fe.time_ps);
        trows.push_back(r);
        EnergyRow q;
        q.name = "template fit (known shape)";
        q.method.gain = fm.gain;
        q.res = resolution(fe.energy);
        erows.push_back(q);
      }
      fmt::print("| {} | {:.1f} |", snr, bound.time_ps);
      for (const auto& r : trows) fmt::print(" {:.1f} |", r.res.std);
      fmt::print(" {:.3f} |", bound.energy_rel * 100);
      for (const auto& r : erows) fmt::print(" {:.3f} |", r.res.std * 100);
      fmt::print("\n");
      if (std::fabs(snr - detail_snr) < 1e-9) {
        detail_t = trows;
        detail_e = erows;
        detail_bound = bound;
      }
    }
    if (!detail_t.empty()) {
      fmt::print("\nAt {} dB in detail (CRB {:.1f} ps, {:.3f}%). sigma68: half the central 68.27% interval; FWHM = 2.3548 sigma68; "
                 "bias: mean error on the test set after the offset or gain learnt on the training set; failed: test events with no estimate.\n\n",
                 detail_snr, detail_bound.time_ps, detail_bound.energy_rel * 100);
      fmt::print("| timing method | tuned on the training set | std (ps) | sigma68 (ps) | FWHM (ps) | bias (ps) | std / CRB | failed |\n");
      fmt::print("|---|---|---|---|---|---|---|---|\n");
      for (const auto& r : detail_t)
        fmt::print("| {} | {} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {:.2f} | {} |\n", r.name,
                   r.name.rfind("template", 0) == 0 ? fmt::format("offset {:.3f} ns", r.method.offset_ns) : describe(r.method), r.res.std, r.res.sigma68, r.res.fwhm, r.res.mean, r.res.std / detail_bound.time_ps, r.res.failed);
      fmt::print("\n| energy method | tuned on the training set | std (%) | sigma68 (%) | FWHM/E (%) | bias (%) | std / CRB | failed |\n");
      fmt::print("|---|---|---|---|---|---|---|---|\n");
      for (const auto& r : detail_e)
        fmt::print("| {} | {}; gain {:.6g} | {:.3f} | {:.3f} | {:.3f} | {:.3f} | {:.2f} | {} |\n", r.name,
                   r.name.rfind("template", 0) == 0 ? std::string("the shape of the data set's parameters") : describe(r.method), r.method.gain,
                   r.res.std * 100, r.res.sigma68 * 100, r.res.fwhm * 100, r.res.mean * 100, r.res.std / detail_bound.energy_rel, r.res.failed);
    }
    fmt::print("\n");
  }
  return 0;
}
