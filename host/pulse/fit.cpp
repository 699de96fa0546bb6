#include "pulse/fit.h"

#include <cmath>

namespace strata::pulse {

TemplateFit::TemplateFit(const PulseParams& p, int grid) : p_(p), shape_(p), grid_(grid) {}

FitResult TemplateFit::fit(const double* y) const {
  const int n = static_cast<int>(p_.samples);
  const double ts = p_.ts_ns();
  // R for a given t0 at its best A.
  auto project = [&](double t0, double& a) {
    double ys = 0, ss = 0, yy = 0;
    for (int k = 0; k < n; ++k) {
      const double s = shape_.value(k * ts - t0);
      ys += y[k] * s;
      ss += s * s;
      yy += y[k] * y[k];
    }
    a = ss > 0 ? ys / ss : 0;
    return ss > 0 ? yy - ys * ys / ss : yy;
  };
  auto residual = [&](double t0, double a) {
    double r = 0;
    for (int k = 0; k < n; ++k) {
      const double e = y[k] - a * shape_.value(k * ts - t0);
      r += e * e;
    }
    return r;
  };
  const double lo = (p_.first_sample - 1.0) * ts, hi = (p_.first_sample + p_.spread_samples + 1.0) * ts;
  FitResult best;
  double best_r = INFINITY;
  for (int i = 0; i < grid_; ++i) {
    const double t0 = lo + (hi - lo) * (i + 0.5) / grid_;
    double a = 0;
    const double r = project(t0, a);
    if (r < best_r) {
      best_r = r;
      best = {t0, a, true};
    }
  }
  double t0 = best.t0_ns, a = best.amplitude, r = best_r;
  for (int it = 0; it < 20; ++it) {
    // Gauss-Newton on (A, t0): J = [s_k, -A s'_k].
    double jaa = 0, jat = 0, jtt = 0, ga = 0, gt = 0;
    for (int k = 0; k < n; ++k) {
      const double t = k * ts - t0;
      const double s = shape_.value(t), ds = -a * shape_.derivative(t);
      const double e = y[k] - a * s;
      jaa += s * s;
      jat += s * ds;
      jtt += ds * ds;
      ga += s * e;
      gt += ds * e;
    }
    const double det = jaa * jtt - jat * jat;
    if (!(det > 0)) break;
    double da = (jtt * ga - jat * gt) / det, dt = (jaa * gt - jat * ga) / det;
    bool improved = false;
    for (int h = 0; h < 8; ++h) {
      const double rn = residual(t0 + dt, a + da);
      if (rn < r) {
        t0 += dt;
        a += da;
        improved = r - rn > 1e-12 * r;
        r = rn;
        break;
      }
      da *= 0.5;
      dt *= 0.5;
    }
    if (!improved) break;
  }
  return {t0, a, std::isfinite(t0) && std::isfinite(a)};
}

}  // namespace strata::pulse
