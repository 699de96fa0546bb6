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
#include "golden/gelu.h"
#include "golden/nn.h"
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
  static constexpr int rv32_mem_bytes_min = 1024;
  static constexpr int rv32_mem_bytes_max = 65536;
  static constexpr int gelu_segments_min = 16;
  static constexpr int gelu_segments_max = 256;
  static constexpr int gelu_degree_max = golden::gelu::kMaxDegree;
  static constexpr int softmax_length_max = 16384;
  static constexpr int uart_baud_min = 300;
  static constexpr int uart_baud_max = 12000000;
  static constexpr int uart_clocks_per_bit_max = 65535;
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
  int counter_bits = 32;       // CYCLES, MACS, STALLS: bits kept (they wrap), 16 ... 32
  // nn.ops: the layer operations the engine implements (model-file names,
  // golden::nn::LayerKind order); the engine has those of them the other
  // keys allow (nn_ops below).
  std::vector<golden::nn::LayerKind> ops = all_ops();
  static std::vector<golden::nn::LayerKind> all_ops();
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

// The RISC-V control core and its system (docs/blocks/rv32.md): tightly
// coupled instruction and data memories, the MMIO block. Absent from a
// config, there is no core.
enum class Rv32Isa { rv32i, rv32im };
enum class Rv32Memory { bram, ice40_spram };  // how IMEM or DMEM is built
enum class Rv32MulDiv { fast, small };        // rv32im only: one-cycle DSP multiply / iterative
enum class Rv32Core { pipelined, compact };   // the micro-architecture: 4-stage pipeline / area-first multi-cycle (rv32i only)
struct Rv32Config {
  Rv32Isa isa = Rv32Isa::rv32im;
  std::uint32_t reset_vector = 0;  // inside IMEM, 4-byte aligned
  int imem_bytes = 16384;          // power of two, 1 KiB .. 64 KiB
  int dmem_bytes = 16384;          // power of two, 1 KiB .. 64 KiB
  Rv32Memory imem_memory = Rv32Memory::bram;  // ice40_spram: two SPRAMs (64 KiB), the low imem_bytes used
  Rv32Memory dmem_memory = Rv32Memory::bram;  // ice40_spram: two SPRAMs (64 KiB), the low dmem_bytes used
  Rv32MulDiv muldiv = Rv32MulDiv::fast;
  Rv32Core core = Rv32Core::pipelined;
  bool rvfi = true;                // the RVFI retirement port (verification only)
  bool operator==(const Rv32Config&) const = default;
};

// The GELU unit (docs/blocks/gelu.md): a stream of int8 and/or int16 codes
// through GELU, with the table (int8) and the ReLU-minus-delta program
// (int16) of each form loaded at run time; golden model host/golden/gelu.h.
// Absent from a config, there is no GELU unit.
enum class GeluType { int8, int16 };
struct GeluConfig {
  std::vector<GeluType> types{GeluType::int8, GeluType::int16};  // canonical order, non-empty
  std::vector<golden::gelu::Form> forms{golden::gelu::Form::erf};  // one resident program bank each, canonical order
  int segments = 64;  // int16: N segments of the delta polynomial, a power of two
  int degree = 2;     // int16: D, the degree of each segment's polynomial
  bool has(GeluType t) const;
  golden::gelu::Int16Shape shape() const { return {segments, degree}; }
  bool operator==(const GeluConfig&) const = default;
};

// The UART host bridge (docs/blocks/soc_uart.md): a second master on the
// SoC's host bus, beside the AXI4-Lite slave, reached over an 8N1 serial
// line at `baud`. Absent from a config, there is no bridge.
struct UartConfig {
  int baud = 115200;
  bool operator==(const UartConfig&) const = default;
};

struct SynthConfig {
  double clock_mhz = 12.0;  // timing target handed to nextpnr
};

struct SocConfig {
  std::string name;
  AuConfig au;
  std::optional<NnConfig> nn;
  std::optional<Rv32Config> rv32;
  std::optional<SoftmaxConfig> softmax;
  std::optional<GeluConfig> gelu;
  std::optional<UartConfig> uart;
  SynthConfig synth;
  // The AU modules are part of the design: with an engine, or with no other unit.
  bool has_au() const { return nn.has_value() || (!rv32.has_value() && !softmax.has_value() && !gelu.has_value()); }
};

// The model-file name of a layer operation (conv1d, depthwise_conv1d, ...).
std::string nn_op_name(golden::nn::LayerKind k);
// The layer operations the engine of config c implements: nn.ops, less add
// without nn.residual_add, gelu without a gelu section (with int8) and
// softmax without a softmax section. Empty without an nn section.
std::vector<golden::nn::LayerKind> nn_ops(const SocConfig& c);
bool nn_has_op(const SocConfig& c, golden::nn::LayerKind k);
// The UART bridge's bit time in SoC clock cycles: synth.clock_mhz / uart.baud, rounded.
int uart_clocks_per_bit(const SocConfig& c);


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
std::string to_string(Rv32Isa i);
std::string to_string(Rv32Memory m);
std::string to_string(Rv32MulDiv m);
std::string to_string(Rv32Core k);
std::string to_string(GeluType t);
std::string to_string(golden::gelu::Form f);

}  // namespace strata
