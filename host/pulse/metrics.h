// Resolution figures of a set of errors (docs/pulse.md, "Evaluation").
//
//   std     : the sample standard deviation (N - 1) of the finite errors;
//   sigma68 : half the width of the central 68.27% interval, (q_0.8413 - q_0.1587) / 2,
//             quantiles by linear interpolation of the sorted errors: equal to sigma
//             for a Gaussian, insensitive to a few outliers;
//   fwhm    : 2 sqrt(2 ln 2) sigma68 = 2.3548 sigma68, the FWHM of the Gaussian with that sigma.
// Non-finite errors (no crossing found) are counted in `failed` and left out.
#pragma once

#include <cstddef>
#include <vector>

namespace strata::pulse {

struct Resolution {
  std::size_t n = 0, failed = 0;
  double mean = 0, std = 0, sigma68 = 0, fwhm = 0;
};

Resolution resolution(const std::vector<double>& errors);
double quantile_sorted(const std::vector<double>& sorted, double q);

inline constexpr double kFwhmPerSigma = 2.3548200450309493;  // 2 sqrt(2 ln 2)

}  // namespace strata::pulse
