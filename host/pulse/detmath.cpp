#include "pulse/detmath.h"

#include <cmath>
#include <limits>

namespace strata::pulse {

namespace {
// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11.
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 0x3FE62E42FEE00000
constexpr double kLn2Lo = 1.90821492927058770002e-10;  // ln 2 - kLn2Hi
constexpr double kInvLn2 = 1.44269504088896338700e+00;
}  // namespace

double det_exp(double x) {
  if (x != x) return x;
  if (x > 709.78) return std::numeric_limits<double>::infinity();
  if (x < -745.0) return 0.0;
  // x = k ln2 + r, |r| <= ln2/2 (rounding k half away from zero).
  const double kd = x * kInvLn2;
  const int k = static_cast<int>(kd < 0 ? kd - 0.5 : kd + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  // e^r by its Taylor series to r^17/17! (|r| <= 0.347: the next term is below 2^-60).
  double p = 1.0 / 355687428096000.0;  // 1/17!
  constexpr double kInvFact[] = {1.0 / 20922789888000.0, 1.0 / 1307674368000.0, 1.0 / 87178291200.0, 1.0 / 6227020800.0,
                                 1.0 / 479001600.0,      1.0 / 39916800.0,      1.0 / 3628800.0,     1.0 / 362880.0,
                                 1.0 / 40320.0,          1.0 / 5040.0,          1.0 / 720.0,         1.0 / 120.0,
                                 1.0 / 24.0,             1.0 / 6.0,             0.5,                 1.0,
                                 1.0};
  for (double c : kInvFact) p = p * r + c;  // 1/16! ... 1/0!
  return std::ldexp(p, k);
}

double det_log(double x) {
  if (x != x || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<double>::infinity();
  if (x == std::numeric_limits<double>::infinity()) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // x = m 2^e, m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    --e;
  }
  // ln m = 2 atanh(s), s = (m - 1)/(m + 1), |s| <= 0.1716: series to s^41.
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double p = 1.0 / 41.0;
  for (int j = 39; j >= 1; j -= 2) p = p * s2 + 1.0 / j;
  const double lnm = 2.0 * s * p;
  return (e * kLn2Lo + lnm) + e * kLn2Hi;
}

}  // namespace strata::pulse
