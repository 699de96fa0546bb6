#include "golden/softmax.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace strata::golden::softmax {

std::string_view name(Algorithm a) {
  switch (a) {
    case Algorithm::three_pass: return "three_pass";
    case Algorithm::online: return "online";
    case Algorithm::two_pass: return "two_pass";
  }
  return "?";
}
std::string_view name(InType t) { return t == InType::int8 ? "int8" : "int16"; }
std::string_view name(OutType t) {
  switch (t) {
    case OutType::uint8: return "uint8";
    case OutType::uint16: return "uint16";
    case OutType::int8: return "int8";
  }
  return "?";
}
int in_bits(InType t) { return t == InType::int8 ? 8 : 16; }
int out_bits(OutType t) { return t == OutType::uint16 ? 16 : 8; }

Scale scale_for(double real_scale) {
  if (!(real_scale > 0.0) || real_scale > 177.0)
    throw std::invalid_argument("softmax scale " + std::to_string(real_scale) + " is out of range; allowed: (0, 177]");
  const double y = real_scale * std::log2(std::exp(1.0));
  for (int s = kShiftMax; s >= 0; --s) {
    const double m = std::round(std::ldexp(y, s + 8));
    if (m < 65536.0) return {static_cast<std::uint32_t>(m), s};
  }
  throw std::invalid_argument("softmax scale " + std::to_string(real_scale) + " is out of range; allowed: (0, 177]");
}

double real_scale(Scale s) { return std::ldexp(static_cast<double>(s.mult), -(s.shift + 8)) / std::log2(std::exp(1.0)); }

const std::array<std::uint32_t, 257>& exp2_table() {
  static const std::array<std::uint32_t, 257> table = [] {
    std::array<std::uint32_t, 257> t{};
    for (int k = 0; k <= 256; ++k) t[static_cast<std::size_t>(k)] = static_cast<std::uint32_t>(std::lround(std::exp2(k / 256.0) * 65536.0) - 65536);
    return t;
  }();
  return table;
}

std::int64_t exponent(std::int64_t v, Scale s) {
  const std::int64_t p = v * static_cast<std::int64_t>(s.mult);
  return (p * 512 + (std::int64_t{1} << s.shift)) >> (s.shift + 1);  // arithmetic shift: floor
}

Exp2 exp2_neg(std::int64_t w) {
  const std::int64_t n = (w + 0xFFFF) >> 16;  // ceil(w / 2^16)
  const auto f = static_cast<std::uint32_t>(n * 65536 - w);
  const auto& tab = exp2_table();
  const std::uint32_t k = f >> 8, fl = f & 0xFF;
  const std::uint32_t d = tab[k + 1] - tab[k];
  return {n, tab[k] + ((d * fl + 128) >> 8)};
}

std::uint64_t rsh(std::uint64_t x, std::int64_t d) {
  if (d < 0) throw std::logic_error("softmax: negative rounding shift");
  if (d >= 62) return 0;  // every x used here is below 2^61
  return (2 * x + (std::uint64_t{1} << d)) >> (d + 1);
}

std::uint64_t term(std::uint32_t t, std::int64_t d) { return rsh((std::uint64_t{65536} + t) << 8, d); }

std::uint64_t online_rescale(std::uint64_t sum, Exp2 e) {
  if (sum >= (std::uint64_t{1} << 43)) throw std::logic_error("softmax: a sum beyond any vector's");
  return rsh(sum * (65536u + e.t), 16 + e.n);
}

Recip reciprocal(std::uint64_t sum) {
  if (sum < (std::uint64_t{1} << kSumFrac)) throw std::logic_error("softmax: a sum below 1");
  const int msb = static_cast<int>(std::bit_width(sum)) - 1;
  const std::uint64_t sig = sum >> (msb - (kSigBits - 1));
  const std::uint64_t r = ((std::uint64_t{1} << 34) + (sig >> 1)) / sig;
  return {msb - kSumFrac, static_cast<std::uint32_t>(std::min<std::uint64_t>(r, (1u << kRecipBits) - 1))};
}

