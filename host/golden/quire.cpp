#include "golden/quire.h"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace strata::golden {

namespace {

const std::array<LaneFormatInfo, 7> kLaneFormats{{
    {LaneFormat::int4, "int4", 4, 4, 0},
    {LaneFormat::int8, "int8", 8, 2, 0},
    {LaneFormat::int16, "int16", 16, 1, 0},
    {LaneFormat::fp4, "fp4", 4, 4, 2},
    {LaneFormat::posit4_1, "posit4_1", 4, 4, 8},
    {LaneFormat::posit8_0, "posit8_0", 8, 2, 12},
    {LaneFormat::posit16_1, "posit16_1", 16, 1, 56},
}};

// The largest magnitude of one lane product.
mpq_class max_product(LaneFormat f) {
  const NumberFormat nf = number_format(f);
  mpq_class m = 0;
  for (std::uint32_t c = 0; c < (1u << info(f).lane_bits); ++c)
    if (const auto v = nf.decode(c)) m = std::max(m, mpq_class(abs(*v)));
  return m * m;
}

}  // namespace

const LaneFormatInfo& info(LaneFormat f) { return kLaneFormats.at(static_cast<unsigned>(f)); }
NumberFormat number_format(LaneFormat f) { return NumberFormat::parse(std::string(info(f).name)); }

QuireShape quire_shape(const QuireSpec& spec) {
  QuireShape s{0, 0};
  for (auto f : spec.formats) s.frac_bits = std::max(s.frac_bits, info(f).product_frac_bits);
  for (auto f : spec.formats) {
    // K beats of lanes * max product, in units of 2^-F: an integer.
    const mpq_class bound = max_product(f) * info(f).lanes * mpz_class(static_cast<unsigned long>(spec.max_accumulations));
    mpz_class units = mpz_class(bound.get_num() << s.frac_bits) / bound.get_den();
    s.width = std::max(s.width, static_cast<int>(mpz_sizeinbase(units.get_mpz_t(), 2)) + 1);
  }
  return s;
}

QuireModel::QuireModel(QuireSpec spec) : spec_(std::move(spec)) {
  if (spec_.formats.empty()) throw std::invalid_argument("QuireModel: no format enabled");
  if (spec_.max_accumulations == 0) throw std::invalid_argument("QuireModel: max_accumulations is 0");
  shape_ = quire_shape(spec_);
  max_ = (mpz_class(1) << (shape_.width - 1)) - 1;
  min_ = -max_ - 1;
}

std::optional<QuireResult> QuireModel::accept(std::uint16_t a, std::uint16_t b, unsigned fmt_code, bool last) {
  const bool enabled = std::ranges::any_of(spec_.formats, [&](LaneFormat f) { return static_cast<unsigned>(f) == fmt_code; });
  if (!enabled) {
    partial_.format_error = true;
  } else {
    const LaneFormatInfo& fi = info(static_cast<LaneFormat>(fmt_code));
    const NumberFormat nf = number_format(fi.format);
    mpq_class beat = 0;
    const unsigned lane_mask = (1u << fi.lane_bits) - 1;
    for (int l = 0; l < fi.lanes; ++l) {
      const auto x = nf.decode((a >> (l * fi.lane_bits)) & lane_mask), y = nf.decode((b >> (l * fi.lane_bits)) & lane_mask);
      if (!x || !y) {
        partial_.nar = true;
        continue;
      }
      if (partial_.nar) continue;
      beat += *x * *y;
    }
    const mpq_class units = beat * mpq_class(mpz_class(1) << shape_.frac_bits);
    if (units.get_den() != 1) throw std::logic_error("QuireModel: a product is finer than the quire's LSB");
    partial_.q += units.get_num();
    if (partial_.q > max_ || partial_.q < min_) {
      partial_.q = partial_.q > max_ ? max_ : min_;
      partial_.saturated = true;
    }
  }
  if (!last) return std::nullopt;
  QuireResult done = partial_;
  if (done.nar) {  // a NaR result carries no value
    done.q = 0;
    done.saturated = false;
  }
  partial_ = QuireResult{};
  return done;
}

mpq_class QuireModel::value(const QuireResult& r) const {
  mpq_class v(r.q, mpz_class(1) << shape_.frac_bits);
  v.canonicalize();
  return v;
}

}  // namespace strata::golden
