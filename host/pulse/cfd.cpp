#include "pulse/cfd.h"

#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>

namespace strata::pulse {

std::string describe(const CfdParams& p) {
  const char* interp = p.interp == Interp::linear ? "linear" : "cubic";
  if (p.mode == CfdMode::delay_line) return fmt::format("delay line, D = {} samples, f = {:.2f}, {}", p.delay, p.fraction, interp);
  return fmt::format("fraction of the peak, f = {:.2f}, {}", p.fraction, interp);
}

double cubic_zero(double c0, double c1, double c2, double c3) {
  const double a0 = c1;
  const double a1 = -c0 / 3 - c1 / 2 + c2 - c3 / 6;
  const double a2 = c0 / 2 - c1 + c2 / 2;
  const double a3 = -c0 / 6 + c1 / 2 - c2 / 2 + c3 / 6;
  auto f = [&](double u) { return ((a3 * u + a2) * u + a1) * u + a0; };
  auto df = [&](double u) { return (3 * a3 * u + 2 * a2) * u + a1; };
  double lo = 0, hi = 1;                   // f(lo) > 0 >= f(hi)
  double u = c1 / (c1 - c2);               // the linear estimate
  for (int it = 0; it < 60; ++it) {
    const double v = f(u);
    if (v > 0) lo = u; else hi = u;
    if (hi - lo < 1e-12) break;
    const double d = df(u);
    double next = d != 0 ? u - v / d : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);  // Newton left the bracket: bisect
    if (std::fabs(next - u) < 1e-13) { u = next; break; }
    u = next;
  }
  return u;
}

double cfd_crossing_ns(const double* y, int n, const CfdParams& p, double ts_ns) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  if (n < 2) return nan;
  int peak = 0;
  for (int k = 1; k < n; ++k)
    if (y[k] > y[peak]) peak = k;
  if (!(y[peak] > 0)) return nan;
  double threshold = 0;
  int start = peak;
  if (p.mode == CfdMode::delay_line) {
    start = std::min(peak + p.delay, n - 1);
  } else {
    double top = y[peak];
    if (peak > 0 && peak + 1 < n) {
      const double den = y[peak + 1] - 2 * y[peak] + y[peak - 1];
      if (den < 0) top = y[peak] - (y[peak + 1] - y[peak - 1]) * (y[peak + 1] - y[peak - 1]) / (8 * den);
    }
    threshold = p.fraction * top;
  }
  auto c = [&](int k) {
    if (k < 0) k = 0;
    if (k >= n) k = n - 1;
    if (p.mode == CfdMode::delay_line) return p.fraction * y[k] - (k - p.delay >= 0 ? y[k - p.delay] : 0.0);
    return threshold - y[k];
  };
  if (c(start) > 0) return nan;
  int j = start - 1;
  while (j >= 0 && !(c(j) > 0)) --j;
  if (j < 0) return nan;
  const double cj = c(j), cj1 = c(j + 1);
  double u = cj / (cj - cj1);
  if (p.interp == Interp::cubic && j >= 1 && j + 2 < n) u = cubic_zero(c(j - 1), cj, cj1, c(j + 2));
  return (j + u) * ts_ns;
}

double cfd_crossing_ns(std::span<const std::int16_t> x, double baseline, const CfdParams& p, double ts_ns) {
  std::vector<double> y(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) y[k] = x[k] - baseline;
  return cfd_crossing_ns(y.data(), static_cast<int>(y.size()), p, ts_ns);
}

}  // namespace strata::pulse
