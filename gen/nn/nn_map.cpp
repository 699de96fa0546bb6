#include "nn/nn_map.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace strata::nn {

const std::vector<Register>& registers() {
  static const std::vector<Register> regs{
      {"CTRL", 0, true, "bit 0 START (write 1 to run the descriptor list at DESC_BASE; ignored while busy), bit 1 IRQ_EN"},
      {"STATUS", 1, false, "bit 0 BUSY, bit 1 DONE (set when a run ends, cleared by START), bits 15:8 ERROR code of the last run"},
      {"DESC_BASE", 2, true, "control-memory word address of the first descriptor"},
      {"CYCLES", 3, false, "cycles of the last run, from START to DONE"},
      {"MACS", 4, false, "multiply-accumulates issued in the last run (beats x lanes x AUs)"},
      {"STALLS", 5, false, "cycles of the last run a beat waited for the AUs"},
      {"LAYERS", 6, false, "descriptors completed in the last run"},
      {"ERR_DESC", 7, false, "control-memory address of the descriptor the engine runs, or where the last run stopped: the descriptor with the error, or the end of the list"},
      {"HWINFO", 8, false, "bits 7:0 PEs, 15:8 AUs per PE, 23:16 lanes per beat, 31:24 interface version (2)"},
  };
  return regs;
}

int register_index(const std::string& name) {
  for (const auto& r : registers())
    if (r.name == name) return r.index;
  throw std::out_of_range("no register " + name);
}

const std::vector<Field>& descriptor_fields() {
  static const std::vector<Field> fields{
      {"op", 0, 0, 4, false, "0 end of the list, 1 multiply-accumulate layer (conv1d, depthwise, dense), 2 max pool, 3 average pool, 4 add (int8), 5 gelu (int8, through the GELU unit), 6 softmax (int8, through the softmax unit)"},
      {"fmt", 0, 4, golden::kFormatCodeBits, false, "AU format code of the inputs and weights: 1 int8, 3 fp4, 4 posit4, 5 posit8, 6 posit16 (each when au.formats has it); any other stops the engine with bad_format"},
      {"readout", 0, 7, 1, false, "multiply-accumulate: 1 writes the AU's read-out in format fmt (fp4 and the posits), clamped as a code to [act_min, act_max] (fp4, posit4: a nibble at out_base + channel / 4; posit16: a word, clamped to [{act_min, 0x00}, {act_max, out_zp}]); 0 requantizes to int8"},
      {"in_odd", 0, 8, 1, false, "multiply-accumulate: the input has an odd channel count, so the high lane of its last channel pair reads 0"},
      {"in_tail", 0, 9, 2, false, "multiply-accumulate on a 4-bit input (fp4, posit4): its channel count mod 4; when not 0, the nibbles from lane in_tail up of the last word of each position read 0"},
      {"in_len", 1, 0, 16, false, "input positions"},
      {"in_row", 1, 16, 16, false, "activation words per input position (ceil(channels / 2); posit16: channels)"},
      {"in_start", 2, 0, 32, true, "word address of input position -pad_left (may be negative; outside [-2^18, 2^16) stops the engine with input_range)"},
      {"kernel", 3, 0, 16, false, "taps"},
      {"pad_left", 3, 16, 16, false, "positions of padding before the input"},
      {"in_pairs", 4, 0, 16, false, "channel pairs read per tap"},
      {"grp_pairs", 4, 16, 16, false, "first channel pair of group g is g * grp_pairs (0: every group reads all; depthwise: channels / 2)"},
      {"stride", 5, 0, 16, false, "positions between outputs"},
      {"dilation", 5, 16, 16, false, "positions between taps"},
      {"pos_stride", 6, 0, 16, false, "stride * in_row"},
      {"tap_stride", 6, 16, 16, false, "dilation * in_row"},
      {"out_base", 7, 0, 16, false, "word address of output position 0"},
      {"out_len", 7, 16, 16, false, "output positions"},
      {"out_row", 8, 0, 16, false, "activation words per output position"},
      {"out_channels", 8, 16, 16, false, "output channels written (the rest of the last group is dropped)"},
      {"groups", 9, 0, 16, false, "channel groups of (PEs x AUs per PE) output channels"},
      {"w_base", 9, 16, 16, false, "weight-memory address of group 0's first beat"},
      {"w_group_stride", 10, 0, 16, false, "weight words per group (kernel * in_pairs)"},
      {"param_base", 10, 16, 16, false, "control-memory address of channel 0's parameters"},
      {"pad_value", 11, 0, 8, true, "int8 value read at padded positions (the input zero point)"},
      {"out_zp", 11, 8, 8, true, "output zero point (posit16 read-out and max pool: the low byte of the clamp's maximum)"},
      {"act_min", 11, 16, 8, true, "lowest output value (fused activation; an fp4 max pool: the lowest order key, sign times magnitude bits)"},
      {"act_max", 11, 24, 8, true, "highest output value (an fp4 max pool: the highest order key)"},
      {"grp_channels", 12, 0, 16, false, "output channels per group: channel of AU j in group g is g * grp_channels + j, written when j < grp_channels"},
      {"bias_act", 12, 16, 16, false, "0, or the activation word of a bias beat that ends every dot product; its weight word, the one after the taps', holds the channel's bias (posits: bias in lane 0, bias_act = 1.0 in lane 0)"},
      {"in2_base", 13, 0, 16, false, "add: word address of the second input (in_start: the first; out_len: words of each tensor)"},
      {"unit_ch", 14, 0, 16, false, "gelu, softmax: channels of each of the in_len positions (read from in_start, in_row words apart; written from out_base, out_row words apart); gelu: its 256-entry table is 64 words from param_base, entry i in byte i % 4 of word i / 4; softmax: one vector per position"},
      {"sm_mult", 15, 0, 16, false, "softmax: the scale's M (input scale * log2(e) = M * 2^-(sm_shift + 8))"},
      {"sm_shift", 15, 16, 5, false, "softmax: the scale's s"},
      {"sm_alg", 15, 21, 2, false, "softmax: 0 three_pass, 1 online, 2 two_pass (one of softmax.algorithms)"},
  };
  return fields;
}

