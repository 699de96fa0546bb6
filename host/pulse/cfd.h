// Digital constant-fraction discrimination (docs/pulse.md, "Classical baselines").
//
// With y_k = x_k - baseline and p the index of the largest y_k:
//   delay_line:    c_k = f y_k - y_{k-D}    (y_j = 0 for j < 0), search from k = min(p + D, N - 1);
//   peak_fraction: c_k = f Y - y_k, Y the peak value refined by a parabola through
//                  y_{p-1}, y_p, y_{p+1}, search from k = p.
// Going back from the search start (where c <= 0), the first j with c_j > 0 brackets
// the crossing in [j, j + 1]; its position u in [0, 1] is
//   linear: u = c_j / (c_j - c_{j+1});
//   cubic:  the root of the cubic through c_{j-1} .. c_{j+2} (linear at the window's ends).
// The crossing time is (j + u) Ts from sample 0; NaN when there is none.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace strata::pulse {

enum class CfdMode { delay_line, peak_fraction };
enum class Interp { linear, cubic };

struct CfdParams {
  CfdMode mode = CfdMode::delay_line;
  int delay = 2;           // D in samples (delay_line)
  double fraction = 0.5;   // f
  Interp interp = Interp::cubic;
};

std::string describe(const CfdParams& p);

// On baseline-subtracted samples y[0 .. n-1].
double cfd_crossing_ns(const double* y, int n, const CfdParams& p, double ts_ns);
double cfd_crossing_ns(std::span<const std::int16_t> x, double baseline, const CfdParams& p, double ts_ns);

// The root in [0, 1] of the cubic through (-1, c0), (0, c1), (1, c2), (2, c3), given c1 > 0 >= c2.
double cubic_zero(double c0, double c1, double c2, double c3);

}  // namespace strata::pulse
