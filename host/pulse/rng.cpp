#include "pulse/rng.h"

#include <cmath>

#include "pulse/detmath.h"

namespace strata::pulse {

double PulseRng::gaussian() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u = 0, v = 0, q = 0;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    q = u * u + v * v;
  } while (q >= 1.0 || q == 0.0);
  const double f = std::sqrt(-2.0 * det_log(q) / q);
  spare_ = v * f;
  has_spare_ = true;
  return u * f;
}

}  // namespace strata::pulse
