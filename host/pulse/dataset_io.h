// Pulse data set files (docs/pulse.md, "File formats").
//
// Binary, version 1, every field little-endian:
//   offset size  field
//        0    8  magic "STRPULSE"
//        8    4  u32 version (1)
//       12    4  u32 header size in bytes (128)
//       16    8  u64 event count
//       24    4  u32 samples per event
//       28    4  u32 ADC bits
//       32    4  u32 shape (0 crrc, 1 double_exp)
//       36    4  u32 crrc order n
//       40    8  f64 tau_ns         48  8  f64 rise_ns        56  8  f64 decay_ns
//       64    8  f64 rate_msps      72  8  f64 baseline
//       80    8  f64 amplitude_min  88  8  f64 amplitude_max
//       96    8  f64 snr_db (+inf: no noise)
//      104    4  u32 noise reference (0 pulse, 1 max_amplitude)
//      108    4  u32 first_sample
//      112    8  f64 spread_samples
//      120    8  u64 seed
//      128       count records of: samples x i16 ADC code, f64 t0_ns, f64 amplitude
// CSV: "# strata pulses v1", one "# key=value" line per parameter (the keys of
// csv_keys()), a column header "event,t0_ns,amplitude,s0,...", one row per event.
// Doubles are written with the shortest digits that read back exactly (fmt's
// default), so both formats round-trip.
//
// The readers check everything and throw PulseFileError "FILE: error: WHAT"
// (CSV: "FILE:LINE: error: WHAT"): a truncated file or header, bad magic, an
// unsupported version, a header size, parameters out of range, trailing bytes,
// ADC codes outside 0 .. 2^bits - 1, true times outside the arrival range,
// amplitudes outside the amplitude range.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "pulse/simulate.h"

namespace strata::pulse {

class PulseFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr char kPulseMagic[8] = {'S', 'T', 'R', 'P', 'U', 'L', 'S', 'E'};
inline constexpr std::uint32_t kPulseVersion = 1;
inline constexpr std::uint32_t kPulseHeaderBytes = 128;

std::vector<unsigned char> encode_binary(const Dataset& d);
// `name` is used in error messages only.
Dataset decode_binary(const std::vector<unsigned char>& bytes, const std::string& name);
std::string encode_csv(const Dataset& d);
Dataset decode_csv(const std::string& text, const std::string& name);

void write_binary(const Dataset& d, const std::filesystem::path& file);
Dataset read_binary(const std::filesystem::path& file);
void write_csv(const Dataset& d, const std::filesystem::path& file);
Dataset read_csv(const std::filesystem::path& file);

const std::vector<std::string>& csv_keys();

}  // namespace strata::pulse
