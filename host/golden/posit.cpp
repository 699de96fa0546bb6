#include "golden/posit.h"

#include <array>
#include <cctype>
#include <sstream>
#include <stdexcept>

namespace strata::golden {

namespace {

std::uint64_t mask(int n) { return (std::uint64_t{1} << n) - 1; }

mpz_class pow2(long e) {
  mpz_class r;
  mpz_ui_pow_ui(r.get_mpz_t(), 2, static_cast<unsigned long>(e));
  return r;
}

// x * 2^e, exactly.
mpq_class scaled(const mpq_class& x, long e) {
  mpq_class r = x;
  if (e >= 0)
    mpq_mul_2exp(r.get_mpq_t(), x.get_mpq_t(), static_cast<mp_bitcnt_t>(e));
  else
    mpq_div_2exp(r.get_mpq_t(), x.get_mpq_t(), static_cast<mp_bitcnt_t>(-e));
  return r;
}

// floor(log2 a) for a > 0.
long floor_log2(const mpq_class& a) {
  long s = static_cast<long>(mpz_sizeinbase(a.get_num_mpz_t(), 2)) - static_cast<long>(mpz_sizeinbase(a.get_den_mpz_t(), 2));
  if (scaled(mpq_class(1), s) > a) --s;  // 2^s <= a < 2^(s+1)
  return s;
}

long floor_div(long a, long b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

void check(PositFormat f) {
  if (f.n < 2 || f.n > 32 || f.es < 0 || f.es > 3) {
    std::ostringstream msg;
    msg << "posit(" << f.n << "," << f.es << "): allowed 2 <= n <= 32, 0 <= es <= 3";
    throw std::invalid_argument(msg.str());
  }
}

std::uint32_t posit_nar(PositFormat f) { return static_cast<std::uint32_t>(std::uint64_t{1} << (f.n - 1)); }
std::uint32_t posit_maxpos(PositFormat f) { return static_cast<std::uint32_t>(mask(f.n - 1)); }

std::optional<mpq_class> posit_decode(PositFormat f, std::uint32_t code_in) {
  check(f);
  const int n = f.n;
  std::uint64_t c = code_in & mask(n);
  if (c == 0) return mpq_class(0);
  if (c == posit_nar(f)) return std::nullopt;
  const bool neg = (c >> (n - 1)) & 1;
  if (neg) c = (~c + 1) & mask(n);
  const auto bit = [&](int i) { return static_cast<int>((c >> i) & 1); };
  const int first = bit(n - 2);
  int run = 0;
  for (int i = n - 2; i >= 0 && bit(i) == first; --i) ++run;
  const long k = first ? run - 1 : -run;
  const int remaining = std::max(0, n - 2 - run);  // bits after the regime's terminator
  const int taken = std::min(f.es, remaining);
  const long e = static_cast<long>((c >> (remaining - taken)) & mask(taken)) << (f.es - taken);
  const int fb = remaining - taken;
  const mpz_class frac = static_cast<unsigned long>(c & mask(fb));
  mpq_class v = scaled(mpq_class(pow2(fb) + frac), k * (1L << f.es) + e - fb);
  return neg ? mpq_class(-v) : v;
}

std::uint32_t posit_encode(PositFormat f, const mpq_class& x) {
  check(f);
  const int n = f.n, es = f.es;
  if (x == 0) return 0;
  const bool neg = x < 0;
  const mpq_class a = neg ? mpq_class(-x) : x;
  const long max_scale = (1L << es) * (n - 2);  // maxpos = 2^max_scale, minpos = 2^-max_scale
  const long scale = floor_log2(a);
  std::uint64_t kept;
  if (scale >= max_scale) {
    kept = posit_maxpos(f);
  } else if (scale < -max_scale) {
    kept = 1;  // minpos
  } else {
    const long k = floor_div(scale, 1L << es);
    const long e = scale - k * (1L << es);
    const int r = static_cast<int>(k >= 0 ? k + 2 : -k + 1);   // regime bits with terminator
    const std::uint64_t regime = k >= 0 ? mask(static_cast<int>(k) + 1) << 1 : 1;
    const int m = std::max(1, n + 1 - r - es);                 // fraction bits generated
    // a / 2^scale = 1.F...: the first m fraction bits and a sticky bit for the rest.
    const mpq_class t = scaled(a, m - scale);
    const mpz_class q = t.get_num() / t.get_den();
    const bool frac_sticky = q * t.get_den() != t.get_num();
    const std::uint64_t frac = mpz_class(q - pow2(m)).get_ui();
    const int len = r + es + m;  // n + 1 <= len <= n + 4
    const std::uint64_t full = (regime << (es + m)) | (static_cast<std::uint64_t>(e) << m) | frac;
    kept = full >> (len - (n - 1));
    const bool round = (full >> (len - n)) & 1;
    const bool sticky = frac_sticky || (full & mask(len - n)) != 0;
    if (round && (sticky || (kept & 1))) ++kept;
  }
  return static_cast<std::uint32_t>(neg ? (~kept + 1) & mask(n) : kept);
}

namespace {
const std::array<mpq_class, 8> kFp4 = {mpq_class(0), mpq_class(1, 2), mpq_class(1), mpq_class(3, 2),
                                       mpq_class(2), mpq_class(3),    mpq_class(4), mpq_class(6)};
}

mpq_class fp4_decode(std::uint32_t code) {
  const mpq_class& v = kFp4[code & 7];
  return (code & 8) ? mpq_class(-v) : v;
}

std::uint32_t fp4_encode(const mpq_class& x) {
  const bool neg = x < 0;
  const mpq_class a = neg ? mpq_class(-x) : x;
  std::uint32_t code = 7;  // saturate at 6
  for (std::uint32_t c = 0; c < 7; ++c) {
    if (a > kFp4[c + 1]) continue;
    const mpq_class mid = (kFp4[c] + kFp4[c + 1]) / 2;
    code = a < mid ? c : a > mid ? c + 1 : (c % 2 == 0 ? c : c + 1);
    break;
  }
  return (neg ? 8u : 0u) | code;
}

mpq_class parse_decimal(const std::string& text) {
  const auto bad = [&] {
    std::ostringstream msg;
    msg << "'" << text << "' is not a decimal number (e.g. -1.25, 3e-7)";
    return std::invalid_argument(msg.str());
  };
  std::size_t i = 0;
  bool neg = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) neg = text[i++] == '-';
  std::string digits;
  long exp10 = 0;
  bool any = false;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, any = true) digits += text[i];
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, any = true) {
      digits += text[i];
      --exp10;
    }
  }
  if (!any) throw bad();
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) eneg = text[i++] == '-';
    long e = 0;
    bool edigits = false;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, edigits = true) {
      e = e * 10 + (text[i] - '0');
      if (e > 100000) throw bad();
    }
    if (!edigits) throw bad();
    exp10 += eneg ? -e : e;
  }
  if (i != text.size()) throw bad();
  mpz_class p10;
  mpz_ui_pow_ui(p10.get_mpz_t(), 10, static_cast<unsigned long>(exp10 < 0 ? -exp10 : exp10));
  mpq_class v(mpz_class(digits, 10));
  v = exp10 >= 0 ? mpq_class(v * p10) : mpq_class(v / p10);
  v.canonicalize();
  return neg ? mpq_class(-v) : v;
}

std::string to_decimal(const mpq_class& x) {
  const mpz_class& den = x.get_den();
  const std::size_t k = mpz_scan1(den.get_mpz_t(), 0);
  if (den != pow2(static_cast<long>(k))) return x.get_str();
  // x = p / 2^k = p * 5^k / 10^k
  mpz_class p5;
  mpz_ui_pow_ui(p5.get_mpz_t(), 5, k);
  mpz_class digits = x.get_num() * p5;
  const bool neg = digits < 0;
  if (neg) digits = -digits;
  std::string s = digits.get_str();
  if (k > 0) {
    if (s.size() <= k) s = std::string(k + 1 - s.size(), '0') + s;
    const std::string whole = s.substr(0, s.size() - k), frac = s.substr(s.size() - k);
    s = whole;
    s += '.';
    s += frac;
  }
  if (neg) s.insert(s.begin(), '-');
  return s;
}

}  // namespace strata::golden
