// SocConfig: the one config every part of Strata reads (generator, golden
// model, co-simulation, synthesis flow). Parsed from YAML and validated here;
// docs/config.md is the schema in prose.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "golden/au.h"
#include "golden/formats.h"
#include "golden/softmax.h"

namespace strata {

// Limits of the schema, shared by the parser, the random-config sweep and docs.
struct ConfigLimits {
  static constexpr std::uint64_t max_accumulations_max = std::uint64_t{1} << 24;
  static constexpr int pipeline_stages_max = 2;
  static constexpr double clock_mhz_min = 1.0;
  static constexpr double clock_mhz_max = 500.0;
  static constexpr std::size_t name_max = 32;
  static constexpr int pes_max = 16;
  static constexpr int aus_per_pe_max = 16;
  static constexpr int memory_words_min = 64;
  static constexpr int memory_words_max = 65536;
  static constexpr int softmax_length_max = 16384;
};

// How the AU's multipliers are built: DSP blocks where the flow has them
// (four 8x8 sub-multipliers in the shared fabric) or LUTs only (sixteen 4x4).
enum class Multipliers { dsp, lut };

struct AuConfig {
  std::vector<golden::Format> formats{golden::Format::int4, golden::Format::int8, golden::Format::int16};
  std::uint64_t max_accumulations = 1024;
  int pipeline_stages = 1;
  bool share = true;    // one multiplier fabric and alignment path for all formats (RMMEC)
  bool isolate = true;  // hold idle lanes and unselected format paths at zero
  Multipliers multipliers = Multipliers::dsp;
};

// Where the weight memories live: inferred block RAM, or one iCE40 UP5K
// SPRAM (16384 x 16 bits) per AU through the vendor wrapper in rtl/vendor/.
enum class WeightMemory { bram, ice40_spram };
inline constexpr int kIce40Sprams = 4;         // SB_SPRAM256KA on a UP5K
inline constexpr int kIce40SpramWords = 16384;  // 16-bit words in one

// The network engine (docs/blocks/nn.md): PEs of AUs, memories, sequencer.
// Absent from a config, the design is the AU alone.
struct NnConfig {
  int pes = 1;                 // processing elements
  int aus_per_pe = 2;          // AUs per PE, one output channel each
  int act_words = 2048;        // activation memory, 16-bit words (two int8 channels)
  int weight_words = 1024;     // weight memory of each AU, 16-bit words
  int ctrl_words = 1024;       // control memory (descriptors, per-channel parameters), 32-bit words
  WeightMemory weight_memory = WeightMemory::bram;
  bool residual_add = true;    // the add layer (TFLite's int8 ADD)
  int channels() const { return pes * aus_per_pe; }  // output channels computed at once
  bool operator==(const NnConfig&) const = default;
};

// The softmax unit (docs/blocks/softmax.md): streaming vectors of logits in,
// probability codes out, by the algorithms, input and output types listed
// (each costs hardware only when listed). Lists keep the canonical order of
// the golden model's enums.
struct SoftmaxConfig {
  std::vector<golden::softmax::Algorithm> algorithms{golden::softmax::Algorithm::three_pass, golden::softmax::Algorithm::online,
                                                     golden::softmax::Algorithm::two_pass};
  int max_length = 256;  // L_max: the vector buffer's entries
  std::vector<golden::softmax::InType> in_types{golden::softmax::InType::int8, golden::softmax::InType::int16};
  std::vector<golden::softmax::OutType> out_types{golden::softmax::OutType::uint8, golden::softmax::OutType::uint16,
                                                  golden::softmax::OutType::int8};
  bool operator==(const SoftmaxConfig&) const = default;
};

struct SynthConfig {
  double clock_mhz = 12.0;  // timing target handed to nextpnr
};

struct SocConfig {
  std::string name;
  AuConfig au;
  std::optional<NnConfig> nn;
  std::optional<SoftmaxConfig> softmax;
  SynthConfig synth;
};

// A config that cannot be used. what() is the whole message:
// "FILE:LINE:COL: error: KEY: PROBLEM; allowed: WHAT".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

SocConfig parse_config(const std::string& yaml_text, const std::string& file_name);
SocConfig load_config(const std::filesystem::path& path);

// The config with every default filled in, keys in a fixed order.
nlohmann::json to_json(const SocConfig& c);
// YAML text that parses back to the same config.
std::string to_yaml(const SocConfig& c);
// 16 hex digits: FNV-1a 64 of the canonical JSON dump of to_json(c).
std::string config_hash(const SocConfig& c);

golden::AuSpec au_spec(const SocConfig& c);
std::string to_string(Multipliers m);
std::string to_string(WeightMemory m);

}  // namespace strata
