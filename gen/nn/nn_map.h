// The network engine's software-visible interface, as data: the register
// map, the layer descriptor layout, the host memory map and the error codes.
// The generator builds the engine from these tables, the runtime's compiler
// and device driver encode and decode with them, and `strata gen` prints them
// as regmap.h, in manifest.json and in docs (docs/blocks/nn.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "golden/formats.h"

namespace strata::nn {

struct Register {
  std::string name;
  int index;       // 32-bit word index on the register port
  bool writable;   // by the host
  std::string doc;
};
const std::vector<Register>& registers();
int register_index(const std::string& name);

// HWINFO[31:24]. Version 2 added the fmt, readout, in_odd and bias_act
// descriptor fields.
inline constexpr int kInterfaceVersion = 2;

// Bits of CTRL and STATUS.
inline constexpr std::uint32_t kCtrlStart = 1u << 0;   // write 1: run the descriptor list (ignored while busy)
inline constexpr std::uint32_t kCtrlIrqEn = 1u << 1;   // irq_o follows STATUS.DONE
inline constexpr std::uint32_t kStatusBusy = 1u << 0;
inline constexpr std::uint32_t kStatusDone = 1u << 1;  // set when a run ends (also on error), cleared by START
inline constexpr int kStatusErrorShift = 8;           // STATUS[15:8]: error code of the last run

enum class Op : std::uint32_t { end = 0, mac = 1, max_pool = 2, avg_pool = 3, add = 4, gelu = 5, softmax = 6 };

// A field of a descriptor: bits [lsb + width - 1 : lsb] of word `word`.
struct Field {
  std::string name;
  int word, lsb, width;
  bool is_signed;
  std::string doc;
};
inline constexpr int kDescriptorWords = 16;
const std::vector<Field>& descriptor_fields();
const Field& descriptor_field(const std::string& name);

// Sets field `name` of a descriptor to v; throws std::out_of_range naming the
// field when v does not fit its width.
void set_field(std::vector<std::uint32_t>& desc, const std::string& name, std::int64_t v);
std::int64_t get_field(const std::vector<std::uint32_t>& desc, const std::string& name);

enum class Error : std::uint32_t {
  none = 0,
  bad_op = 1,            // an opcode the engine lacks (unknown, or left out by nn.ops)
  bad_shape = 2,         // a zero count, or a dot product longer than au.max_accumulations
  input_range = 3,       // an activation read outside the activation memory
  output_range = 4,      // an activation write outside the activation memory
  weight_range = 5,      // a weight read outside the weight memory
  ctrl_range = 6,        // a descriptor or parameter read outside the control memory
  bad_format = 7,        // a layer format the engine does not have
};
inline constexpr Error kLastError = Error::bad_format;
std::string to_string(Error e);

// Host memory port: 32-bit word addresses, region in bits [31:28].
enum class Region : std::uint32_t { ctrl = 0, act = 1, weight = 2 };
inline constexpr int kRegionShift = 28;
// Word address of weight word `addr` of AU `au` (PE-major: au = pe * aus_per_pe + j).
std::uint32_t weight_address(const NnConfig& n, int au, int addr);
inline std::uint32_t region_base(Region r) { return static_cast<std::uint32_t>(r) << kRegionShift; }

// Per output channel, the control memory holds kParamWords words from the
// layer's param_base: bias (int32, with the input zero point folded in),
// multiplier (int32), shift (int32).
inline constexpr int kParamWords = 3;

// Widths of the engine's address arithmetic. Descriptor fields are 16 bits
// and no memory holds more than 2^16 words, so a running address that reaches
// 2^16 stops growing: it stays out of range (an error where it is used) and
// never wraps back into a buffer. in_start must lie in [kInStartMin, 2^16).
inline constexpr int kRowAddrBits = 17;    // an output position's word address
inline constexpr int kWriteAddrBits = 18;  // ... plus half the channel
inline constexpr int kPosBits = 20;        // signed: input positions and addresses
inline constexpr std::int64_t kInStartMin = -(std::int64_t{1} << 18);

// Lanes of an int8 or posit8 beat: two channels per 16-bit activation or
// weight word.
inline constexpr int kLanes = 2;

// The layer formats the engine runs: int8 always, posit8 when au.formats
// has posit8_0 (its code goes in the descriptor's fmt field).
std::vector<golden::Format> layer_formats(const SocConfig& c);

nlohmann::json interface_json(const SocConfig& c);
std::string regmap_header(const SocConfig& c);
// The register, descriptor and error tables in Markdown: the same for every
// config (docs/blocks/nn.md holds them verbatim; a test checks it).
std::string interface_markdown();

}  // namespace strata::nn