const Field& descriptor_field(const std::string& name) {
  for (const auto& f : descriptor_fields())
    if (f.name == name) return f;
  throw std::out_of_range("no descriptor field " + name);
}

void set_field(std::vector<std::uint32_t>& desc, const std::string& name, std::int64_t v) {
  const Field& f = descriptor_field(name);
  const std::int64_t lo = f.is_signed ? -(std::int64_t{1} << (f.width - 1)) : 0;
  const std::int64_t hi = f.is_signed ? (std::int64_t{1} << (f.width - 1)) - 1 : (std::int64_t{1} << f.width) - 1;
  if (v < lo || v > hi)
    throw std::out_of_range(fmt::format("descriptor field {} = {} does not fit; allowed: {} to {}", name, v, lo, hi));
  desc.resize(kDescriptorWords, 0);
  const std::uint64_t mask = ((std::uint64_t{1} << f.width) - 1) << f.lsb;
  const std::uint64_t bits = (static_cast<std::uint64_t>(v) << f.lsb) & mask;
  auto& w = desc[static_cast<std::size_t>(f.word)];
  w = static_cast<std::uint32_t>((w & ~mask) | bits);
}

std::int64_t get_field(const std::vector<std::uint32_t>& desc, const std::string& name) {
  const Field& f = descriptor_field(name);
  const std::uint64_t raw = (std::uint64_t{desc.at(static_cast<std::size_t>(f.word))} >> f.lsb) & ((std::uint64_t{1} << f.width) - 1);
  if (f.is_signed && (raw >> (f.width - 1)) != 0) return static_cast<std::int64_t>(raw) - (std::int64_t{1} << f.width);
  return static_cast<std::int64_t>(raw);
}

std::string to_string(Error e) {
  switch (e) {
    case Error::none: return "none";
    case Error::bad_op: return "a descriptor opcode the engine lacks (unknown, or a layer operation nn.ops leaves out)";
    case Error::bad_shape: return "a zero count, or a dot product longer than au.max_accumulations";
    case Error::input_range: return "activation read outside the activation memory";
    case Error::output_range: return "activation write outside the activation memory";
    case Error::weight_range: return "weight read outside the weight memory";
    case Error::ctrl_range: return "descriptor or parameter read outside the control memory";
    case Error::bad_format: return "a layer format the engine does not have (fmt not int8 or an enabled fp4 or posit, or readout on int8)";
  }
  return fmt::format("error code {}", static_cast<unsigned>(e));
}

std::vector<golden::Format> layer_formats(const SocConfig& c) {
  std::vector<golden::Format> f{golden::Format::int8};
  for (golden::Format g : {golden::Format::fp4, golden::Format::posit4_1, golden::Format::posit8_0, golden::Format::posit16_1})
    if (std::find(c.au.formats.begin(), c.au.formats.end(), g) != c.au.formats.end()) f.push_back(g);
  return f;
}

std::uint32_t weight_address(const NnConfig& n, int au, int addr) {
  return region_base(Region::weight) + static_cast<std::uint32_t>(au) * static_cast<std::uint32_t>(n.weight_words) + static_cast<std::uint32_t>(addr);
}