int output_code(std::uint32_t t, std::int64_t d, Recip r, OutType out) {
  if (d < 0) throw std::logic_error("softmax: negative output shift");
  const int b = out_bits(out);
  const std::uint64_t q = (std::uint64_t{65536} + t) * r.r;
  const std::uint64_t c = std::min<std::uint64_t>(rsh(q, 33 - b + std::min<std::int64_t>(d, b + 2)), (std::uint64_t{1} << b) - 1);
  return out == OutType::int8 ? static_cast<int>(c) - 128 : static_cast<int>(c);
}

Trace run_traced(const std::vector<int>& logits, Algorithm a, InType in, Scale s, OutType out) {
  if (logits.empty()) throw std::invalid_argument("softmax of an empty vector");
  const int lo = in == InType::int8 ? -128 : -32768, hi = -lo - 1;
  for (int q : logits)
    if (q < lo || q > hi) throw std::invalid_argument("softmax: logit " + std::to_string(q) + " is out of the range of " + std::string(name(in)));
  if (s.mult >= (1u << kMultBits) || s.shift < 0 || s.shift > kShiftMax) throw std::invalid_argument("softmax: scale out of range");

  Trace tr;
  std::uint64_t sum = 0;
  std::int64_t ref = 0;
  switch (a) {
    case Algorithm::three_pass: {
      ref = *std::max_element(logits.begin(), logits.end());
      for (int q : logits) {
        const Exp2 e = exp2_neg(exponent(ref - q, s));
        sum += term(e.t, e.n);
      }
      break;
    }
    case Algorithm::online: {
      ref = logits[0];
      sum = std::uint64_t{1} << kSumFrac;
      for (std::size_t i = 1; i < logits.size(); ++i) {
        const std::int64_t q = logits[i];
        if (q > ref) {
          sum = online_rescale(sum, exp2_neg(exponent(q - ref, s))) + (std::uint64_t{1} << kSumFrac);
          ref = q;
        } else {
          const Exp2 e = exp2_neg(exponent(ref - q, s));
          sum += term(e.t, e.n);
        }
      }
      break;
    }
    case Algorithm::two_pass: {
      for (std::size_t i = 0; i < logits.size(); ++i) {
        const Exp2 e = exp2_neg(exponent(-static_cast<std::int64_t>(logits[i]), s));
        if (i == 0) {
          ref = e.n;
          sum = term(e.t, 0);
        } else if (e.n < ref) {
          sum = rsh(sum, ref - e.n) + term(e.t, 0);
          ref = e.n;
        } else {
          sum += term(e.t, e.n - ref);
        }
      }
      break;
    }
  }
  tr.sum = sum;
  tr.ref = ref;
  tr.recip = reciprocal(sum);
  tr.codes.reserve(logits.size());
  for (int q : logits) {
    if (a == Algorithm::two_pass) {
      const Exp2 e = exp2_neg(exponent(-static_cast<std::int64_t>(q), s));
      tr.codes.push_back(output_code(e.t, e.n - ref + tr.recip.k, tr.recip, out));
    } else {
      const Exp2 e = exp2_neg(exponent(ref - q, s));
      tr.codes.push_back(output_code(e.t, e.n + tr.recip.k, tr.recip, out));
    }
  }
  return tr;
}

std::vector<int> run(const std::vector<int>& logits, Algorithm a, InType in, Scale s, OutType out) {
  return run_traced(logits, a, in, s, out).codes;
}

double probability(int code, OutType out) {
  switch (out) {
    case OutType::uint8: return code / 256.0;
    case OutType::uint16: return code / 65536.0;
    case OutType::int8: return (code + 128) / 256.0;
  }
  return 0;
}

int sum_bits(int max_length) { return 25 + std::bit_width(static_cast<unsigned>(max_length)); }

}  // namespace strata::golden::softmax
