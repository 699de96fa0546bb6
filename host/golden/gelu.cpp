#include "golden/gelu.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace strata::golden::gelu {

namespace {

constexpr double kTanhK = 0.7978845608028654;  // sqrt(2 / pi)

std::int64_t clamp64(std::int64_t v, std::int64_t lo, std::int64_t hi) { return std::min(std::max(v, lo), hi); }

bool fits_signed(std::int64_t v, int bits) { return v >= -(std::int64_t{1} << (bits - 1)) && v < (std::int64_t{1} << (bits - 1)); }

// Horner with the unit's truncations: h_D = c_D, h_k = c_k + floor(h_(k+1) u / 2^w).
// `widest` receives the largest |h_k| met (h_0 included).
std::int64_t horner(const std::array<std::int32_t, kMaxDegree + 1>& c, int degree, int w, std::int64_t u, std::int64_t* widest) {
  std::int64_t h = c[static_cast<std::size_t>(degree)];
  std::int64_t most = std::abs(h);
  for (int k = degree - 1; k >= 0; --k) {
    h = c[static_cast<std::size_t>(k)] + ((h * u) >> w);
    most = std::max(most, std::abs(h));
  }
  if (widest) *widest = most;
  return h;
}

void check_quant(const Quant& qp) {
  if (!(qp.in_scale > 0) || !std::isfinite(qp.in_scale) || !(qp.out_scale > 0) || !std::isfinite(qp.out_scale))
    throw std::invalid_argument(fmt::format("gelu: scales must be positive and finite (in {}, out {})", qp.in_scale, qp.out_scale));
}

// Interpolation of g at deg+1 Chebyshev nodes of [0, tmax]: the
// coefficients of the polynomial in t, by Gaussian elimination (at most 4x4).
template <class G>
std::array<double, kMaxDegree + 1> chebyshev_fit(const G& g, int deg, double tmax) {
  const int k = deg + 1;
  double v[kMaxDegree + 1][kMaxDegree + 2] = {};
  for (int j = 0; j < k; ++j) {
    const double t = tmax / 2 * (1 - std::cos((2 * j + 1) * std::numbers::pi / (2 * k)));
    double pw = 1;
    for (int i = 0; i < k; ++i, pw *= t) v[j][i] = pw;
    v[j][k] = g(t);
  }
  for (int col = 0; col < k; ++col) {
    int piv = col;
    for (int r = col + 1; r < k; ++r)
      if (std::abs(v[r][col]) > std::abs(v[piv][col])) piv = r;
    for (int i = 0; i <= k; ++i) std::swap(v[col][i], v[piv][i]);
    for (int r = 0; r < k; ++r) {
      if (r == col) continue;
      const double fac = v[r][col] / v[col][col];
      for (int i = col; i <= k; ++i) v[r][i] -= fac * v[col][i];
    }
  }
  std::array<double, kMaxDegree + 1> coef{};
  for (int i = 0; i < k; ++i) coef[static_cast<std::size_t>(i)] = v[i][k] / v[i][i];
  return coef;
}

}  // namespace

double gelu(double x, Form form) {
  if (form == Form::erf) return 0.5 * x * (1.0 + std::erf(x / std::numbers::sqrt2));
  return 0.5 * x * (1.0 + std::tanh(kTanhK * (x + 0.044715 * x * x * x)));
}

double delta(double x, Form form) {
  const double a = std::abs(x);
  if (form == Form::erf) return 0.5 * a * std::erfc(a / std::numbers::sqrt2);
  // relu(a) - gelu(a) = a/2 (1 - tanh(k)) = a / (1 + e^(2k)), no cancellation.
  return a / (1.0 + std::exp(2.0 * kTanhK * (a + 0.044715 * a * a * a)));
}

double reference(const Quant& qp, Form form, int q, int qmin, int qmax) {
  const double f = gelu(qp.in_scale * (q - qp.in_zero), form) / qp.out_scale + qp.out_zero;
  return std::min(std::max(f, static_cast<double>(qmin)), static_cast<double>(qmax));
}

std::array<std::int8_t, 256> int8_table(const Quant& qp, Form form) {
  check_quant(qp);
  std::array<std::int8_t, 256> t{};
  for (int q = -128; q <= 127; ++q) {
    const double f = gelu(qp.in_scale * (q - qp.in_zero), form) / qp.out_scale;
    const double r = std::nearbyint(f) + qp.out_zero;  // ties to even (the default rounding mode)
    t[static_cast<std::uint8_t>(q)] = static_cast<std::int8_t>(std::min(std::max(r, -128.0), 127.0));
  }
  return t;
}

