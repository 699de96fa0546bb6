#include "golden/number_format.h"

#include <stdexcept>

namespace strata::golden {

namespace {

// Nearest integer to x, ties to even.
mpz_class round_half_even(const mpq_class& x) {
  mpz_class fl;
  mpz_fdiv_q(fl.get_mpz_t(), x.get_num_mpz_t(), x.get_den_mpz_t());
  const mpq_class frac = x - mpq_class(fl);
  const int c = cmp(frac, mpq_class(1, 2));
  if (c > 0 || (c == 0 && mpz_odd_p(fl.get_mpz_t()))) fl += 1;
  return fl;
}

}  // namespace

NumberFormat NumberFormat::parse(const std::string& name) {
  NumberFormat f;
  if (name == "int4" || name == "int8" || name == "int16") {
    f.kind_ = Kind::integer;
    f.bits_ = std::stoi(name.substr(3));
    return f;
  }
  if (name == "fp4") {
    f.kind_ = Kind::fp4;
    f.bits_ = 4;
    return f;
  }
  int n = 0, es = 0;
  char tail = 0;
  if (name.rfind("posit", 0) == 0 && std::sscanf(name.c_str(), "posit%d_%d%c", &n, &es, &tail) == 2 && n >= 2 && n <= 32 && es >= 0 &&
      es <= 3 && name == "posit" + std::to_string(n) + "_" + std::to_string(es)) {
    f.kind_ = Kind::posit;
    f.bits_ = n;
    f.posit_ = {n, es};
    return f;
  }
  throw std::invalid_argument("unknown number format '" + name +
                              "'; allowed: int4, int8, int16, fp4, posit<N>_<ES> with 2 <= N <= 32 and 0 <= ES <= 3 (e.g. posit8_0, posit16_1)");
}

std::string NumberFormat::name() const {
  switch (kind_) {
    case Kind::integer:
      return "int" + std::to_string(bits_);
    case Kind::fp4:
      return "fp4";
    case Kind::posit:
      break;
  }
  return "posit" + std::to_string(posit_.n) + "_" + std::to_string(posit_.es);
}

std::optional<mpq_class> NumberFormat::decode(std::uint32_t code) const {
  switch (kind_) {
    case Kind::integer: {
      const std::int64_t m = std::int64_t{1} << bits_;
      std::int64_t v = code & (m - 1);
      if (v >= m / 2) v -= m;
      return mpq_class(static_cast<long>(v));
    }
    case Kind::fp4:
      return fp4_decode(code);
    case Kind::posit:
      break;
  }
  return posit_decode(posit_, code);
}

std::uint32_t NumberFormat::encode(const mpq_class& x) const {
  switch (kind_) {
    case Kind::integer: {
      const long hi = (1L << (bits_ - 1)) - 1, lo = -hi - 1;
      mpz_class r = round_half_even(x);
      if (r > hi) r = hi;
      if (r < lo) r = lo;
      return static_cast<std::uint32_t>(r.get_si()) & ((1u << bits_) - 1);
    }
    case Kind::fp4:
      return fp4_encode(x);
    case Kind::posit:
      break;
  }
  return posit_encode(posit_, x);
}

std::uint32_t NumberFormat::mul(std::uint32_t a, std::uint32_t b) const { return fdp({{a, b}}); }

std::uint32_t NumberFormat::add(std::uint32_t a, std::uint32_t b) const {
  const auto x = decode(a), y = decode(b);
  if (!x || !y) return nar();
  return encode(*x + *y);
}

std::uint32_t NumberFormat::fdp(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& pairs) const {
  mpq_class sum = 0;
  for (const auto& [a, b] : pairs) {
    const auto x = decode(a), y = decode(b);
    if (!x || !y) return nar();
    sum += *x * *y;
  }
  return encode(sum);
}

}  // namespace strata::golden
