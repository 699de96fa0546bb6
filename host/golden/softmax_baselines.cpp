#include "golden/softmax_baselines.h"

#include <gmpxx.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace strata::golden::softmax {

namespace {

int to_code(double p, OutType out) {
  const int b = out_bits(out);
  const double c = std::nearbyint(std::ldexp(p, b));  // half to even (default rounding mode)
  const int code = static_cast<int>(std::clamp(c, 0.0, std::ldexp(1.0, b) - 1.0));
  return out == OutType::int8 ? code - 128 : code;
}

// ap_fixed<32,10>: 22 fraction bits, truncation towards minus infinity.
constexpr int kFmFrac = 22;
double fm(double x) {
  const double lim = 512.0 - std::ldexp(1.0, -kFmFrac);
  return std::floor(std::ldexp(std::clamp(x, -512.0, lim), kFmFrac)) / std::ldexp(1.0, kFmFrac);
}

}  // namespace

std::vector<int> ibert_softmax(const std::vector<int>& logits, double scale, OutType out) {
  if (logits.empty()) throw std::invalid_argument("softmax of an empty vector");
  if (!(scale > 0.0)) throw std::invalid_argument("I-BERT softmax: the scale must be positive");
  const long qmax = *std::max_element(logits.begin(), logits.end());
  // S > ln 2 makes floor(ln2 / S) zero and the range reduction undefined:
  // it is clamped to one step.
  const long q_ln2 = std::max(1L, static_cast<long>(std::floor(std::log(2.0) / scale)));
  const long q_b = static_cast<long>(std::floor(1.353 / scale));
  const mpz_class q_c(std::floor(0.344 / (0.3585 * scale * scale)));
  std::vector<mpz_class> e;
  mpz_class sum = 0;
  for (int qi : logits) {
    const long qt = qi - qmax;  // <= 0
    const long z = (-qt) / q_ln2;  // floor, as -q~ >= 0
    const long qp = qt + z * q_ln2;
    const mpz_class ql = mpz_class(qp + q_b) * (qp + q_b) + q_c;
    e.push_back(z >= 4096 ? mpz_class(0) : mpz_class(ql >> static_cast<mp_bitcnt_t>(z)));
    sum += e.back();
  }
  const int b = out_bits(out);
  std::vector<int> codes;
  if (sum == 0) {  // every exponential underflowed
    for (std::size_t i = 0; i < logits.size(); ++i) codes.push_back(out == OutType::int8 ? -128 : 0);
    return codes;
  }
  const mpz_class factor = (mpz_class(1) << 32) / sum;
  const mpz_class cap = (mpz_class(1) << b) - 1;
  for (const auto& qe : e) {
    mpz_class c = (qe * factor) >> static_cast<mp_bitcnt_t>(32 - b);
    if (c > cap) c = cap;
    const int code = static_cast<int>(c.get_si());
    codes.push_back(out == OutType::int8 ? code - 128 : code);
  }
  return codes;
}

std::vector<int> edge_moe_softmax(const std::vector<int>& logits, double scale, OutType out) {
  if (logits.empty()) throw std::invalid_argument("softmax of an empty vector");
  std::vector<double> x;
  for (int q : logits) x.push_back(fm(scale * q));
  double sum = 0, bias = -512.0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    if (k == 0) {
      sum = 0;
      bias = -512.0;  // ap_fixed_min
    }
    const double arg = fm(bias - x[k]);
    const bool is_new_bias = std::signbit(arg);
    const double ex = fm(std::exp(is_new_bias ? arg : -arg));
    if (is_new_bias) {
      sum = fm(fm(sum * ex) + 1.0);
      bias = x[k];
    } else {
      sum = fm(sum + ex);
    }
  }
  const double recip = fm(1.0 / sum);
  std::vector<int> codes;
  for (double xi : x) codes.push_back(to_code(fm(fm(std::exp(fm(xi - bias))) * recip), out));
  return codes;
}

}  // namespace strata::golden::softmax
