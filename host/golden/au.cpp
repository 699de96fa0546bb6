#include "golden/au.h"

#include <algorithm>
#include <stdexcept>

#include "golden/number_format.h"

namespace strata::golden {

namespace {

// Lane products reach 2^112: a GCC/Clang 128-bit integer holds a beat exactly.
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

NumberFormat number_format(Format f) { return NumberFormat::parse(std::string(info(f).name)); }

int bit_length(const mpz_class& v) { return v == 0 ? 0 : static_cast<int>(mpz_sizeinbase(v.get_mpz_t(), 2)); }

mpz_class to_mpz(i128 v) {
  const bool neg = v < 0;
  const auto u = static_cast<u128>(neg ? -v : v);
  mpz_class r = static_cast<unsigned long>(u >> 64);
  r <<= 64;
  r += static_cast<unsigned long>(u & ~std::uint64_t{0});
  return neg ? mpz_class(-r) : r;
}

}  // namespace

mpq_class max_lane_magnitude(Format f) {
  const NumberFormat nf = number_format(f);
  mpq_class m = 0;
  for (std::uint32_t c = 0; c < (1u << info(f).lane_bits); ++c)
    if (const auto v = nf.decode(c)) m = std::max(m, mpq_class(abs(*v)));
  return m;
}

AuShape au_shape(const std::vector<Format>& formats, std::uint64_t max_accumulations) {
  AuShape s{0, 0, 0};
  for (auto f : formats) s.frac_bits = std::max(s.frac_bits, info(f).product_frac_bits);
  for (auto f : formats) {
    const mpq_class m = max_lane_magnitude(f);
    // The largest beat in units of 2^-F: an integer, as F covers every product.
    const mpq_class beat = m * m * info(f).lanes * mpq_class(mpz_class(1) << s.frac_bits);
    const mpz_class units = beat.get_num() / beat.get_den();
    s.beat_width = std::max(s.beat_width, bit_length(units) + 1);
    s.acc_width = std::max(s.acc_width, bit_length(units * mpz_class(static_cast<unsigned long>(max_accumulations))) + 1);
  }
  return s;
}

bool au_has_readout(const std::vector<Format>& formats) {
  return std::ranges::any_of(formats, [](Format f) { return !info(f).is_integer; });
}
bool au_has_nar(const std::vector<Format>& formats) {
  return std::ranges::any_of(formats, [](Format f) { return info(f).has_nar; });
}

std::int64_t lane_value(std::uint16_t word, int bits, int lane) {
  const unsigned raw = (word >> (bits * lane)) & ((1u << bits) - 1u);
  const unsigned sign = 1u << (bits - 1);
  return static_cast<std::int64_t>(raw ^ sign) - static_cast<std::int64_t>(sign);
}

AuModel::AuModel(AuSpec spec) : spec_(std::move(spec)), lane_tables_(kFormats.size()) {
  if (spec_.formats.empty()) throw std::invalid_argument("AuModel: no format enabled");
  if (spec_.max_accumulations == 0) throw std::invalid_argument("AuModel: max_accumulations is 0");
  shape_ = au_shape(spec_.formats, spec_.max_accumulations);
  readout_ = au_has_readout(spec_.formats);
  max_ = (mpz_class(1) << (shape_.acc_width - 1)) - 1;
  min_ = -max_ - 1;
  for (Format f : spec_.formats) {
    const NumberFormat nf = number_format(f);
    const mpz_class unit = mpz_class(1) << (info(f).product_frac_bits / 2);
    auto& table = lane_tables_[static_cast<unsigned>(f)];
    for (std::uint32_t c = 0; c < (1u << info(f).lane_bits); ++c) {
      const auto v = nf.decode(c);
      if (!v) {
        table.push_back({true, 0});
        continue;
      }
      const mpq_class u = *v * unit;
      if (u.get_den() != 1) throw std::logic_error("AuModel: a lane value is finer than its format's unit");
      table.push_back({false, u.get_num().get_si()});
    }
  }
}

std::optional<AuResult> AuModel::accept(std::uint16_t a, std::uint16_t b, unsigned fmt_code, bool last, unsigned out_fmt) {
  if (const auto f = enabled_format(spec_.formats, fmt_code)) {
    const FormatInfo& fi = info(*f);
    const auto& table = lanes(*f);
    const unsigned mask = (1u << fi.lane_bits) - 1;
    i128 beat = 0;  // |beat| <= 4 * 2^112
    for (int l = 0; l < fi.lanes; ++l) {
      const Lane x = table[(a >> (l * fi.lane_bits)) & mask], y = table[(b >> (l * fi.lane_bits)) & mask];
      partial_.nar |= x.nar || y.nar;
      beat += static_cast<i128>(x.units) * y.units;
    }
    if (!partial_.nar) {
      partial_.acc += to_mpz(beat) << (shape_.frac_bits - fi.product_frac_bits);
      if (partial_.acc > max_ || partial_.acc < min_) {
        partial_.acc = partial_.acc > max_ ? max_ : min_;
        partial_.saturated = true;
      }
    }
  } else {
    partial_.format_error = true;
  }
  if (!last) return std::nullopt;
  AuResult done = partial_;
  partial_ = AuResult{};
  if (done.nar) {  // a NaR result carries no value
    done.acc = 0;
    done.saturated = false;
  }
  if (readout_) {
    if (const auto of = enabled_format(spec_.formats, out_fmt)) {
      const NumberFormat nf = number_format(*of);
      done.readout = done.nar ? (nf.has_nar() ? nf.nar() : 0u) : nf.encode(value(done));
    } else {
      done.format_error = true;
    }
  }
  return done;
}

void AuModel::reset() { partial_ = AuResult{}; }

mpq_class AuModel::value(const AuResult& r) const {
  mpq_class v(r.acc, mpz_class(1) << shape_.frac_bits);
  v.canonicalize();
  return v;
}

}  // namespace strata::golden