nlohmann::json interface_json(const SocConfig& c) {
  nlohmann::json j;
  const NnConfig& n = *c.nn;
  j["module"] = c.name + "_nn";
  j["pes"] = n.pes;
  j["aus_per_pe"] = n.aus_per_pe;
  j["lanes"] = kLanes;
  j["act_words"] = n.act_words;
  j["weight_words"] = n.weight_words;
  j["ctrl_words"] = n.ctrl_words;
  j["descriptor_words"] = kDescriptorWords;
  j["param_words"] = kParamWords;
  j["max_accumulations"] = c.au.max_accumulations;
  for (golden::Format f : layer_formats(c)) j["layer_formats"].push_back(std::string(golden::info(f).name));
  for (const auto& r : registers()) j["registers"].push_back({{"name", r.name}, {"index", r.index}, {"writable", r.writable}, {"doc", r.doc}});
  for (const auto& f : descriptor_fields())
    j["descriptor"].push_back({{"name", f.name}, {"word", f.word}, {"lsb", f.lsb}, {"width", f.width}, {"signed", f.is_signed}, {"doc", f.doc}});
  j["regions"] = {{"ctrl", region_base(Region::ctrl)}, {"act", region_base(Region::act)}, {"weight", region_base(Region::weight)}};
  for (int e = 0; e <= static_cast<int>(kLastError); ++e) j["errors"][std::to_string(e)] = to_string(static_cast<Error>(e));
  return j;
}

std::string regmap_header(const SocConfig& c) {
  const NnConfig& n = *c.nn;
  std::string up;
  for (char ch : c.name) up += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
  std::string s = fmt::format("// Register map and descriptor layout of {}_nn. Generated by strata; do not edit.\n#pragma once\n\n", c.name);
  s += fmt::format("#define {}_NN_PES {}\n#define {}_NN_AUS_PER_PE {}\n#define {}_NN_ACT_WORDS {}\n#define {}_NN_WEIGHT_WORDS {}\n#define {}_NN_CTRL_WORDS {}\n\n", up,
                   n.pes, up, n.aus_per_pe, up, n.act_words, up, n.weight_words, up, n.ctrl_words);
  s += "// Registers: 32-bit word indices on the register port.\n";
  for (const auto& r : registers()) s += fmt::format("#define {}_NN_REG_{} {}  // {}\n", up, r.name, r.index, r.doc);
  s += fmt::format("\n#define {}_NN_CTRL_START 0x{:x}u\n#define {}_NN_CTRL_IRQ_EN 0x{:x}u\n#define {}_NN_STATUS_BUSY 0x{:x}u\n#define {}_NN_STATUS_DONE 0x{:x}u\n#define {}_NN_STATUS_ERROR_SHIFT {}\n",
                   up, kCtrlStart, up, kCtrlIrqEn, up, kStatusBusy, up, kStatusDone, up, kStatusErrorShift);
  s += "\n// Host memory regions (word addresses).\n";
  s += fmt::format("#define {}_NN_REGION_CTRL 0x{:08x}u\n#define {}_NN_REGION_ACT 0x{:08x}u\n#define {}_NN_REGION_WEIGHT 0x{:08x}u\n", up, region_base(Region::ctrl), up,
                   region_base(Region::act), up, region_base(Region::weight));
  s += fmt::format("\n// Descriptors: {} words; field = (word, lsb, width).\n#define {}_NN_DESC_WORDS {}\n", kDescriptorWords, up, kDescriptorWords);
  for (const auto& f : descriptor_fields()) {
    std::string fu;
    for (char ch : f.name) fu += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
    s += fmt::format("#define {}_NN_DESC_{}_WORD {}\n#define {}_NN_DESC_{}_LSB {}\n#define {}_NN_DESC_{}_WIDTH {}  // {}{}\n", up, fu, f.word, up, fu, f.lsb, up, fu,
                     f.width, f.is_signed ? "signed; " : "", f.doc);
  }
  s += "\n// Error codes (STATUS[15:8]).\n";
  for (int e = 0; e <= static_cast<int>(kLastError); ++e)
    s += fmt::format("#define {}_NN_ERROR_{} {}  // {}\n", up, e, e, to_string(static_cast<Error>(e)));
  return s;
}

std::string interface_markdown() {
  std::string s = "| register | index | host | meaning |\n| --- | ---: | --- | --- |\n";
  for (const auto& r : registers()) s += fmt::format("| `{}` | {} | {} | {} |\n", r.name, r.index, r.writable ? "read/write" : "read", r.doc);
  s += fmt::format("\n| descriptor field | word | bits | signed | meaning |\n| --- | ---: | --- | --- | --- |\n");
  for (const auto& f : descriptor_fields())
    s += fmt::format("| `{}` | {} | {}:{} | {} | {} |\n", f.name, f.word, f.lsb + f.width - 1, f.lsb, f.is_signed ? "yes" : "no", f.doc);
  s += "\n| error | code | meaning |\n| --- | ---: | --- |\n";
  static const char* names[] = {"none", "bad_op", "bad_shape", "input_range", "output_range", "weight_range", "ctrl_range", "bad_format"};
  for (int e = 0; e <= static_cast<int>(kLastError); ++e) s += fmt::format("| `{}` | {} | {} |\n", names[e], e, to_string(static_cast<Error>(e)));
  return s;
}

}  // namespace strata::nn
