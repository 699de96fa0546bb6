// Fair tuning of the classical baselines (docs/pulse.md, "Tuning").
//
// Every method learns what it needs from a training set only, and is then
// evaluated on a separate test set:
//   - the baseline: the mean of the pre-pulse samples 0 .. first_sample-1 of all
//     training events (the nominal baseline when first_sample is 0);
//   - CFD: every (mode, delay, fraction, interpolation) of the grid; the time
//     offset of each is the mean of (crossing - true t0) on the training set; the
//     one with the smallest standard deviation of that difference wins. With
//     phase_bins > 0 the offset is a table instead: the mean of (crossing - t0)
//     for each of phase_bins equal bins of the crossing's position within its
//     sample, (crossing / Ts) mod 1 (a correction of the interpolation's
//     phase-dependent error, learnt like the offset);
//   - trapezoid and integral: every grid point; the gain g = sum(q) / sum(q^2),
//     q = reading / true amplitude, minimises sum (g q - 1)^2; the point with the
//     smallest rms relative error wins.
// A grid point that finds no value (no crossing, readout outside the window) for
// more than 0.5% of the training events is not eligible.
#pragma once

#include <vector>

#include "pulse/cfd.h"
#include "pulse/energy.h"
#include "pulse/fit.h"
#include "pulse/simulate.h"

namespace strata::pulse {

double estimate_baseline(const Dataset& train);

struct TimingMethod {
  CfdParams cfd;
  double baseline = 0;
  double offset_ns = 0;
  std::vector<double> phase_offsets_ns;  // empty: offset_ns for every crossing
  double train_std_ps = 0;
  double offset_for(double crossing_ns, double ts_ns) const;
};

struct CfdGrid {
  std::vector<CfdMode> modes{CfdMode::delay_line, CfdMode::peak_fraction};
  std::vector<Interp> interps{Interp::linear, Interp::cubic};
  std::vector<int> delays{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  std::vector<double> fractions;  // default: 0.05 .. 1 in steps of 0.05
  int phase_bins = 0;             // 0: one offset
  CfdGrid();
};

TimingMethod tune_cfd(const Dataset& train, const CfdGrid& grid, double baseline);
// (estimate - true t0) in ps, NaN where the CFD finds no crossing.
std::vector<double> time_errors_ps(const Dataset& d, const TimingMethod& m);

enum class EnergyKind { trapezoid, integral };

struct EnergyMethod {
  EnergyKind kind = EnergyKind::trapezoid;
  TrapezoidParams trapezoid;
  IntegralParams integral;
  double baseline = 0;
  double gain = 1;
  double train_rms = 0;
};

struct TrapezoidGrid {
  std::vector<int> rises{1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24};
  std::vector<int> flats{0, 1, 2, 3, 4, 6, 8, 10};
  std::vector<double> pz_taus_ns{0, 10, 20, 30, 50, 70, 100, 150, 200};
  int delay_min = -2;  // readout fixed: delays from delay_min to the window's end, and max
};

struct IntegralGrid {
  std::vector<int> starts{-4, -3, -2, -1, 0};
  int length_max = 32;  // lengths 1 .. length_max
};

EnergyMethod tune_trapezoid(const Dataset& train, const TrapezoidGrid& grid, double baseline);
EnergyMethod tune_integral(const Dataset& train, const IntegralGrid& grid, double baseline);
// The energy estimate g * reading of each event (NaN where there is no reading).
double energy_estimate(const double* y, int n, const EnergyMethod& m, double ts_ns);
// Relative errors (estimate / true amplitude - 1).
std::vector<double> energy_errors(const Dataset& d, const EnergyMethod& m);

// The template fit (fit.h) calibrated like the others: the time offset (mean
// of fitted - true t0) and the gain (least squares, as for the trapezoid)
// learnt on the training set.
struct FitMethod {
  double baseline = 0;
  double offset_ns = 0;
  double gain = 1;
};
FitMethod tune_fit(const Dataset& train, double baseline);
struct FitErrors {
  std::vector<double> time_ps, energy;  // as time_errors_ps and energy_errors
};
FitErrors fit_errors(const Dataset& d, const FitMethod& m);

std::string describe(const EnergyMethod& m);
std::string describe(const TimingMethod& m);

}  // namespace strata::pulse
