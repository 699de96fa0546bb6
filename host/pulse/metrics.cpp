#include "pulse/metrics.h"

#include <algorithm>
#include <cmath>

namespace strata::pulse {

double quantile_sorted(const std::vector<double>& s, double q) {
  if (s.empty()) return std::nan("");
  const double pos = q * static_cast<double>(s.size() - 1);
  const auto i = static_cast<std::size_t>(pos);
  if (i + 1 >= s.size()) return s.back();
  const double f = pos - static_cast<double>(i);
  return s[i] + f * (s[i + 1] - s[i]);
}

Resolution resolution(const std::vector<double>& errors) {
  Resolution r;
  std::vector<double> v;
  v.reserve(errors.size());
  for (double e : errors) {
    if (std::isfinite(e)) v.push_back(e);
    else ++r.failed;
  }
  r.n = v.size();
  if (v.empty()) return r;
  double sum = 0;
  for (double e : v) sum += e;
  r.mean = sum / static_cast<double>(v.size());
  double ss = 0;
  for (double e : v) ss += (e - r.mean) * (e - r.mean);
  r.std = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0.0;
  std::sort(v.begin(), v.end());
  r.sigma68 = 0.5 * (quantile_sorted(v, 0.841344746) - quantile_sorted(v, 0.158655254));
  r.fwhm = kFwhmPerSigma * r.sigma68;
  return r;
}

}  // namespace strata::pulse
