#include "pulse/energy.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "pulse/detmath.h"

namespace strata::pulse {

std::string describe(const TrapezoidParams& p) {
  const std::string pz = p.pz_tau_ns > 0 ? fmt::format("pole-zero tau {} ns", p.pz_tau_ns) : "no pole-zero correction";
  const std::string ro = p.readout == Readout::max ? "maximum" : fmt::format("trigger + {} samples", p.delay);
  return fmt::format("rise {} + flat top {} samples, {}, read at the {}", p.rise, p.flat, pz, ro);
}

std::string describe(const IntegralParams& p) {
  return fmt::format("{} samples from trigger {:+d}", p.length, p.start);
}

int trigger_index(const double* y, int n) {
  double top = y[0];
  for (int k = 1; k < n; ++k) top = std::max(top, y[k]);
  for (int k = 0; k < n; ++k)
    if (y[k] >= 0.5 * top) return k;
  return 0;
}

void trapezoid(const double* y, int n, int rise, int flat, double pz_tau_ns, double ts_ns, std::vector<double>& out) {
  std::vector<double> cu(static_cast<std::size_t>(n) + 1, 0.0);  // cu[k] = sum_{j < k} u_j
  double s = 0;
  const double a = pz_tau_ns > 0 ? det_exp(-ts_ns / pz_tau_ns) : 1.0;
  for (int k = 0; k < n; ++k) {
    s += y[k];
    const double u = a * y[k] + (1 - a) * s;
    cu[k + 1] = cu[k] + u;
  }
  auto sum = [&](int from, int to) {  // sum of u_j, j in [from, to], u_j = 0 for j < 0
    from = std::max(from, 0);
    if (to < from) return 0.0;
    return cu[to + 1] - cu[from];
  };
  const int l = rise + flat;
  out.resize(n);
  for (int k = 0; k < n; ++k) out[k] = (sum(k - rise + 1, k) - sum(k - l - rise + 1, k - l)) / rise;
}

double trapezoid_height(const double* y, int n, const TrapezoidParams& p, double ts_ns) {
  std::vector<double> t;
  trapezoid(y, n, p.rise, p.flat, p.pz_tau_ns, ts_ns, t);
  if (p.readout == Readout::max) return *std::max_element(t.begin(), t.end());
  const int k = trigger_index(y, n) + p.delay;
  return k >= 0 && k < n ? t[k] : std::numeric_limits<double>::quiet_NaN();
}

double pulse_integral(const double* y, int n, const IntegralParams& p) {
  const int from = trigger_index(y, n) + p.start;
  double s = 0;
  for (int k = std::max(from, 0); k < std::min(from + p.length, n); ++k) s += y[k];
  return s;
}

}  // namespace strata::pulse
