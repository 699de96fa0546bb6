// Energy (amplitude) filters (docs/pulse.md, "Classical baselines"), on
// baseline-subtracted samples y[0 .. n-1].
//
// Trapezoid (Jordanov): with a = e^(-Ts / tau_pz), the pole-zero corrected signal
//   u_k = a y_k + (1 - a) sum_{j <= k} y_j        (u = y when tau_pz = 0: no correction)
// turns an exponential decay h a^k into the step h; then with l = rise + flat,
//   T_k = (sum_{j=k-rise+1}^{k} u_j - sum_{j=k-l-rise+1}^{k-l} u_j) / rise   (u_j = 0 for j < 0)
// rises over `rise` samples, stays flat at h for flat + 1 samples, and falls back.
// The energy reading is max_k T_k (readout max) or T at trigger + delay (readout
// fixed), with trigger the first sample at or above half the largest sample.
//
// Pulse integral: sum of y_j for j in [trigger + start, trigger + start + length).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace strata::pulse {

enum class Readout { max, fixed };

struct TrapezoidParams {
  int rise = 4;           // samples
  int flat = 2;           // samples
  double pz_tau_ns = 0;   // pole-zero correction time constant, 0 = none
  Readout readout = Readout::max;
  int delay = 0;          // readout fixed: samples after the trigger
};

struct IntegralParams {
  int start = -1;  // samples after the trigger (negative: before)
  int length = 8;  // samples
};

std::string describe(const TrapezoidParams& p);
std::string describe(const IntegralParams& p);

// First k with y_k >= max(y) / 2.
int trigger_index(const double* y, int n);

// The whole trapezoid T_0 .. T_{n-1} into `out`.
void trapezoid(const double* y, int n, int rise, int flat, double pz_tau_ns, double ts_ns, std::vector<double>& out);
double trapezoid_height(const double* y, int n, const TrapezoidParams& p, double ts_ns);
double pulse_integral(const double* y, int n, const IntegralParams& p);

}  // namespace strata::pulse
