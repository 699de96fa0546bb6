#include "golden/gelu_baselines.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace strata::golden::gelu {

namespace {

int to_code(const Quant& qp, double real, int qmin, int qmax) {
  const double c = std::nearbyint(real / qp.out_scale) + qp.out_zero;
  return static_cast<int>(std::min(std::max(c, static_cast<double>(qmin)), static_cast<double>(qmax)));
}

}  // namespace

int ibert_code(const Quant& qp, int q, int qmin, int qmax) {
  constexpr double a = -0.2888, b = -1.769;
  const std::int64_t x = q - qp.in_zero;
  // i-ERF(x, S / sqrt 2)
  const double s = qp.in_scale / std::numbers::sqrt2;
  const auto q_b = static_cast<std::int64_t>(std::floor(b / s));
  const auto q_c = static_cast<std::int64_t>(std::floor(1.0 / (a * s * s)));
  const std::int64_t sgn = (x > 0) - (x < 0);
  const std::int64_t clip = std::min<std::int64_t>(std::abs(x), -q_b);
  const std::int64_t q_erf = sgn * ((clip + q_b) * (clip + q_b) + q_c);
  const double s_erf = a * s * s;
  // i-GELU
  const auto q_1 = static_cast<std::int64_t>(std::floor(1.0 / s_erf));
  const std::int64_t q_out = x * (q_erf + q_1);
  const double s_out = qp.in_scale * s_erf / 2;
  return to_code(qp, static_cast<double>(q_out) * s_out, qmin, qmax);
}

int edge_moe_code(const Quant& qp, int q, int qmin, int qmax) {
  constexpr int kEntries = 177;  // 0, 1/32, ..., 5.5
  static const std::array<double, kEntries> table = [] {
    std::array<double, kEntries> t{};
    for (int i = 0; i < kEntries; ++i) t[static_cast<std::size_t>(i)] = delta(i / 32.0, Form::erf);
    return t;
  }();
  const double x = qp.in_scale * (q - qp.in_zero);
  const double ax = std::abs(x), relu = std::max(x, 0.0);
  if (ax >= (kEntries - 1) / 32.0) return to_code(qp, relu, qmin, qmax);
  const double pos = ax * 32.0;
  const auto i = static_cast<std::size_t>(pos);
  const double t = pos - static_cast<double>(i);
  const double d = table[i] + t * (table[i + 1] - table[i]);
  return to_code(qp, relu - d, qmin, qmax);
}

}  // namespace strata::golden::gelu