Int16Program int16_program(const Quant& qp, Form form, const Int16Shape& shape) {
  check_quant(qp);
  const int n = shape.segments, deg = shape.degree;
  if (n < 16 || n > 256 || (n & (n - 1)) != 0) throw std::invalid_argument(fmt::format("gelu: {} segments; allowed: a power of two from 16 to 256", n));
  if (deg < 1 || deg > kMaxDegree) throw std::invalid_argument(fmt::format("gelu: degree {}; allowed: 1 to {}", deg, kMaxDegree));
  if (qp.in_zero < -32768 || qp.in_zero > 32767 || qp.out_zero < -32768 || qp.out_zero > 32767)
    throw std::invalid_argument(fmt::format("gelu: zero points {} and {} must be int16", qp.in_zero, qp.out_zero));
  const double ratio = qp.in_scale / qp.out_scale;
  if (ratio < std::ldexp(1.0, -16) || ratio > 32.0) throw std::invalid_argument(fmt::format("gelu: s_in / s_out = {} is outside [2^-16, 32]", ratio));

  Int16Program p;
  p.in_zero = static_cast<std::int16_t>(qp.in_zero);
  p.out_zero = static_cast<std::int16_t>(qp.out_zero);
  // M * 2^-sh ~ ratio * 2^F with M in [2^23, 2^24).
  int e = 0;
  const double f = std::frexp(ratio * (1 << kFracBits), &e);
  std::int64_t m = std::llround(std::ldexp(f, kMultBits));
  if (m == (std::int64_t{1} << kMultBits)) {
    m >>= 1;
    ++e;
  }
  p.relu_mult = static_cast<std::uint32_t>(m);
  p.relu_shift = kMultBits - e;

  // The cover [0, T) of delta, then the segment width 2^w.
  double cover = 1.0 / 16;
  while (cover < 8.0 && delta(cover, form) / qp.out_scale > std::ldexp(1.0, -7)) cover += 1.0 / 16;
  // Only magnitudes up to the largest |q - z_in| need covering.
  const double max_a = std::max(32767.0 - qp.in_zero, 32768.0 + qp.in_zero);
  const double codes = std::min(std::ceil(cover / qp.in_scale), max_a + 1);
  int w = 0;
  while (w < 15 && static_cast<double>(n) * std::ldexp(1.0, w) < codes) ++w;
  p.seg_shift = w;

  // delta of the input magnitude a (in codes), in units 2^-F output LSB.
  const double unit = std::ldexp(1.0, kFracBits) / qp.out_scale;
  auto target = [&](double a) { return delta(qp.in_scale * a, form) * unit; };
  const std::int64_t width = std::int64_t{1} << w;
  const double tmax = static_cast<double>(width - 1) / static_cast<double>(width);
  constexpr std::int64_t kMax = (std::int64_t{1} << (kCoeffBits - 1)) - 1;
  p.coeffs.assign(static_cast<std::size_t>(n), {});
  for (int s = 0; s < n; ++s) {
    const std::int64_t a0 = static_cast<std::int64_t>(s) << w;
    if (a0 > 65535) break;  // no input reaches this segment
    auto& c = p.coeffs[static_cast<std::size_t>(s)];
    std::array<double, kMaxDegree + 1> coef{};
    if (width == 1)
      coef[0] = target(static_cast<double>(a0));
    else
      coef = chebyshev_fit([&](double t) { return target(static_cast<double>(a0) + t * static_cast<double>(width)); }, deg, tmax);
    for (int i = 0; i <= deg; ++i) {
      const std::int64_t v = std::llround(coef[static_cast<std::size_t>(i)]);
      if (v < -kMax - 1 || v > kMax)
        throw std::invalid_argument(
            fmt::format("gelu: output scale {} too fine: coefficient {} of segment {} needs more than {} bits", qp.out_scale, i, s, kCoeffBits));
      c[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(v);
    }
    // Balance the errors over the segment's codes by moving c_0.
    const std::int64_t last = std::min<std::int64_t>(width - 1, 65535 - a0);
    double lo = 0, hi = 0;
    std::int64_t widest = 0;
    auto errors = [&] {
      lo = 1e300, hi = -1e300, widest = 0;
      for (std::int64_t u = 0; u <= last; ++u) {
        std::int64_t wd = 0;
        const double er = target(static_cast<double>(a0 + u)) - static_cast<double>(horner(c, deg, w, u, &wd));
        lo = std::min(lo, er), hi = std::max(hi, er), widest = std::max(widest, wd);
      }
    };
    errors();
    const std::int64_t c0 = c[0] + std::llround((lo + hi) / 2);
    if (c0 < -kMax - 1 || c0 > kMax)
      throw std::invalid_argument(
          fmt::format("gelu: output scale {} too fine: coefficient 0 of segment {} needs more than {} bits", qp.out_scale, s, kCoeffBits));
    c[0] = static_cast<std::int32_t>(c0);
    errors();
    if (!fits_signed(widest, kHornerBits))
      throw std::invalid_argument(
          fmt::format("gelu: output scale {} too fine: a Horner step of segment {} needs more than {} bits", qp.out_scale, s, kHornerBits));
  }
  return p;
}

std::int16_t int16_eval(const Int16Program& p, const Int16Shape& shape, std::int16_t q) {
  const std::int64_t d = std::int64_t{q} - p.in_zero;
  const std::int64_t a = std::abs(d);
  const std::int64_t r = std::max<std::int64_t>(d, 0);
  const std::int64_t relu = (r * p.relu_mult) >> p.relu_shift;
  const std::int64_t seg = a >> p.seg_shift;
  const std::int64_t u = a & ((std::int64_t{1} << p.seg_shift) - 1);
  const std::int64_t del = seg >= shape.segments ? 0 : horner(p.coeffs[static_cast<std::size_t>(seg)], shape.degree, p.seg_shift, u, nullptr);
  const std::int64_t y = relu - del + (std::int64_t{p.out_zero} << kFracBits);
  return static_cast<std::int16_t>(clamp64((y + (1 << (kFracBits - 1))) >> kFracBits, -32768, 32767));
}

}  // namespace strata::golden::gelu
