#include "golden/au.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace strata::golden {

namespace {

// Largest magnitude of one beat's value in format f: every lane (-2^(N-1))^2.
// At most 2^30, so times max_accumulations (<= 2^24) it fits 64 bits.
std::uint64_t beat_bound(Format f) {
  const auto& fi = info(f);
  return static_cast<std::uint64_t>(fi.lanes) << (2 * fi.lane_bits - 2);
}

int bit_length(std::uint64_t v) {
  int n = 0;
  while (v) {
    ++n;
    v >>= 1;
  }
  return n;
}

}  // namespace

int au_dot_width(const std::vector<Format>& formats) {
  int w = 0;
  for (Format f : formats) w = std::max(w, bit_length(beat_bound(f)) + 1);
  return w;
}

int au_acc_width(const std::vector<Format>& formats, std::uint64_t max_accumulations) {
  int w = 0;
  for (Format f : formats) w = std::max(w, bit_length(beat_bound(f) * max_accumulations) + 1);
  return w;
}

std::int64_t lane_value(std::uint16_t word, int bits, int lane) {
  const unsigned raw = (word >> (bits * lane)) & ((1u << bits) - 1u);
  const unsigned sign = 1u << (bits - 1);
  return static_cast<std::int64_t>(raw ^ sign) - static_cast<std::int64_t>(sign);
}

std::int64_t au_beat_value(std::uint16_t a, std::uint16_t b, Format f) {
  const auto& fi = info(f);
  std::int64_t sum = 0;
  for (int i = 0; i < fi.lanes; ++i) sum += lane_value(a, fi.lane_bits, i) * lane_value(b, fi.lane_bits, i);
  return sum;
}

AuModel::AuModel(AuSpec spec) : spec_(std::move(spec)) {
  if (spec_.formats.empty()) throw std::invalid_argument("AuModel: no format enabled");
  if (spec_.max_accumulations == 0) throw std::invalid_argument("AuModel: max_accumulations is 0");
  acc_width_ = au_acc_width(spec_.formats, spec_.max_accumulations);
  if (acc_width_ > 62) throw std::invalid_argument("AuModel: accumulator wider than 62 bits");
}

std::optional<AuResult> AuModel::accept(std::uint16_t a, std::uint16_t b, unsigned fmt_code, bool last) {
  std::int64_t value = 0;
  const bool enabled = std::ranges::any_of(spec_.formats, [&](Format f) { return static_cast<unsigned>(f) == fmt_code; });
  if (enabled)
    value = au_beat_value(a, b, static_cast<Format>(fmt_code));
  else
    partial_.format_error = true;

  const std::int64_t max = (std::int64_t{1} << (acc_width_ - 1)) - 1;
  const std::int64_t min = -max - 1;
  std::int64_t sum = partial_.acc + value;  // |acc|, |value| < 2^62: no overflow
  if (sum > max || sum < min) {
    sum = std::clamp(sum, min, max);
    partial_.saturated = true;
  }
  partial_.acc = sum;
  if (!last) return std::nullopt;
  const AuResult done = partial_;
  partial_ = AuResult{};
  return done;
}

void AuModel::reset() { partial_ = AuResult{}; }

}  // namespace strata::golden
