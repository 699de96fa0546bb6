#include "blocks/nn_gen.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <tuple>

#include "blocks/au_gen.h"
#include "blocks/gelu_gen.h"
#include "blocks/gelu_map.h"
#include "blocks/softmax_gen.h"
#include "golden/au.h"
#include "golden/nn.h"
#include "nn/nn_map.h"
#include "vendor_rtl.h"

namespace strata {

namespace {

using ir::Dir;
using ir::Stmt;
using ir::assign;
using ir::if_else;

int log2i(int v) { return std::countr_zero(static_cast<unsigned>(v)); }

// Whether the engine runs layers of format f (nn::layer_formats).
bool runs(const SocConfig& c, golden::Format f) {
  const auto lf = nn::layer_formats(c);
  return std::find(lf.begin(), lf.end(), f) != lf.end();
}

// x >= 2^k for a `width`-bit net, as an OR of its high bits: memory sizes are
// powers of two, and a comparator would cost a carry chain.
std::string at_least_pow2(const std::string& x, int width, int k) { return fmt::format("(|{}[{}:{}])", x, width - 1, k); }

// A memory with one synchronous write port and one synchronous read port
// (read data held while re_i is low): inferred as block RAM.
std::string ram(const SocConfig& c, ir::Design& d, int width, int depth) {
  const int aw = log2i(depth);
  ir::Module m;
  m.name = fmt::format("{}_ram_{}x{}", c.name, depth, width);
  m.description = fmt::format("{} x {}-bit memory, one write and one read port, synchronous read.", depth, width);
  m.port(Dir::in, "clk_i")
      .port(Dir::in, "we_i")
      .port(Dir::in, "waddr_i", aw)
      .port(Dir::in, "wdata_i", width)
      .port(Dir::in, "re_i")
      .port(Dir::in, "raddr_i", aw)
      .port(Dir::out, "rdata_o", width);
  m.memory("mem", width, depth).net("rdata_q", width);
  // The engine never reads a word in the cycle it writes it (a layer's
  // output is placed apart from its inputs; the host writes while idle), so
  // synthesis needs no collision bypass.
  m.nets[m.nets.size() - 2].attribute = "no_rw_check";
  m.ff({if_else("we_i", {assign("mem[waddr_i]", "wdata_i")}), if_else("re_i", {assign("rdata_q", "mem[raddr_i]")})});
  m.assign("rdata_o", "rdata_q");
  return d.add(std::move(m));
}

// The weight memory of one AU: inferred block RAM, or an iCE40 SPRAM
// through the vendor wrapper (rtl/vendor/), whose 14-bit address takes the
// config's narrower one zero-extended.
struct WeightRam {
  std::string module;
  int addr_bits;
};
WeightRam weight_ram(const SocConfig& c, ir::Design& d) {
  const NnConfig& n = *c.nn;
  if (n.weight_memory == WeightMemory::bram) return {ram(c, d, 16, n.weight_words), log2i(n.weight_words)};
  d.add_verbatim({"SB_SPRAM256KA", "sim/SB_SPRAM256KA.sv", vendor_file("sim/SB_SPRAM256KA.sv"), true});
  return {d.add_verbatim({"ice40_spram_16kx16", "ice40_spram_16kx16.sv", vendor_file("ice40_spram_16kx16.sv"), false}), log2i(kIce40SpramWords)};
}

// The requantizer of one PE, shared by its AUs: bias add and int32
// saturation on capture (the channel's parameters come with the dot
// product), then TFLite's MultiplyByQuantizedMultiplier on the magnitude |x|
// (the sign is put back at the end): the saturating left shift one bit per
// cycle, the 32 x 31-bit product from four 16 x 16-bit products (one DSP,
// one per cycle), SaturatingRoundingDoublingHighMul and RoundingDivideByPOT
// as roundings of that magnitude, then the zero point and the clamp; the
// byte waits in an output register for the write-back.
//
// In magnitude form, with P = |x| * M and neg = x < 0, SRDHM is
// floor((P + 2^30 - neg) / 2^31) (it rounds halves toward +inf) and
// RoundingDivideByPOT by e is floor((r + 2^(e-1)) / 2^e) (halves away from
// zero); the constant 2^30 - neg starts the product's sum.
//
// With posit8 layers, posit_i takes the dot product in units of 2^-12
// instead of integers, and raw_i writes the AU's posit8 read-out code_i,
// clamped as a code, instead of the requantized value. With posit16 layers,
// p16_i takes floor(dot product * 2^16) instead, code_i is 16 bits, and a
// posit16 read-out is clamped to [{act_min, 0x00}, {act_max, out_zp}] and
// written as a whole word (wr_wide_o) at pos_addr_i + chan_i. With fp4
// (posit4) layers, f4_i (p4_i) takes floor(dot product * 2^2) (2^8), and a
// 4-bit read-out, sign-extended and clamped as an 8-bit code, is written as
// a nibble (wr_nib_o): the byte wr_lane_o = chan_i bit 1 of pos_addr_i +
// chan_i / 4, its nibble wr_nsel_o = chan_i bit 0, the code in both halves
// of the byte.
std::string requant(const SocConfig& c, ir::Design& d) {
  const golden::AuShape shape = golden::au_shape(c.au.formats, c.au.max_accumulations);
  const int acc_w = shape.acc_width, frac = shape.frac_bits;
  const bool posit = nn::layer_formats(c).size() > 1;
  const bool p8 = runs(c, golden::Format::posit8_0), p16 = runs(c, golden::Format::posit16_1);
  const bool f4 = runs(c, golden::Format::fp4), p4 = runs(c, golden::Format::posit4_1), n4 = f4 || p4;
  const int cw = p16 ? 16 : p8 ? 8 : 4;  // read-out code bits
  const int rw = nn::kRowAddrBits, ow = nn::kWriteAddrBits;
  ir::Module m;
  m.name = c.name + "_requant";
  m.description = "Requantizer: bias, int32 saturation, TFLite MultiplyByQuantizedMultiplier, zero point, clamp.";
  m.port(Dir::in, "clk_i")
      .port(Dir::in, "rst_ni")
      .port(Dir::in, "clear_i", 1, false, "drop any pending result (start of a run)")
      .port(Dir::in, "cap_i", 1, false, "take acc_i and the channel's parameters (only while can_cap_o)")
      .port(Dir::in, "acc_i", acc_w, true, fmt::format("an AU's dot product, in units of 2^-{}", frac))
      .port(Dir::in, "bias_i", 32, true, "the channel's bias (zero point folded in)")
      .port(Dir::in, "mult_i", 31, false, "the captured channel's multiplier, 0 or in [2^30, 2^31): held from its capture through the next one's cycle")
      .port(Dir::in, "shift_i", 6, true, "the captured channel's shift, -31..30, held like mult_i (the scaler takes both when it starts the channel)")
      .port(Dir::in, "pos_addr_i", rw, false, "word address of the output position")
      .port(Dir::in, "chan_i", 16, false, "output channel of this AU's dot product")
      .port(Dir::in, "keep_i", 1, false, "write the result (channel exists)")
      .port(Dir::in, "out_zp_i", 8, true)
      .port(Dir::in, "act_min_i", 8, true)
      .port(Dir::in, "act_max_i", 8, true);
  if (p8) m.port(Dir::in, "posit_i", 1, false, "posit8 layer: acc_i is taken in units of 2^-12");
  if (p16) m.port(Dir::in, "p16_i", 1, false, "posit16 layer: acc_i is taken as floor(acc * 2^16); a read-out is a whole word");
  if (f4) m.port(Dir::in, "f4_i", 1, false, "fp4 layer: acc_i is taken as floor(acc * 2^2); a read-out is a nibble");
  if (p4) m.port(Dir::in, "p4_i", 1, false, "posit4 layer: acc_i is taken as floor(acc * 2^8); a read-out is a nibble");
  if (posit)
    m.port(Dir::in, "raw_i", 1, false, "posit output: write code_i clamped, not the requantized value")
        .port(Dir::in, "code_i", cw, false, "the AU's posit read-out (taken with the capture)");
  m.port(Dir::out, "can_cap_o", 1, false, "the capture register is free")
      .port(Dir::out, "idle_o", 1, false, "nothing captured or in progress")
      .port(Dir::out, "wr_valid_o", 1, false, "a result waits for the write-back")
      .port(Dir::out, "wr_addr_o", ow, false, p16 ? "pos_addr_i + chan_i / 2 (a posit16 word: + chan_i)" : "pos_addr_i + chan_i / 2")
      .port(Dir::out, "wr_lane_o", 1, false, "byte lane of the word (channel bit 0)")
      .port(Dir::out, "wr_data_o", p16 ? 16 : 8, false, p16 ? "the byte in bits 7:0, or with wr_wide_o the word" : "");
  if (p16) m.port(Dir::out, "wr_wide_o", 1, false, "posit16 read-out: write all 16 bits at wr_addr_o");
  if (n4)
    m.port(Dir::out, "wr_nib_o", 1, false, "4-bit read-out: write only nibble wr_nsel_o of byte wr_lane_o (channel bit 1) at pos_addr_i + chan_i / 4")
        .port(Dir::out, "wr_nsel_o", 1, false, "the nibble of the byte (channel bit 0)");
  m.port(Dir::in, "wr_ready_i", 1, false, "the write-back takes the result");
  m.net("mult_q", 32, false, "{0, multiplier[30:16], multiplier[15:0]}, its halves swapped after each product").net("rshift_q", 5, false, "e = -shift for shift < 0, else 0");
  m.net("state_q", 2, false, "0 idle, 1 left shift, 2 multiply, 3 result waits");
  const int int_w = acc_w - frac;  // the integer part: int8 products have no fraction bits
  const int p16_k = golden::nn::au_fixed_frac_bits(golden::Format::posit16_1);
  const int f4_k = golden::nn::au_fixed_frac_bits(golden::Format::fp4), p4_k = golden::nn::au_fixed_frac_bits(golden::Format::posit4_1);
  const int sum_w = std::max({p8 ? acc_w - (frac - golden::nn::kPosit8ProductFracBits) : int_w, p16 ? acc_w - (frac - p16_k) : int_w,
                              f4 ? acc_w - (frac - f4_k) : int_w, p4 ? acc_w - (frac - p4_k) : int_w, int_w, 32}) + 1;
  m.net("sum", sum_w, true, "dot product plus bias");
  m.net("sum_sat", 32, true);
  m.net("neg_q", 1, false, "x < 0").net("mag_q", 32, false, "|x|, at most 2^31");
  m.net("mag2", 32).net("mag2_sat", 32);
  m.net("steps_q", 5).net("mul_a", 16).net("mul_b", 16).net("prod", 32);
  m.net("sum_in", 34).net("psum_next", 34).net("psum_q", 34, false, "the running sum of the product, 16 bits shifted out twice").net("p31_q", 1, false, "bit 31 of the product's sum");
  m.net("srdhm", 31, false, "|SaturatingRoundingDoublingHighMul|").net("psum_unused", 4);
  m.net("rs16", 25).net("rs8", 17).net("rs4", 13).net("rs2", 11).net("h10", 10, false, "floor(2 srdhm / 2^e) mod 2^10");
  m.net("ro16").net("ro8").net("ro4").net("ro2").net("ro1", 1, false, "floor(2 srdhm / 2^e) >= 2^10");
  m.net("big", 1, false, "the rounded magnitude is at least 512: the clamp decides").net("mag9", 9).net("mag_lsb_unused").net("signed_mag", 11, true);
  m.net("with_zp", 11, true).net("clamped", 8, true);
  m.net("out_wz_q", 11, true).net("out_big_q").net("out_neg_q");
  m.net("addr_q", ow).net("lane_q").net("keep_q");
  if (posit) m.net("code_q", cw).net("pend_code_q", cw);
  m.net("pend_q", 1, false, "a captured dot product waits for the scaler").net("pend_x_q", 32, true).net("pend_addr_q", ow).net("pend_lane_q").net("pend_keep_q");
  if (n4) m.net("pend_nsel_q").net("nsel_q").net("out_nsel_q");

  auto sext = [](const std::string& x, int from, int to) {
    return to == from ? x : fmt::format("{{{{{}{{{}[{}]}}}}, {}}}", to - from, x, from - 1, x);
  };
  m.comment("Capture: the exact dot product plus bias, saturated to int32.");
  m.net("acc_int", int_w, true);
  if (frac > 0) {
    m.net("acc_frac_unused", frac);
    m.assign("{acc_int, acc_frac_unused}", "acc_i");
  } else {
    m.assign("acc_int", "acc_i");
  }
  std::string x = sext("acc_int", int_w, sum_w);
  if (p8) {
    // Posit8 products are multiples of 2^-12: those units are the integer.
    const int pf = golden::nn::kPosit8ProductFracBits, pos_w = acc_w - (frac - pf);
    m.net("acc_p8", pos_w, true, "the dot product in units of 2^-12");
    if (frac > pf) {
      m.net("acc_p8_unused", frac - pf);
      m.assign("{acc_p8, acc_p8_unused}", "acc_i");
    } else {
      m.assign("acc_p8", "acc_i");
    }
    x = fmt::format("(posit_i ? {} : {})", sext("acc_p8", pos_w, sum_w), x);
  }
  if (p16) {
    // floor(S * 2^16): the quire's bits from 2^-16 up.
    const int p16_w = acc_w - (frac - p16_k);
    m.net("acc_p16", p16_w, true, "floor(dot product * 2^16)").net("acc_p16_unused", frac - p16_k);
    m.assign("{acc_p16, acc_p16_unused}", "acc_i");
    x = fmt::format("(p16_i ? {} : {})", sext("acc_p16", p16_w, sum_w), x);
  }
  // fp4 and posit4: floor(S * 2^k), the quire's bits from 2^-k up (exact:
  // their products are multiples of 2^-k).
  for (const auto& [on, name, k] : {std::tuple{f4, "f4", f4_k}, std::tuple{p4, "p4", p4_k}}) {
    if (!on) continue;
    const int w = acc_w - (frac - k);
    const std::string net = fmt::format("acc_{}", name);
    m.net(net, w, true, fmt::format("floor(dot product * 2^{})", k));
    if (frac > k) {
      m.net(fmt::format("acc_{}_unused", name), frac - k);
      m.assign(fmt::format("{{{0}, {0}_unused}}", net), "acc_i");
    } else {
      m.assign(net, "acc_i");
    }
    x = fmt::format("({}_i ? {} : {})", name, sext(net, w, sum_w), x);
  }
  m.assign("sum", x + " + " + sext("bias_i", 32, sum_w));
  // In int32 range when the bits from 31 up are all equal (no comparator chains).
  m.assign("sum_sat", fmt::format("((&sum[{0}:31]) || !(|sum[{0}:31])) ? sum[31:0] : sum[{0}] ? -32'sh80000000 : 32'sh7fffffff", sum_w - 1));
  m.comment("Left shift by one bit per cycle, saturating at 2^31 - 1 (x > 0) or 2^31 (x < 0).");
  m.assign("mag2", "{mag_q[30:0], 1'b0}");
  // 2|x| > 2^31 - 1 (x > 0) is |x| >= 2^30; 2|x| > 2^31 (x < 0) is |x| > 2^30.
  m.net("mag2_big");
  m.assign("mag2_big", "mag_q[31] || (mag_q[30] && (!neg_q || (|mag_q[29:0])))");
  m.assign("mag2_sat", "mag2_big ? {neg_q, {31{!neg_q}}} : mag2[31:0]");
  m.comment("|x| * multiplier: low x low, low x high, high x low, high x high, 16 bits of the sum out after the first and the third.");
  m.assign("mul_a", "steps_q[1] ? mag_q[31:16] : mag_q[15:0]");
  m.assign("mul_b", "mult_q[15:0]");
  m.assign("prod", "{16'd0, mul_a} * {16'd0, mul_b}");
  m.assign("sum_in", "(steps_q[1:0] == 2'd0) ? (neg_q ? 34'h3fffffff : 34'h40000000) : steps_q[1:0] == 2'd2 ? psum_q : {16'd0, psum_q[33:16]}");
  m.assign("psum_next", "sum_in + {2'd0, prod}");
  m.comment("After the last product psum_q = sum / 2^32 < 2^30, and srdhm = sum / 2^31.");
  m.assign("{psum_unused, srdhm}", "{psum_q, p31_q}");
  // RoundingDivideByPOT by e = -shift (shift <= 0) on the magnitude: with
  // h = floor(2 srdhm / 2^e), the rounded value is floor((h + 1) / 2) (for
  // e = 0 that is srdhm). Only h's low 10 bits and whether h >= 2^10 matter
  // (the rounded value is at least 512 iff h >= 1023): a right shifter
  // that keeps, after each stage, the bits the later stages can still bring
  // below 2^10, and notes whether a bit above them is set.
  m.comment("RoundingDivideByPOT by e on the magnitude: h = floor(2 srdhm / 2^e), its low 10 bits and whether it reaches 2^10.");
  m.assign("rs16", "rshift_q[4] ? {9'd0, srdhm[30:15]} : {srdhm[23:0], 1'b0}");
  m.assign("ro16", "!rshift_q[4] && (|srdhm[30:24])");
  m.assign("rs8", "rshift_q[3] ? rs16[24:8] : rs16[16:0]");
  m.assign("ro8", "ro16 || (!rshift_q[3] && (|rs16[24:17]))");
  m.assign("rs4", "rshift_q[2] ? rs8[16:4] : rs8[12:0]");
  m.assign("ro4", "ro8 || (!rshift_q[2] && (|rs8[16:13]))");
  m.assign("rs2", "rshift_q[1] ? rs4[12:2] : rs4[10:0]");
  m.assign("ro2", "ro4 || (!rshift_q[1] && (|rs4[12:11]))");
  m.assign("h10", "rshift_q[0] ? rs2[10:1] : rs2[9:0]");
  m.assign("ro1", "ro2 || (!rshift_q[0] && rs2[10])");
  m.assign("big", "ro1 || (&h10)");
  m.assign("{mag9, mag_lsb_unused}", "h10 + 10'd1");
  m.comment("The sign and the zero point; the clamp to the activation range is taken from the output register.");
  m.assign("signed_mag", "neg_q ? -$signed({2'b0, mag9}) : $signed({2'b0, mag9})");
  m.assign("with_zp", "signed_mag + {{3{out_zp_i[7]}}, out_zp_i}");
  m.assign("clamped", "(out_big_q ? out_neg_q : (out_wz_q < $signed({{3{act_min_i[7]}}, act_min_i}))) ? act_min_i : (out_big_q ? !out_neg_q : (out_wz_q > $signed({{3{act_max_i[7]}}, act_max_i}))) ? act_max_i : out_wz_q[7:0]");

  // The 8-bit code of a narrow read-out: posit8's, or a 4-bit code sign-extended.
  std::string code8 = "code_q[7:0]", code8_sign = "code_q[7]";
  if (n4) {
    m.net("nib", 1, false, "a 4-bit layer's read-out");
    m.assign("nib", f4 && p4 ? "raw_i && (f4_i || p4_i)" : f4 ? "raw_i && f4_i" : "raw_i && p4_i");
    m.net("code8", 8);
    m.assign("code8", p8 ? "nib ? {{4{code_q[3]}}, code_q[3:0]} : code_q[7:0]" : "{{4{code_q[3]}}, code_q[3:0]}");
    code8 = "code8";
    code8_sign = "code8[7]";
  }
  if (posit && !p16) {
    m.comment(n4 ? "A posit or fp4 output: the read-out code clamped as a two's complement integer (posit order; fp4's negative codes all lie below 0)."
                 : "A posit8 output: the read-out code clamped as a two's complement integer (posit order).");
    if (n4) {
      m.net("code_s", 8, true).net("code_clamped", 8, true);
      m.assign("code_s", fmt::format("$signed({})", code8));
      m.assign("code_clamped", "(code_s < act_min_i) ? act_min_i : (code_s > act_max_i) ? act_max_i : code_s");
    } else {
      m.net("code_clamped", 8, true);
      m.assign("code_clamped", "($signed(code_q) < act_min_i) ? act_min_i : ($signed(code_q) > act_max_i) ? act_max_i : $signed(code_q)");
    }
  } else if (p16) {
    m.comment("A posit output: the read-out code clamped as a two's complement integer (posit order); posit16 bounds {act_min, 0x00}, {act_max, out_zp}.");
    m.net("code16", 16, true).net("lo16", 16, true).net("hi16", 16, true).net("code_clamped", 16, true);
    const bool narrow = p8 || n4;
    m.assign("code16", narrow ? fmt::format("p16_i ? $signed(code_q) : $signed({{{{8{{{}}}}}, {}}})", code8_sign, code8) : "$signed(code_q)");
    m.assign("lo16", narrow ? "p16_i ? {act_min_i, 8'h00} : {{8{act_min_i[7]}}, act_min_i}" : "{act_min_i, 8'h00}");
    m.assign("hi16", narrow ? "p16_i ? {act_max_i, out_zp_i} : {{8{act_max_i[7]}}, act_max_i}" : "{act_max_i, out_zp_i}");
    m.assign("code_clamped", "(code16 < lo16) ? lo16 : (code16 > hi16) ? hi16 : code16");
  }
  m.comment("Capture register: the AU is free for its next dot product while this one is scaled.");
  std::string chan_off = fmt::format("{}'(chan_i[15:1])", ow);
  if (n4) chan_off = fmt::format("(nib ? {}'(chan_i[15:2]) : {})", ow, chan_off);
  if (p16) chan_off = fmt::format("((raw_i && p16_i) ? {}'(chan_i) : {})", ow, chan_off);
  std::vector<Stmt> take{assign("pend_q", "1'b1"), assign("pend_x_q", "sum_sat"), assign("pend_addr_q", fmt::format("{}'(pos_addr_i) + {}", ow, chan_off)),
                         assign("pend_lane_q", n4 ? "nib ? chan_i[1] : chan_i[0]" : "chan_i[0]"), assign("pend_keep_q", "keep_i")};
  if (n4) take.push_back(assign("pend_nsel_q", "chan_i[0]"));
  if (posit) take.push_back(assign("pend_code_q", "code_i"));
  m.ff({if_else("!rst_ni || clear_i", {assign("pend_q", "1'b0")},
                {if_else("cap_i", take,
                         {if_else("load", {assign("pend_q", "1'b0")})})})});
  m.comment("The scaler takes the next capture when idle, or as its result moves to the output register.");
  m.net("done", 1, false, "the result moves to the output register").net("load");
  m.net("out_valid_q").net("out_addr_q", ow).net("out_lane_q");
  // The code as written: a posit8 or 4-bit code (in both nibbles) in 8 bits, posit16's in 16.
  if (posit) m.net("out_raw_q", 1, false, "the output register holds a read-out code").net("out_code_q", p16 ? 16 : 8);
  m.assign("done", "state_q == 2'd3 && (!out_valid_q || wr_ready_i)");
  m.assign("load", "pend_q && (state_q == 2'd0 || done)");
  std::vector<Stmt> load{assign("neg_q", "pend_x_q[31]"), assign("mag_q", "pend_x_q[31] ? 32'(-pend_x_q) : pend_x_q"), assign("addr_q", "pend_addr_q"),
                         assign("lane_q", "pend_lane_q"), assign("keep_q", "pend_keep_q"), assign("mult_q", "{1'b0, mult_i}"),
                         assign("rshift_q", "shift_i[5] ? 5'(-shift_i) : 5'd0"),
                         assign("steps_q", "shift_i[5] ? 5'd0 : shift_i[4:0]"),
                         assign("state_q", fmt::format("{}(!shift_i[5] && shift_i[4:0] != 5'd0) ? 2'd1 : 2'd2", posit ? "raw_i ? 2'd3 : " : ""))};
  if (posit) load.push_back(assign("code_q", "pend_code_q"));
  if (n4) load.push_back(assign("nsel_q", "pend_nsel_q"));
  m.ff({if_else("!rst_ni || clear_i", {assign("state_q", "2'd0")},
                {if_else("load", load,
                         {ir::case_of("state_q",
                                      {{"2'd1",
                                        {assign("mag_q", "mag2_sat"), assign("steps_q", "steps_q - 5'd1"), if_else("steps_q == 5'd1", {assign("state_q", "2'd2")})}},
                                       {"2'd2",
                                        {assign("psum_q", "psum_next"), assign("mult_q", "{mult_q[15:0], mult_q[31:16]}"), if_else("steps_q[1:0] == 2'd2", {assign("p31_q", "psum_next[15]")}),
                                         assign("steps_q", "steps_q + 5'd1"), if_else("steps_q[1:0] == 2'd3", {assign("state_q", "2'd3")})}},
                                       {"2'd3", {if_else("done", {assign("state_q", "2'd0")})}},
                                       {"default", {}}})})})});
  m.comment("Output register: the rounded value waits here for the write-back while the next channel is scaled.");
  // A 4-bit read-out goes out in both nibbles of the byte.
  const std::string raw_code = n4 ? (p16 ? "(nib ? {8'd0, code_clamped[3:0], code_clamped[3:0]} : code_clamped)" : "(nib ? {code_clamped[3:0], code_clamped[3:0]} : code_clamped)")
                                  : "code_clamped";
  std::vector<Stmt> done_take{assign("out_valid_q", "keep_q"), assign("out_addr_q", "addr_q"), assign("out_lane_q", "lane_q"), assign("out_wz_q", "with_zp"),
                              assign("out_big_q", "big"), assign("out_neg_q", "neg_q")};
  if (posit) {
    done_take.push_back(assign("out_raw_q", "raw_i"));
    done_take.push_back(assign("out_code_q", raw_code));
  }
  if (n4) done_take.push_back(assign("out_nsel_q", "nsel_q"));
  m.ff({if_else("!rst_ni || clear_i", {assign("out_valid_q", "1'b0")},
                {if_else("done", done_take, {if_else("wr_ready_i", {assign("out_valid_q", "1'b0")})})})});
  m.assign("can_cap_o", "!pend_q || state_q == 2'd0");
  m.assign("idle_o", "!pend_q && state_q == 2'd0 && !out_valid_q");
  m.assign("wr_valid_o", "out_valid_q");
  m.assign("wr_addr_o", "out_addr_q");
  m.assign("wr_lane_o", "out_lane_q");
  m.assign("wr_data_o", p16 ? "out_raw_q ? out_code_q : {8'd0, clamped}" : posit ? "out_raw_q ? out_code_q : clamped" : "clamped");
  if (p16) m.assign("wr_wide_o", "raw_i && p16_i");
  if (n4) {
    m.assign("wr_nib_o", "nib");
    m.assign("wr_nsel_o", "out_nsel_q");
  }
  return d.add(std::move(m));
}


// A processing element: `aus_per_pe` AUs fed one activation beat and each
// its own weight word (one output channel per AU), their weight memories and
// per-channel parameters, and one requantizer for all of them: the AUs'
// dot products are captured together into result slots, and the slots are
// scaled one after the other (lowest AU first) while the AUs go on.
std::string pe(const SocConfig& c, ir::Design& d) {
  const NnConfig& n = *c.nn;
  const int na = n.aus_per_pe, ww = log2i(n.weight_words);
  // The sequencer stops a dot product at au.max_accumulations beats (dp_err).
  const std::string au = generate_au(c, d, true);
  const WeightRam wram = weight_ram(c, d);
  // A weight address zero-extended to the memory's.
  auto waddr = [&](const std::string& a) { return wram.addr_bits == ww ? a : fmt::format("{{{}'d0, {}}}", wram.addr_bits - ww, a); };
  const std::string rq = requant(c, d);
  const ir::Module* au_m = d.find(au);
  const int acc_w = golden::au_shape(c.au.formats, c.au.max_accumulations).acc_width;
  const bool posit = nn::layer_formats(c).size() > 1;
  const bool p8 = runs(c, golden::Format::posit8_0), p16 = runs(c, golden::Format::posit16_1);
  const bool f4 = runs(c, golden::Format::fp4), p4 = runs(c, golden::Format::posit4_1), n4 = f4 || p4;
  const int cw = p16 ? 16 : p8 ? 8 : 4;  // read-out code bits
  // Bit j of an na-bit net (a 1-bit net has no index).
  auto bit = [na](const std::string& net, int j) { return na == 1 ? net : fmt::format("{}[{}]", net, j); };
  ir::Module m;
  m.name = c.name + "_pe";
  m.description = fmt::format("Processing element: {} AU(s) on one activation stream, weight memories, a shared requantizer.", na);
  m.port(Dir::in, "clk_i")
      .port(Dir::in, "rst_ni")
      .port(Dir::in, "clear_i", 1, false, "start of a run: drop pending results")
      .port(Dir::in, "beat_valid_i")
      .port(Dir::out, "beat_ready_o", 1, false, "every AU takes the beat")
      .port(Dir::in, "a_i", 16, false, "activation word, broadcast")
      .port(Dir::in, "last_i")
      .port(Dir::in, "w_re_i")
      .port(Dir::in, "w_raddr_i", ww)
      .port(Dir::out, "w_rdata_o", 16 * na, false, "weight words read, AU j in bits [16j+15:16j]")
      .port(Dir::in, "hw_we_i", na, false, "host weight write, one bit per AU")
      .port(Dir::in, "hw_waddr_i", ww)
      .port(Dir::in, "hw_wdata_i", 16)
      .port(Dir::in, "param_we_i", na, false, "parameter write, one bit per AU")
      .port(Dir::in, "param_field_i", 2, false, "0 bias, 1 multiplier, 2 shift")
      .port(Dir::in, "param_data_i", 32)
      .port(Dir::out, "res_valid_o", 1, false, "the AUs hold a dot product")
      .port(Dir::out, "cap_ready_o", 1, false, "the result slots are free")
      .port(Dir::out, "idle_o", 1, false, "no result waits or is being scaled")
      .port(Dir::in, "cap_i", 1, false, "every PE takes its dot products")
      .port(Dir::in, "pos_addr_i", nn::kRowAddrBits, false, "word address of the output position last captured (held until the next cap_i)")
      .port(Dir::in, "chan_base_i", 16, false, "first channel of the group (held while a result is pending)")
      .port(Dir::in, "j0_i", 16, false, "index of this PE's first AU in the engine")
      .port(Dir::in, "grp_channels_i", 16)
      .port(Dir::in, "out_channels_i", 16)
      .port(Dir::in, "out_zp_i", 8, true)
      .port(Dir::in, "act_min_i", 8, true)
      .port(Dir::in, "act_max_i", 8, true);
  const bool add = n.residual_add;
  if (add)
    m.port(Dir::in, "add_cap_i", 1, false, "add layer: the requantizer takes add_x_i (only while add_ready_o)")
        .port(Dir::in, "add_x_i", 32, true, "the sum of the two rescaled inputs")
        .port(Dir::in, "add_pos_i", nn::kRowAddrBits, false, "its output word")
        .port(Dir::in, "add_lane_i", 1, false, "its byte lane")
        .port(Dir::out, "add_ready_o", 1, false, "the requantizer can take an add element");
  if (posit)
    m.port(Dir::in, "fmt_i", golden::kFormatCodeBits, false, "the layer's format code (int8 or a posit)")
        .port(Dir::in, "readout_i", 1, false, "write the AUs' posit read-out, not the requantized value");
  m.port(Dir::out, "wr_valid_o")
      .port(Dir::out, "wr_addr_o", nn::kWriteAddrBits)
      .port(Dir::out, "wr_lane_o")
      .port(Dir::out, "wr_data_o", p16 ? 16 : 8);
  if (p16) m.port(Dir::out, "wr_wide_o");
  if (n4) m.port(Dir::out, "wr_nib_o").port(Dir::out, "wr_nsel_o");
  m.port(Dir::in, "wr_ready_i");
  m.net("in_ready", na).net("out_valid", na).net("au_rst_n");
  m.comment("Start and errors reset the AUs: no partial dot product survives a run.");
  m.assign("au_rst_n", "rst_ni & ~clear_i");
  m.net("w_rdata", 16 * na);
  std::vector<Stmt> params;
  for (int j = 0; j < na; ++j) {
    const std::string s = std::to_string(j);
    m.net("acc" + s, acc_w, true).net("slot" + s + "_q", acc_w, true);
    if (posit) m.net("res" + s, golden::kOperandBits).net("code" + s + "_q", cw);
    m.net("bias" + s + "_q", 32, true).net("mult" + s + "_q", 31).net("shift" + s + "_q", 6, true);
    // On each feed the parameters rotate down (AU j + 1's to j), so that
    // the requantizer always takes register 0's: after the group's na feeds
    // of an output position they are back in AU order.
    const std::string nx = std::to_string((j + 1) % na);
    params.push_back(if_else(bit("param_we_i", j), {ir::case_of("param_field_i", {{"2'd0", {assign("bias" + s + "_q", "param_data_i")}},
                                                                                  {"2'd1", {assign("mult" + s + "_q", "param_data_i[30:0]")}},
                                                                                  {"default", {assign("shift" + s + "_q", "param_data_i[5:0]")}}})},
                             {if_else("feed", {assign("bias" + s + "_q", "bias" + nx + "_q"), assign("mult" + s + "_q", "mult" + nx + "_q"),
                                               assign("shift" + s + "_q", "shift" + nx + "_q")})}));
    m.instance(wram.module, "u_wmem" + s,
               {{"clk_i", "clk_i"}, {"we_i", bit("hw_we_i", j)}, {"waddr_i", waddr("hw_waddr_i")}, {"wdata_i", "hw_wdata_i"},
                {"re_i", "w_re_i"}, {"raddr_i", waddr("w_raddr_i")}, {"rdata_o", fmt::format("w_rdata[{}:{}]", 16 * j + 15, 16 * j)}});
    std::vector<ir::Connection> conns;
    for (const auto& p : au_m->ports) {
      std::string e;
      if (p.name == "clk_i") e = p.name;
      else if (p.name == "rst_ni") e = "au_rst_n";
      else if (p.name == "in_valid_i") e = "beat_valid_i & ~clear_i";
      else if (p.name == "in_ready_o") e = bit("in_ready", j);
      else if (p.name == "a_i") e = "a_i";
      else if (p.name == "b_i") e = fmt::format("w_rdata[{}:{}]", 16 * j + 15, 16 * j);
      else if (p.name == "fmt_i" || p.name == "out_fmt_i") e = posit ? "fmt_i" : fmt::format("{}'d{}", golden::kFormatCodeBits, static_cast<unsigned>(golden::Format::int8));
      else if (p.name == "res_o" && posit) e = "res" + s;
      else if (p.name == "last_i") e = "last_i";
      else if (p.name == "out_valid_o") e = bit("out_valid", j);
      else if (p.name == "out_ready_i") e = "cap_i";
      else if (p.name == "acc_o") e = "acc" + s;
      else {
        // Flags the engine's layers cannot raise (the sequencer bounds the
        // dot product length; posit8 tensors hold no NaR) and, without
        // posit8 layers, the read-out.
        const std::string un = fmt::format("au{}_{}_unused", j, p.name);
        m.net(un, p.width);
        e = un;
      }
      conns.push_back({p.name, e});
    }
    m.instance(au, "u_au" + s, conns);
  }
  m.comment("Per-channel parameters, written by the sequencer before each channel group; rotated by each feed.");
  m.ff(params);
  m.assign("w_rdata_o", "w_rdata");
  m.assign("beat_ready_o", "&in_ready");
  m.assign("res_valid_o", "&out_valid");

  m.comment("Result slots: filled together on cap_i, fed to the requantizer lowest first; slot 0 (and parameter register 0) is the one fed, the others shift down.");
  const int iw = std::max(1, static_cast<int>(std::bit_width(static_cast<unsigned>(na - 1))));
  m.net("full_q", na, false, "slot j holds AU j's dot product").net("take", na, false, "the slot fed to the requantizer this cycle");
  m.net("feed").net("sel", iw).net("rq_can_cap").net("rq_idle");
  if (posit) m.net("f_code", cw);
  m.net("f_acc", acc_w, true).net("f_bias", 32, true).net("f_mult", 31).net("f_shift", 6, true).net("f_j", 16).net("f_chan", 16).net("f_keep");
  std::vector<Stmt> pick{assign("take", fmt::format("{}'d0", na)), assign("sel", fmt::format("{}'d0", iw))};
  for (int j = na - 1; j >= 0; --j)
    pick.push_back(if_else(bit("full_q", j), {assign("take", fmt::format("{}'d{}", na, 1u << j)), assign("sel", fmt::format("{}'d{}", iw, j))}));
  m.comb(pick);
  // The requantizer takes the multiplier and shift of the channel it last
  // captured when it starts scaling it: after that feed's rotation they
  // are in register na - 1 until the next feed.
  const std::string last = std::to_string(na - 1);
  m.assign("f_acc", "slot0_q").assign("f_bias", "bias0_q");
  if (add && na > 1) {
    // An add element takes AU 0's (no feed rotates them in an add layer).
    m.net("rq_add_q", 1, false, "the requantizer's last capture is an add element");
    m.ff({if_else("add_cap_i", {assign("rq_add_q", "1'b1")}, {if_else("feed", {assign("rq_add_q", "1'b0")})})});
    m.assign("f_mult", fmt::format("rq_add_q ? mult0_q : mult{}_q", last)).assign("f_shift", fmt::format("rq_add_q ? shift0_q : shift{}_q", last));
  } else {
    m.assign("f_mult", "mult" + last + "_q").assign("f_shift", "shift" + last + "_q");
  }
  if (posit) m.assign("f_code", "code0_q");
  m.assign("feed", "(|full_q) && rq_can_cap");
  m.assign("f_j", fmt::format("j0_i + 16'(sel)"));
  m.assign("f_chan", "chan_base_i + f_j");
  m.assign("f_keep", "(f_j < grp_channels_i) && (f_chan < out_channels_i)");
  m.assign("cap_ready_o", "(full_q & ~(feed ? take : '0)) == '0");
  m.assign("idle_o", "full_q == '0 && rq_idle");
  std::vector<Stmt> fill{assign("full_q", "'1")};
  for (int j = 0; j < na; ++j) {
    fill.push_back(assign(fmt::format("slot{}_q", j), fmt::format("acc{}", j)));
    if (posit) fill.push_back(assign(fmt::format("code{}_q", j), fmt::format("res{}[{}:0]", j, cw - 1)));
  }
  std::vector<Stmt> shift_down{assign("full_q", "full_q & ~take")};
  for (int j = 0; j + 1 < na; ++j) {
    shift_down.push_back(assign(fmt::format("slot{}_q", j), fmt::format("slot{}_q", j + 1)));
    if (posit) shift_down.push_back(assign(fmt::format("code{}_q", j), fmt::format("code{}_q", j + 1)));
  }
  m.ff({if_else("!rst_ni || clear_i", {assign("full_q", "'0")},
                {if_else("cap_i", fill, {if_else("feed", shift_down)})})});
  if (add) {
    m.comment("An add element goes to the requantizer with acc 0 and its sum as the bias, with AU 0's multiplier and shift.");
    m.assign("add_ready_o", "rq_can_cap && full_q == '0");
  }
  // Expression e, or the add element's x while it is handed over.
  auto or_add = [add](const std::string& x, const std::string& e) { return add ? fmt::format("add_cap_i ? {} : {}", x, e) : e; };
  std::vector<ir::Connection> rq_conns{{"clk_i", "clk_i"}, {"rst_ni", "rst_ni"}, {"clear_i", "clear_i"}, {"cap_i", add ? "feed || add_cap_i" : "feed"},
                                       {"acc_i", or_add("'0", "f_acc")}, {"bias_i", or_add("add_x_i", "f_bias")},
              {"mult_i", "f_mult"}, {"shift_i", "f_shift"}, {"pos_addr_i", or_add("add_pos_i", "pos_addr_i")},
              {"chan_i", or_add("{15'd0, add_lane_i}", "f_chan")}, {"keep_i", add ? "add_cap_i || f_keep" : "f_keep"},
              {"out_zp_i", "out_zp_i"}, {"act_min_i", "act_min_i"}, {"act_max_i", "act_max_i"}, {"can_cap_o", "rq_can_cap"}, {"idle_o", "rq_idle"},
              {"wr_valid_o", "wr_valid_o"}, {"wr_addr_o", "wr_addr_o"}, {"wr_lane_o", "wr_lane_o"}, {"wr_data_o", "wr_data_o"},
              {"wr_ready_i", "wr_ready_i"}};
  if (posit) {
    // The read-out's high byte is zero for posit8.
    for (int j = 0; j < na && cw < golden::kOperandBits; ++j) {
      m.net(fmt::format("res{}_unused", j), golden::kOperandBits - cw);
      m.assign(fmt::format("res{}_unused", j), fmt::format("res{}[{}:{}]", j, golden::kOperandBits - 1, cw));
    }
    if (p8) rq_conns.push_back({"posit_i", fmt::format("fmt_i == {}'d{}", golden::kFormatCodeBits, static_cast<unsigned>(golden::Format::posit8_0))});
    if (p16) {
      rq_conns.push_back({"p16_i", fmt::format("fmt_i == {}'d{}", golden::kFormatCodeBits, static_cast<unsigned>(golden::Format::posit16_1))});
      rq_conns.push_back({"wr_wide_o", "wr_wide_o"});
    }
    if (f4) rq_conns.push_back({"f4_i", fmt::format("fmt_i == {}'d{}", golden::kFormatCodeBits, static_cast<unsigned>(golden::Format::fp4))});
    if (p4) rq_conns.push_back({"p4_i", fmt::format("fmt_i == {}'d{}", golden::kFormatCodeBits, static_cast<unsigned>(golden::Format::posit4_1))});
    if (n4) {
      rq_conns.push_back({"wr_nib_o", "wr_nib_o"});
      rq_conns.push_back({"wr_nsel_o", "wr_nsel_o"});
    }
    rq_conns.push_back({"raw_i", "readout_i"});
    rq_conns.push_back({"code_i", "f_code"});
  }
  m.instance(rq, "u_rq", rq_conns);
  return d.add(std::move(m));
}


std::string field(const std::string& name) {
  const nn::Field& f = nn::descriptor_field(name);
  const std::string bits = f.width == 32 ? fmt::format("d_w{}_q", f.word) : fmt::format("d_w{}_q[{}:{}]", f.word, f.lsb + f.width - 1, f.lsb);
  return f.is_signed ? "$signed(" + bits + ")" : bits;
}

// The engine: host ports, register block, memories, sequencer, PEs.
class NnBuilder {
 public:
  NnBuilder(const SocConfig& c, ir::Design& d) : c_(c), n_(*c.nn), d_(d) {}

  std::string build() {
    pe_ = pe(c_, d_);
    m_.name = c_.name + "_nn";
    m_.description = fmt::format("Network engine: {} PE(s) x {} AU(s), {}-word activation, {}-word weight (per AU), {}-word control memory.", n_.pes,
                                 n_.aus_per_pe, n_.act_words, n_.weight_words, n_.ctrl_words);
    aw_ = log2i(n_.act_words);
    ww_ = log2i(n_.weight_words);
    cw_ = log2i(n_.ctrl_words);
    g_ = n_.channels();
    ab_ = std::max(1, static_cast<int>(std::bit_width(static_cast<unsigned>(g_ - 1))));
    cb_ = n_.counter_bits;
    const unsigned per_beat = static_cast<unsigned>(nn::kLanes * g_);
    macs_w_ = std::has_single_bit(per_beat) ? cb_ - std::countr_zero(per_beat) : cb_;
    // A list has at most ctrl_words / 16 descriptors before it runs off the control memory.
    lw_ = static_cast<int>(std::bit_width(static_cast<unsigned>(n_.ctrl_words / nn::kDescriptorWords)));
    posit_ = nn::layer_formats(c_).size() > 1;
    p16_ = runs(c_, golden::Format::posit16_1);
    f4_ = runs(c_, golden::Format::fp4);
    n4_ = f4_ || runs(c_, golden::Format::posit4_1);
    using golden::nn::LayerKind;
    add_ = nn_has_op(c_, LayerKind::add);
    dw_ = nn_has_op(c_, LayerKind::depthwise_conv1d);
    maxp_ = nn_has_op(c_, LayerKind::max_pool);
    avgp_ = nn_has_op(c_, LayerKind::avg_pool) || nn_has_op(c_, LayerKind::global_avg_pool);
    pool_ = maxp_ || avgp_;
    gelu_ = nn_has_op(c_, LayerKind::gelu);
    if (gelu_) gelu_unit_ = generate_gelu(c_, d_);
    namespace sm = golden::softmax;
    sm_ = nn_has_op(c_, LayerKind::softmax) && std::count(c_.softmax->in_types.begin(), c_.softmax->in_types.end(), sm::InType::int8) &&
          std::count(c_.softmax->out_types.begin(), c_.softmax->out_types.end(), sm::OutType::int8);
    if (sm_) sm_unit_ = generate_softmax(c_, d_);
    unit_ = gelu_ || sm_;
    ports();
    registers();
    host_port();
    memories();
    sequencer();
    pes();
    if (pool_) pool_unit();
    if (unit_) unit_stream();
    write_back();
    return d_.add(std::move(m_));
  }

 private:
  void ports() {
    m_.port(Dir::in, "clk_i")
        .port(Dir::in, "rst_ni", 1, false, "synchronous, active low")
        .port(Dir::in, "reg_valid_i", 1, false, "register access")
        .port(Dir::in, "reg_we_i")
        .port(Dir::in, "reg_addr_i", 4, false, "register index (docs/blocks/nn.md)")
        .port(Dir::in, "reg_wdata_i", 32)
        .port(Dir::out, "reg_rdata_o", 32, false, "read data, the cycle after the access")
        .port(Dir::in, "mem_valid_i", 1, false, "host memory access (while not busy)")
        .port(Dir::in, "mem_we_i")
        .port(Dir::in, "mem_addr_i", 32, false, "word address: region in [31:28]")
        .port(Dir::in, "mem_wdata_i", 32)
        .port(Dir::out, "mem_rdata_o", 32, false, "read data, the cycle after the access")
        .port(Dir::out, "irq_o", 1, false, "STATUS.DONE and CTRL.IRQ_EN");
  }

  void registers() {
    m_.net("state_q", 4, false, "sequencer state").net("busy").net("done_q").net("irq_en_q").net("err_q", 8);
    // The performance counters, nn.counter_bits wide (they wrap); MACS
    // counts beats when lanes x AUs is a power of two (its low bits are 0),
    // and LAYERS needs only the bits of the most descriptors the control
    // memory holds.
    m_.net("desc_base_q", 32).net("cycles_q", cb_).net("macs_q", macs_w_).net("stalls_q", cb_).net("layers_q", lw_);
    m_.net("reg_rdata_q", 32).net("start").net("error").net("error_code", 8);
    m_.assign("busy", "state_q != 4'd0");
    m_.assign("start", fmt::format("reg_valid_i && reg_we_i && reg_addr_i == 4'd{} && reg_wdata_i[0] && !busy", nn::register_index("CTRL")));
    m_.assign("irq_o", "done_q & irq_en_q");
    std::vector<std::pair<std::string, std::vector<Stmt>>> rd;
    auto idx = [](const std::string& r) { return fmt::format("4'd{}", nn::register_index(r)); };
    rd.push_back({idx("CTRL"), {assign("reg_rdata_q", "{30'd0, irq_en_q, 1'b0}")}});
    rd.push_back({idx("STATUS"), {assign("reg_rdata_q", "{16'd0, err_q, 6'd0, done_q, busy}")}});
    rd.push_back({idx("DESC_BASE"), {assign("reg_rdata_q", "desc_base_q")}});
    auto to32 = [](const std::string& r, int w, int low_zeros = 0) {
      std::vector<std::string> parts;
      if (w + low_zeros < 32) parts.push_back(fmt::format("{}'d0", 32 - w - low_zeros));
      parts.push_back(r);
      if (low_zeros > 0) parts.push_back(fmt::format("{}'d0", low_zeros));
      return parts.size() == 1 ? r : fmt::format("{{{}}}", fmt::join(parts, ", "));
    };
    rd.push_back({idx("CYCLES"), {assign("reg_rdata_q", to32("cycles_q", cb_))}});
    rd.push_back({idx("MACS"), {assign("reg_rdata_q", to32("macs_q", macs_w_, cb_ - macs_w_))}});
    rd.push_back({idx("STALLS"), {assign("reg_rdata_q", to32("stalls_q", cb_))}});
    rd.push_back({idx("LAYERS"), {assign("reg_rdata_q", to32("layers_q", lw_))}});
    // The descriptor pointer stays where a run stopped: at the descriptor with the error.
    rd.push_back({idx("ERR_DESC"), {assign("reg_rdata_q", "desc_ptr_q")}});
    rd.push_back({idx("HWINFO"), {assign("reg_rdata_q", fmt::format("{{8'd{}, 8'd{}, 8'd{}, 8'd{}}}", nn::kInterfaceVersion, nn::kLanes, n_.aus_per_pe, n_.pes))}});
    rd.push_back({"default", {assign("reg_rdata_q", "32'd0")}});
    m_.comment("Register block.");
    m_.ff({if_else("!rst_ni",
                   {assign("irq_en_q", "1'b0"), assign("desc_base_q", "32'd0"), assign("reg_rdata_q", "32'd0")},
                   {if_else("reg_valid_i && reg_we_i",
                            {if_else(fmt::format("reg_addr_i == {}", idx("CTRL")), {assign("irq_en_q", "reg_wdata_i[1]")}),
                             if_else(fmt::format("reg_addr_i == {}", idx("DESC_BASE")), {assign("desc_base_q", "reg_wdata_i")})}),
                    if_else("reg_valid_i && !reg_we_i", {ir::case_of("reg_addr_i", rd)})})});
    m_.assign("reg_rdata_o", "reg_rdata_q");
  }

  void host_port() {
    m_.net("region", 4).net("offset", 28).net("host_rd").net("host_wr").net("rd_region_q", 4).net("rd_au_q", ab_).net("host_au", ab_);
    m_.assign("region", "mem_addr_i[31:28]");
    m_.assign("offset", "mem_addr_i[27:0]");
    m_.assign("host_rd", "mem_valid_i && !mem_we_i && !busy");
    m_.assign("host_wr", "mem_valid_i && mem_we_i && !busy");
    // The AU of a weight address (host_w bounds it below g_).
    m_.assign("host_au", fmt::format("offset[{}:{}]", ww_ + ab_ - 1, ww_));
    m_.net("host_ctrl").net("host_act").net("host_w");
    m_.assign("host_ctrl", fmt::format("region == 4'd0 && !{}", at_least_pow2("offset", 28, cw_)));
    m_.assign("host_act", fmt::format("region == 4'd1 && !{}", at_least_pow2("offset", 28, aw_)));
    const long long host_words = static_cast<long long>(g_) * n_.weight_words;
    m_.assign("host_w", std::has_single_bit(static_cast<unsigned long long>(host_words))
                            ? fmt::format("region == 4'd2 && !{}", at_least_pow2("offset", 28, std::countr_zero(static_cast<unsigned long long>(host_words))))
                            : fmt::format("region == 4'd2 && offset < 28'd{}", host_words));
    m_.ff({if_else("host_rd",
                   {assign("rd_region_q", "(host_ctrl || host_act || host_w) ? region : 4'd15"), assign("rd_au_q", "host_au")},
                   {assign("rd_region_q", "4'd15")})});
    std::vector<Stmt> mux{assign("mem_rdata_o", "32'd0")};
    mux.push_back(if_else("rd_region_q == 4'd0", {assign("mem_rdata_o", "ctrl_rdata")}));
    mux.push_back(if_else("rd_region_q == 4'd1", {assign("mem_rdata_o", "{16'd0, act_hi_rdata, act_lo_rdata}")}));
    for (int a = 0; a < g_; ++a) {
      const int p = a / n_.aus_per_pe, j = a % n_.aus_per_pe;
      mux.push_back(if_else(fmt::format("rd_region_q == 4'd2 && rd_au_q == {}'d{}", ab_, a),
                            {assign("mem_rdata_o", fmt::format("{{16'd0, pe{}_w_rdata[{}:{}]}}", p, 16 * j + 15, 16 * j))}));
    }
    m_.comment("Host read data: the memory read the cycle before.");
    m_.comb(mux);
  }

  void memories() {
    // With 4-bit layers each byte lane is two nibble memories, so that a
    // 4-bit read-out writes its nibble alone (the same block RAM bits).
    const std::string act_ram = ram(c_, d_, n4_ ? 4 : 8, n_.act_words);
    const std::string ctrl_ram = ram(c_, d_, 32, n_.ctrl_words);
    m_.net("ctrl_rdata", 32).net("ctrl_re").net("ctrl_raddr", cw_).net("seq_ctrl_re").net("seq_ctrl_addr", cw_);
    m_.assign("ctrl_re", "busy ? seq_ctrl_re : (host_rd && host_ctrl)");
    m_.assign("ctrl_raddr", fmt::format("busy ? seq_ctrl_addr : offset[{0}:0]", cw_ - 1));
    m_.comment("Control memory: descriptors and per-channel parameters; written by the host.");
    m_.instance(ctrl_ram, "u_ctrl_mem",
                {{"clk_i", "clk_i"}, {"we_i", "host_wr && host_ctrl"}, {"waddr_i", fmt::format("offset[{}:0]", cw_ - 1)}, {"wdata_i", "mem_wdata_i"},
                 {"re_i", "ctrl_re"}, {"raddr_i", "ctrl_raddr"}, {"rdata_o", "ctrl_rdata"}});
    m_.net("act_lo_rdata", 8).net("act_hi_rdata", 8).net("act_re").net("act_raddr", aw_).net("act_lo_we").net("act_hi_we");
    m_.net("act_waddr", aw_).net("act_lo_wdata", 8).net("act_hi_wdata", 8);
    m_.net("wb_we").net("wb_addr", nn::kWriteAddrBits).net("wb_lane").net("wb_data", p16_ ? 16 : 8);
    if (p16_) m_.net("wb_wide", 1, false, "a posit16 word: both lanes");
    if (n4_) m_.net("wb_nib", 1, false, "a 4-bit read-out: only nibble wb_nsel of lane wb_lane").net("wb_nsel");
    // The sequencer's reads: the beats', the add's and the unit stream's.
    std::string seq_re = "seq_issue", seq_raddr = fmt::format("act_addr[{}:0]", aw_ - 1);
    if (add_) {
      seq_re += " || add_rd";
      seq_raddr = fmt::format("add_rd ? add_raddr[{}:0] : {}", aw_ - 1, seq_raddr);
    }
    if (unit_) {
      seq_re += " || u_issue";
      seq_raddr = fmt::format("u_issue ? u_raddr[{}:0] : {}", aw_ - 1, seq_raddr);
    }
    m_.assign("act_re", fmt::format("busy ? ({}) : (host_rd && host_act)", seq_re));
    m_.assign("act_raddr", fmt::format("!busy ? offset[{}:0] : {}", aw_ - 1, seq_raddr));
    if (pool_) {
      m_.net("pw_we");
      m_.assign("pw_we", "pw_valid_q && !pw_err");
    }
    const std::string or_pw = pool_ ? " || pw_we" : "";
    // Byte writes: the requantizers' (wb_*) and, with a unit, its stream's (uw_*), which never overlap.
    const std::string wb_lane = unit_ ? "(uw_we ? uw_lane : wb_lane)" : "wb_lane";
    const std::string wb_we = unit_ ? "(wb_we || uw_we)" : "wb_we";
    // A posit16 word (wb_wide) writes both lanes.
    const std::string lo_lane = p16_ ? fmt::format("(!{} || wb_wide)", wb_lane) : "!" + wb_lane, hi_lane = p16_ ? fmt::format("({} || wb_wide)", wb_lane) : wb_lane;
    m_.assign("act_lo_we", fmt::format("busy ? (({} && {}){}) : (host_wr && host_act)", wb_we, lo_lane, or_pw));
    m_.assign("act_hi_we", fmt::format("busy ? (({} && {}){}) : (host_wr && host_act)", wb_we, hi_lane, or_pw));
    const std::string wb_addr = unit_ ? fmt::format("uw_we ? uw_addr[{0}:0] : wb_addr[{0}:0]", aw_ - 1) : fmt::format("wb_addr[{}:0]", aw_ - 1);
    const std::string wb_byte = p16_ ? "wb_data[7:0]" : "wb_data";
    const std::string wb_data = unit_ ? fmt::format("(uw_we ? uw_data : {})", wb_byte) : wb_byte;
    const std::string wb_hi = p16_ ? fmt::format("(wb_wide ? wb_data[15:8] : {})", wb_data) : wb_data;
    const std::string pw_addr = pool_ ? fmt::format("pw_valid_q ? pw_addr_q[{}:0] : ", aw_ - 1) : "";
    m_.assign("act_waddr", fmt::format("!busy ? offset[{}:0] : {}{}", aw_ - 1, pw_addr, wb_addr));
    m_.assign("act_lo_wdata", fmt::format("!busy ? mem_wdata_i[7:0] : {}{}", pool_ ? "pw_valid_q ? pw_lo_q : " : "", wb_data));
    m_.assign("act_hi_wdata", fmt::format("!busy ? mem_wdata_i[15:8] : {}{}", pool_ ? "pw_valid_q ? pw_hi_q : " : "", wb_hi));
    if (!n4_) {
      m_.comment("Activation memory: two byte lanes (channels 2i and 2i+1 of a word), one read and one write port.");
      for (const char* lane : {"lo", "hi"})
        m_.instance(act_ram, fmt::format("u_act_{}", lane),
                    {{"clk_i", "clk_i"}, {"we_i", fmt::format("act_{}_we", lane)}, {"waddr_i", "act_waddr"}, {"wdata_i", fmt::format("act_{}_wdata", lane)},
                     {"re_i", "act_re"}, {"raddr_i", "act_raddr"}, {"rdata_o", fmt::format("act_{}_rdata", lane)}});
    } else {
      m_.comment("Activation memory: two byte lanes of two nibbles each (4-bit channels 4i..4i+3 of a word), one read and one write port; a 4-bit read-out writes one nibble.");
      m_.net("act_nib_w", 1, false, "the write is a 4-bit read-out's nibble");
      m_.assign("act_nib_w", "busy && wb_we && wb_nib");
      for (const char* lane : {"lo", "hi"})
        for (int h = 0; h < 2; ++h) {
          m_.instance(act_ram, fmt::format("u_act_{}{}", lane, h),
                      {{"clk_i", "clk_i"}, {"we_i", fmt::format("act_{}_we && !(act_nib_w && {}wb_nsel)", lane, h == 0 ? "" : "!")}, {"waddr_i", "act_waddr"},
                       {"wdata_i", fmt::format("act_{}_wdata[{}:{}]", lane, 4 * h + 3, 4 * h)}, {"re_i", "act_re"}, {"raddr_i", "act_raddr"},
                       {"rdata_o", fmt::format("act_{}_rdata[{}:{}]", lane, 4 * h + 3, 4 * h)}});
        }
    }
  }

  // States of the sequencer.
  static constexpr int kIdle = 0, kFetch = 1, kDecode = 2, kGroup = 3, kParam = 4, kRun = 5, kDrain = 6, kNext = 7, kPool = 8, kAdd = 9, kUnit = 10;
  static std::string st(int s) { return fmt::format("4'd{}", s); }

  void sequencer() {
    const int rw = nn::kRowAddrBits, pw = nn::kPosBits;
    // A running address at or past 2^16 is outside every memory: it stops
    // growing there, so it cannot wrap back into range.
    auto grow = [&](const std::string& r, const std::string& inc) {
      return fmt::format("(!{0}[{1}] && (|{0}[{2}:16])) ? {0} : {0} + $signed({{{3}'d0, {4}}})", r, pw - 1, pw - 2, pw - 16, field(inc));
    };
    auto grow_row = [&](const std::string& r, const std::string& inc) { return fmt::format("{0}[{1}] ? {0} : {0} + {{1'b0, {2}}}", r, rw - 1, field(inc)); };
    // Decode checks in_start's range, so its low bits are the address.
    const std::string in_start = fmt::format("d_w{}_q[{}:0]", nn::descriptor_field("in_start").word, pw - 1);
    const std::string neg_pad = fmt::format("-$signed({{{}'d0, {}}})", pw - 16, field("pad_left"));
    // Each descriptor word keeps only the bits of the fields used during
    // the layer: w_base and param_base go straight into the running
    // addresses (w_gbase_q, p_ptr_q) as they arrive, and of in_start only
    // the address bits stay, its range checked on arrival (in_start_bad_q).
    const nn::Field& is_f = nn::descriptor_field("in_start");
    const nn::Field& wb_f = nn::descriptor_field("w_base");
    const nn::Field& pb_f = nn::descriptor_field("param_base");
    // groups is not kept either: it loads the count of groups left (g_left_q).
    const nn::Field& gr_f = nn::descriptor_field("groups");
    std::vector<int> used(nn::kDescriptorWords, 0);
    for (const auto& f : nn::descriptor_fields()) {
      if (f.name == "w_base" || f.name == "param_base" || f.name == "groups" || (!posit_ && (f.name == "bias_act" || f.name == "in_odd")) || (!n4_ && f.name == "in_tail") ||
          (!dw_ && f.name == "grp_pairs"))
        continue;
      if ((add_ || f.name != "in2_base") && (unit_ || f.name != "unit_ch") && (sm_ || f.name.rfind("sm_", 0) != 0))  // in2_base: the add only; unit_ch: the unit stream; sm_*: the softmax
        used[static_cast<std::size_t>(f.word)] = std::max(used[static_cast<std::size_t>(f.word)], f.lsb + (f.name == "in_start" ? pw : f.width));
    }
    static_assert(nn::kInStartMin == -(std::int64_t{1} << 18));
    if (is_f.lsb != 0 || is_f.width != 32) throw std::logic_error("in_start must be a whole descriptor word");
    // Int8 layers need no bias beat (the requantizer adds the bias): an
    // engine without other layer formats has none, and a descriptor that
    // asks for one (bias_act != 0) stops it with bad_format.
    const nn::Field& ba_f = nn::descriptor_field("bias_act");
    // Without depthwise layers every group reads all channel pairs:
    // grp_pairs != 0 (grp_split_q) stops the engine with bad_op.
    const nn::Field& gp_f = nn::descriptor_field("grp_pairs");
    if (!dw_) m_.net("grp_split_q", 1, false, "grp_pairs != 0: a depthwise layer, which this engine lacks");
    for (int w = 0; w < nn::kDescriptorWords; ++w)
      if (used[static_cast<std::size_t>(w)] > 0) m_.net(fmt::format("d_w{}_q", w), used[static_cast<std::size_t>(w)]);
    m_.net("in_start_bad_q", 1, false, "in_start outside [-2^18, 2^16)");
    m_.net("desc_ptr_q", 32).net("fetch_q", 5).net("g_left_q", 16, false, "channel groups left, this one included").net("chan_base_q", 16).net("w_gbase_q", rw);
    m_.net("p_ptr_q", rw).net("pi_j_q", ab_).net("pi_f_q", 2).net("pi_done_q").net("pa_valid_q").net("pa_j_q", ab_).net("pa_f_q", 2);
    m_.net("o_q", 16).net("k_q", 16).net("cp_q", 16).net("l_q", pw, true).net("pos_l_q", pw, true).net("tap_addr_q", pw, true).net("pos_addr_q", pw, true);
    // The dot product's beats: it stops the engine when it reaches au.max_accumulations.
    const int dpw = static_cast<int>(std::bit_width(static_cast<unsigned>(c_.au.max_accumulations)));
    const std::string dp0 = fmt::format("{}'d0", dpw);
    // cap_addr_q: the output position's word address, of the dot products
    // last captured (multiply-accumulate layers: the PEs read it until the
    // next capture) or of the word pooled (pools).
    m_.net("w_addr_q", rw).net("dp_q", dpw).net("cap_o_q", 16).net("cap_addr_q", rw);
    m_.net("b_valid_q").net("b_pad_q").net("b_last_q").net("bb_q", 1, false, "the bias beat is next").net("b_bias_q").net("has_bias");
    if (posit_) m_.net("b_hi_zero_q");
    if (n4_) m_.net("b_tail_q", 2, false, "4-bit lanes from this one up read 0 (0: none)");
    if (posit_) {
      m_.assign("has_bias", field("bias_act") + " != 16'd0");
    } else {
      m_.net("bias_bad_q", 1, false, "bias_act != 0: a bias beat, which int8 layers do not use");
      m_.assign("has_bias", "1'b0");
    }
    m_.net("issuing").net("advance").net("seq_issue").net("act_addr", pw, true).net("chan_pair", 16).net("pad").net("last_cp").net("last_k");
    // The loop counters' increments, which the last-iteration tests share.
    m_.net("cp_inc", 16).net("k_inc", 16);
    m_.assign("cp_inc", "cp_q + 16'd1");
    m_.assign("k_inc", "k_q + 16'd1");
    m_.net("in_err").net("w_err").net("dp_err").net("beat_ready").net("cap").net("cap_ready").net("res_valid").net("drained");
    m_.net("wb_err").net("pp_idle", 1, false, "every requantizer idle");
    m_.comment("Stage A: the next beat's addresses; stage B (b_*_q): the beat, with the memory data.");
    // Beats of a multiply-accumulate layer (not a pool's).
    const std::string mac_beat = pool_ ? " && !is_pool" : "";
    if (pool_) {
      m_.net("is_pool").net("pf_busy_q", 1, false, "a pooled word is being finished").net("pw_err").net("pb_valid_q");
      m_.assign("is_pool", fmt::format("state_q == {}", st(kPool)));
    }
    m_.assign("issuing", fmt::format("(state_q == {}{}) && o_q != {}", st(kRun), pool_ ? " || (is_pool && !pf_busy_q)" : "", field("out_len")));
    m_.assign("advance", "!b_valid_q || beat_ready");
    m_.assign("seq_issue", "issuing && advance");
    if (dw_) {
      m_.net("cp_base_q", 16, false, "first channel pair of the group");
      m_.assign("chan_pair", "cp_base_q + cp_q");
    } else {
      m_.assign("chan_pair", "cp_q");
    }
    m_.assign("act_addr", fmt::format("tap_addr_q + $signed({{{}'d0, chan_pair}})", pw - 16));
    m_.assign("pad", fmt::format("l_q < {0}'sd0 || l_q >= $signed({{{1}'d0, {2}}}) || chan_pair >= {3}", pw, pw - 16, field("in_len"), field("in_row")));
    m_.assign("last_cp", fmt::format("cp_inc == {}", field("in_pairs")));
    m_.assign("last_k", fmt::format("k_inc == {}", field("kernel")));
    m_.assign("in_err", fmt::format("seq_issue && !pad && !bb_q && {}", at_least_pow2("act_addr", pw, aw_)));  // negative or past the end
    m_.assign("w_err", fmt::format("seq_issue{} && {}", mac_beat, at_least_pow2("w_addr_q", rw, ww_)));
    m_.assign("dp_err", fmt::format("seq_issue{} && dp_q == {}'d{}", mac_beat, dpw, c_.au.max_accumulations));
    m_.assign("cap", "res_valid && cap_ready");
    m_.assign("drained", fmt::format("cap_o_q == {} && pp_idle && !b_valid_q && !res_valid", field("out_len")));

    // Error detection, in priority order.
    std::vector<Stmt> err{assign("error", "1'b0"), assign("error_code", "8'd0")};
    auto raise = [&](const std::string& cond, nn::Error e) {
      err.push_back(if_else(cond + " && !error", {assign("error", "1'b1"), assign("error_code", fmt::format("8'd{}", static_cast<unsigned>(e)))}));
    };
    // desc_ptr_q > ctrl_words - 16 (a power of two less 16), as bit tests rather than a comparator.
    static_assert(nn::kDescriptorWords == 16);
    raise(fmt::format("state_q == {} && fetch_q == 5'd0 && ({} || ((&desc_ptr_q[{}:4]) && (|desc_ptr_q[3:0])))", st(kFetch), at_least_pow2("desc_ptr_q", 32, cw_),
                      cw_ - 1),
          nn::Error::ctrl_range);
    // The opcodes the engine runs; without depthwise layers also a
    // multiply-accumulate layer whose groups read apart (grp_pairs != 0).
    std::vector<std::string> ops{fmt::format("{} == 4'd{}", field("op"), static_cast<unsigned>(nn::Op::end)),
                                 fmt::format("({} == 4'd{}{})", field("op"), static_cast<unsigned>(nn::Op::mac), dw_ ? "" : " && !grp_split_q")};
    if (maxp_) ops.push_back(fmt::format("{} == 4'd{}", field("op"), static_cast<unsigned>(nn::Op::max_pool)));
    if (avgp_) ops.push_back(fmt::format("{} == 4'd{}", field("op"), static_cast<unsigned>(nn::Op::avg_pool)));
    if (add_) ops.push_back(fmt::format("{} == 4'd{}", field("op"), static_cast<unsigned>(nn::Op::add)));
    if (gelu_) ops.push_back(fmt::format("{} == 4'd{}", field("op"), static_cast<unsigned>(nn::Op::gelu)));
    if (sm_) ops.push_back(fmt::format("{} == 4'd{}", field("op"), static_cast<unsigned>(nn::Op::softmax)));
    raise(fmt::format("state_q == {} && !({})", st(kDecode), fmt::join(ops, " || ")), nn::Error::bad_op);
    std::vector<std::string> fmt_ok;
    for (golden::Format f : nn::layer_formats(c_)) fmt_ok.push_back(fmt::format("{} == {}'d{}", field("fmt"), golden::kFormatCodeBits, static_cast<unsigned>(f)));
    std::vector<std::string> readout_fmts;  // the posit formats: a read-out of the layer's format
    for (golden::Format f : nn::layer_formats(c_))
      if (f != golden::Format::int8) readout_fmts.push_back(fmt::format("{} == {}'d{}", field("fmt"), golden::kFormatCodeBits, static_cast<unsigned>(f)));
    const std::string readout_ok = posit_ ? fmt::format("{}", fmt::join(readout_fmts, " || ")) : "1'b0";
    // add and gelu take int8 and no read-out.
    std::string add_bad;
    for (const auto& [on, op] : {std::pair{add_, nn::Op::add}, std::pair{gelu_, nn::Op::gelu}, std::pair{sm_, nn::Op::softmax}})
      if (on)
        add_bad += fmt::format(" || ({} == 4'd{} && ({} != {}'d{} || {}))", field("op"), static_cast<unsigned>(op), field("fmt"), golden::kFormatCodeBits,
                               static_cast<unsigned>(golden::Format::int8), field("readout"));
    if (!posit_) add_bad += fmt::format(" || ({} == 4'd1 && bias_bad_q)", field("op"));
    raise(fmt::format("state_q == {} && {} != 4'd0 && (!({}) || ({} == 4'd1 && {} && !({})){})", st(kDecode), field("op"), fmt::join(fmt_ok, " || "),
                      field("op"), field("readout"), readout_ok, add_bad),
          nn::Error::bad_format);
    if (add_) raise(fmt::format("state_q == {} && {} == 4'd4 && {} == 16'd0", st(kDecode), field("op"), field("out_len")), nn::Error::bad_shape);
    if (gelu_)
      raise(fmt::format("state_q == {} && {} == 4'd{} && ({} == 16'd0 || {} == 16'd0)", st(kDecode), field("op"), static_cast<unsigned>(nn::Op::gelu),
                        field("in_len"), field("unit_ch")),
            nn::Error::bad_shape);
    if (sm_) {
      // A vector longer than the unit's buffer, or an algorithm it lacks.
      raise(fmt::format("state_q == {} && {} == 4'd{} && ({} == 16'd0 || {} == 16'd0 || {} > 16'd{})", st(kDecode), field("op"),
                        static_cast<unsigned>(nn::Op::softmax), field("in_len"), field("unit_ch"), field("unit_ch"), c_.softmax->max_length),
            nn::Error::bad_shape);
      std::vector<std::string> algs;
      for (auto a : c_.softmax->algorithms) algs.push_back(fmt::format("{} == 2'd{}", field("sm_alg"), static_cast<unsigned>(a)));
      raise(fmt::format("state_q == {} && {} == 4'd{} && !({})", st(kDecode), field("op"), static_cast<unsigned>(nn::Op::softmax), fmt::join(algs, " || ")),
            nn::Error::bad_format);
    }
    if (pool_) {
      std::vector<std::string> pools;
      if (maxp_) pools.push_back(fmt::format("{} == 4'd{}", field("op"), static_cast<unsigned>(nn::Op::max_pool)));
      if (avgp_) pools.push_back(fmt::format("{} == 4'd{}", field("op"), static_cast<unsigned>(nn::Op::avg_pool)));
      raise(fmt::format("state_q == {} && ({}) && ({} == 16'd0 || {} == 16'd0 || {} == 16'd0)", st(kDecode), fmt::join(pools, " || "),
                        field("kernel"), field("in_pairs"), field("out_len")),
            nn::Error::bad_shape);
    }
    raise(fmt::format("state_q == {} && {} == 4'd1 && ({} == 16'd0 || {} == 16'd0 || {} == 16'd0 || {} == 16'd0 || {} == 16'd0)", st(kDecode), field("op"),
                      field("kernel"), field("in_pairs"), field("out_len"), "g_left_q", field("grp_channels")),
          nn::Error::bad_shape);
    raise(fmt::format("state_q == {} && {} != 4'd0 && in_start_bad_q", st(kDecode), field("op")), nn::Error::input_range);
    raise(fmt::format("state_q == {} && !pi_done_q && {}", st(kParam), at_least_pow2("p_ptr_q", rw, cw_)), nn::Error::ctrl_range);
    raise(std::string("in_err") + (add_ ? " || add_in_err" : "") + (unit_ ? " || u_in_err" : ""), nn::Error::input_range);
    if (add_) raise("add_tab_err", nn::Error::ctrl_range);
    if (gelu_) raise("u_tab_err", nn::Error::ctrl_range);
    raise("w_err", nn::Error::weight_range);
    raise("dp_err", nn::Error::bad_shape);
    raise(std::string("wb_err") + (pool_ ? " || pw_err" : "") + (unit_ ? " || uw_err" : ""), nn::Error::output_range);
    m_.comb(err);

    m_.assign("seq_ctrl_re", fmt::format("(state_q == {} && fetch_q < 5'd{}) || (state_q == {} && !pi_done_q){}{}", st(kFetch), nn::kDescriptorWords,
                                         st(kParam), add_ ? " || add_tab_re" : "", gelu_ ? " || u_tab_re" : ""));
    m_.net("seq_ctrl_addr_unused", 32 - cw_);
    std::string param_addr = "p_ptr_q";
    if (gelu_) param_addr = "u_tab_re ? u_ptr_q : " + param_addr;
    if (add_) param_addr = "add_tab_re ? add_tab_addr : " + param_addr;
    m_.assign("{seq_ctrl_addr_unused, seq_ctrl_addr}",
              fmt::format("state_q == {} ? desc_ptr_q + {{27'd0, fetch_q}} : {{{}'d0, {}}}", st(kFetch), 32 - rw, param_addr));

    // Descriptor fetch: word fetch_q - 1 arrives while word fetch_q is read.
    std::vector<Stmt> fetch{assign("fetch_q", "fetch_q + 5'd1")};
    auto word_bits = [](const nn::Field& f) { return fmt::format("ctrl_rdata[{}:{}]", f.lsb + f.width - 1, f.lsb); };
    for (int w = 0; w < nn::kDescriptorWords; ++w) {
      const int bits = used[static_cast<std::size_t>(w)];
      std::vector<Stmt> take;
      if (bits > 0) take.push_back(assign(fmt::format("d_w{}_q", w), bits == 32 ? "ctrl_rdata" : fmt::format("ctrl_rdata[{}:0]", bits - 1)));
      if (!dw_ && w == gp_f.word) take.push_back(assign("grp_split_q", fmt::format("{} != {}'d0", word_bits(gp_f), gp_f.width)));
      if (!posit_ && w == ba_f.word) take.push_back(assign("bias_bad_q", fmt::format("{} != {}'d0", word_bits(ba_f), ba_f.width)));
      if (w == is_f.word) take.push_back(assign("in_start_bad_q", "!((&ctrl_rdata[31:18]) || ctrl_rdata[31:16] == 16'd0)"));
      if (w == wb_f.word) take.push_back(assign("w_gbase_q", fmt::format("{{1'b0, {}}}", word_bits(wb_f))));
      if (w == pb_f.word) take.push_back(assign("p_ptr_q", fmt::format("{{1'b0, {}}}", word_bits(pb_f))));
      if (w == gr_f.word) take.push_back(assign("g_left_q", word_bits(gr_f)));
      if (!take.empty()) fetch.push_back(if_else(fmt::format("fetch_q == 5'd{}", w + 1), take));
    }
    fetch.push_back(if_else(fmt::format("fetch_q == 5'd{}", nn::kDescriptorWords), {assign("state_q", st(kDecode))}));

    std::vector<Stmt> start_layer;
    if (pool_)  // bad_op has stopped an op the engine lacks
      start_layer.push_back(if_else(fmt::format("{} == 4'd2 || {} == 4'd3", field("op"), field("op")),
                {assign("o_q", "16'd0"), assign("k_q", "16'd0"), assign("cp_q", "16'd0"), assign("l_q", neg_pad), assign("pos_l_q", neg_pad),
                 assign("tap_addr_q", in_start), assign("pos_addr_q", in_start), assign("cap_addr_q", "{1'b0, " + field("out_base") + "}"),
                 assign("state_q", st(kPool))}));
    start_layer.push_back(assign("chan_base_q", "16'd0"));
    if (dw_) start_layer.push_back(assign("cp_base_q", "16'd0"));
    start_layer.push_back(
        if_else(add_ ? fmt::format("{} == 4'd1 || {} == 4'd4", field("op"), field("op")) : fmt::format("{} == 4'd1", field("op")),
                {assign("state_q", st(kGroup))}));
    if (unit_) start_layer.push_back(if_else(unit_op(), {assign("state_q", st(kUnit))}));
    const std::vector<Stmt> decode{
        if_else(fmt::format("{} == 4'd0", field("op")), {assign("state_q", st(kIdle)), assign("done_q", "1'b1")}, start_layer)};
    const std::vector<Stmt> group{
        assign("o_q", "16'd0"), assign("k_q", "16'd0"), assign("cp_q", "16'd0"), assign("l_q", neg_pad),
        assign("pos_l_q", neg_pad), assign("tap_addr_q", in_start), assign("pos_addr_q", in_start),
        assign("w_addr_q", "w_gbase_q"), assign("dp_q", dp0), assign("bb_q", "1'b0"), assign("cap_o_q", "16'd0"),
        assign("pi_j_q", fmt::format("{}'d0", ab_)), assign("pi_f_q", "2'd0"), assign("pi_done_q", "1'b0"), assign("state_q", st(kParam))};
    // Parameters: kParamWords words per channel, read in order; pa_* is
    // the word arriving this cycle.
    const std::vector<Stmt> param{
        if_else("!pi_done_q",
                {assign("p_ptr_q", fmt::format("p_ptr_q + {}'d1", rw)),
                 if_else("pi_f_q == 2'd2",
                         {assign("pi_f_q", "2'd0"), assign("pi_j_q", fmt::format("pi_j_q + {}'d1", ab_)),
                          if_else(fmt::format("pi_j_q == {}'d{}", ab_, g_ - 1), {assign("pi_done_q", "1'b1")})},
                         {assign("pi_f_q", "pi_f_q + 2'd1")})},
                {if_else("!pa_valid_q", add_ ? std::vector<Stmt>{assign("state_q", fmt::format("{} == 4'd4 ? {} : {}", field("op"), st(kAdd), st(kRun))),
                                                                 assign("as_q", "3'd0"), assign("add_i_q", "16'd0")}
                                             : std::vector<Stmt>{assign("state_q", st(kRun))})})};
    // After the last tap: the bias beat (when bias_act is set), then the
    // next output position.
    const std::vector<Stmt> next_pos{assign("cp_q", "16'd0"), assign("k_q", "16'd0"), assign("o_q", "o_q + 16'd1"), assign("dp_q", dp0),
                                     assign("bb_q", "1'b0"), assign("pos_l_q", grow("pos_l_q", "stride")), assign("l_q", grow("pos_l_q", "stride")),
                                     assign("pos_addr_q", grow("pos_addr_q", "pos_stride")), assign("tap_addr_q", grow("pos_addr_q", "pos_stride")),
                                     assign("w_addr_q", "w_gbase_q")};
    const std::vector<Stmt> run{
        if_else("seq_issue",
                {assign("dp_q", fmt::format("dp_q + {}'d1", dpw)),
                 if_else("bb_q", next_pos,
                         {if_else("!last_cp", {assign("cp_q", "cp_inc"), assign("w_addr_q", fmt::format("w_addr_q + {}'d1", rw))},
                                  {if_else("!last_k",
                                           {assign("cp_q", "16'd0"), assign("k_q", "k_inc"), assign("l_q", grow("l_q", "dilation")),
                                            assign("tap_addr_q", grow("tap_addr_q", "tap_stride")), assign("w_addr_q", fmt::format("w_addr_q + {}'d1", rw))},
                                           {if_else("has_bias", {assign("bb_q", "1'b1"), assign("w_addr_q", fmt::format("w_addr_q + {}'d1", rw))}, next_pos)})})})}),
        if_else(fmt::format("o_q == {}", field("out_len")), {assign("state_q", st(kDrain))})};
    std::vector<Stmt> next_group{assign("g_left_q", "g_left_q - 16'd1"), assign("chan_base_q", "chan_base_q + " + field("grp_channels")),
                                 assign("w_gbase_q", grow_row("w_gbase_q", "w_group_stride")), assign("state_q", st(kGroup))};
    if (dw_) next_group.insert(next_group.begin() + 2, assign("cp_base_q", "cp_base_q + " + field("grp_pairs")));
    const std::vector<Stmt> drain{
        if_else("drained", {if_else("g_left_q == 16'd1", {assign("state_q", st(kNext))}, next_group)})};
    // Pools: taps innermost, one activation word (two channels) per tap.
    const std::vector<Stmt> pool{
        if_else("seq_issue",
                {if_else("!last_k",
                         {assign("k_q", "k_inc"), assign("l_q", grow("l_q", "dilation")),
                          assign("tap_addr_q", grow("tap_addr_q", "tap_stride"))},
                         {assign("k_q", "16'd0"),
                          if_else("!last_cp", {assign("cp_q", "cp_inc"), assign("l_q", "pos_l_q"), assign("tap_addr_q", "pos_addr_q")},
                                  {assign("cp_q", "16'd0"), assign("o_q", "o_q + 16'd1"),
                                   assign("pos_l_q", grow("pos_l_q", "stride")), assign("l_q", grow("pos_l_q", "stride")),
                                   assign("pos_addr_q", grow("pos_addr_q", "pos_stride")), assign("tap_addr_q", grow("pos_addr_q", "pos_stride")),
                                   assign("cap_addr_q", grow_row("cap_addr_q", "out_row"))})})}),
        if_else(fmt::format("o_q == {} && !pf_busy_q && !pb_valid_q", field("out_len")), {assign("state_q", st(kNext))})};
    // Add (TFLite int8 ADD), one activation word at a time: read A's word and
    // B's, then per lane look up the two inputs' rescaled values in the
    // layer's tables (control memory after the parameters: T1[a], T2[b] =
    // MultiplyByQuantizedMultiplier((x - zp) << 20, m)), and hand their sum
    // to PE 0's requantizer, which rescales it to the output (AU 0's
    // multiplier and shift), adds the zero point, clamps and writes it.
    std::vector<Stmt> add;
    if (add_) {
      m_.net("as_q", 3, false, "add step: 0-1 read A, B (their words arrive in 1-2); 3-5 per lane look up T1, T2; 6 hand over; 7 drain").net("add_i_q", 16).net("add_lane_q");
      m_.net("a_word_q", 16).net("b_word_q", 16).net("t1_q", 32, true).net("raw_q", 32, true).net("is_add");
      m_.net("add_rd").net("add_raddr", pw, true).net("add_in_err").net("add_tab_re").net("add_tab_addr", rw).net("add_tab_idx", 8).net("add_tab_err");
      m_.net("add_cap").net("add_ready").net("add_pos", rw);
      m_.assign("is_add", fmt::format("state_q == {}", st(kAdd)));
      m_.assign("add_rd", "is_add && (as_q == 3'd0 || as_q == 3'd1)");
      m_.assign("add_raddr", fmt::format("(as_q == 3'd0 ? {} : $signed({{{}'d0, {}}})) + $signed({{{}'d0, add_i_q}})", in_start, pw - 16, field("in2_base"), pw - 16));
      m_.assign("add_in_err", fmt::format("add_rd && {}", at_least_pow2("add_raddr", pw, aw_)));
      m_.assign("add_tab_re", "is_add && (as_q == 3'd3 || as_q == 3'd4)");
      m_.comment("Table index: the int8 code offset by 128.");
      m_.assign("add_tab_idx", "(as_q == 3'd3 ? (add_lane_q ? a_word_q[15:8] : a_word_q[7:0]) : (add_lane_q ? b_word_q[15:8] : b_word_q[7:0])) ^ 8'h80");
      m_.assign("add_tab_addr", fmt::format("p_ptr_q + {{{}'d0, as_q == 3'd4, add_tab_idx}}", rw - 9));
      m_.assign("add_tab_err", fmt::format("add_tab_re && {}", at_least_pow2("add_tab_addr", rw, cw_)));
      m_.assign("add_cap", "is_add && as_q == 3'd6 && add_ready");
      m_.assign("add_pos", fmt::format("{{1'b0, {}}} + {{1'b0, add_i_q}}", field("out_base")));
      add = {ir::case_of(
          "as_q", {{"3'd0", {assign("as_q", "3'd1")}},
                   {"3'd1", {assign("a_word_q", "{act_hi_rdata, act_lo_rdata}"), assign("as_q", "3'd2")}},
                   {"3'd2", {assign("b_word_q", "{act_hi_rdata, act_lo_rdata}"), assign("add_lane_q", "1'b0"), assign("as_q", "3'd3")}},
                   {"3'd3", {assign("as_q", "3'd4")}},
                   {"3'd4", {assign("t1_q", "ctrl_rdata"), assign("as_q", "3'd5")}},
                   {"3'd5", {assign("raw_q", "t1_q + ctrl_rdata"), assign("as_q", "3'd6")}},
                   {"3'd6", {if_else("add_cap", {if_else("!add_lane_q", {assign("add_lane_q", "1'b1"), assign("as_q", "3'd3")},
                                                         {if_else(fmt::format("add_i_q == {} - 16'd1", field("out_len")), {assign("as_q", "3'd7")},
                                                                  {assign("add_i_q", "add_i_q + 16'd1"), assign("as_q", "3'd0")})})})}},
                   {"default", {if_else("pp_idle", {assign("state_q", st(kNext))})}}})};
    }
    const std::vector<Stmt> next{assign("desc_ptr_q", fmt::format("desc_ptr_q + 32'd{}", nn::kDescriptorWords)), assign("layers_q", fmt::format("layers_q + {}'d1", lw_)),
                                 assign("fetch_q", "5'd0"), assign("state_q", st(kFetch))};

    std::vector<Stmt> b_stage{assign("b_valid_q", "seq_issue" + mac_beat), assign("b_pad_q", "pad && !bb_q"), assign("b_bias_q", "bb_q"),
                              assign("b_last_q", "bb_q || (last_cp && last_k && !has_bias)")};
    if (posit_) b_stage.push_back(assign("b_hi_zero_q", fmt::format("{} && chan_pair == {} - 16'd1", field("in_odd"), field("in_row"))));
    if (n4_) b_stage.push_back(assign("b_tail_q", fmt::format("chan_pair == {} - 16'd1 ? {} : 2'd0", field("in_row"), field("in_tail"))));
    std::vector<std::pair<std::string, std::vector<Stmt>>> states{{st(kFetch), fetch}, {st(kDecode), decode}, {st(kGroup), group},
                                                                  {st(kParam), param}, {st(kRun), run},       {st(kDrain), drain},
                                                                  {st(kNext), next}};
    if (pool_) states.push_back({st(kPool), pool});
    if (add_) states.push_back({st(kAdd), add});
    if (unit_) states.push_back({st(kUnit), {if_else("u_finish", {assign("state_q", st(kNext))})}});
    states.push_back({"default", {}});
    m_.comment("Sequencer: fetch a descriptor, then per channel group load the parameters and issue every beat; stop at op 0 or an error.");
    m_.ff({if_else(
        "!rst_ni",
        {assign("state_q", st(kIdle)), assign("done_q", "1'b0"), assign("err_q", "8'd0"), assign("desc_ptr_q", "32'd0"), assign("b_valid_q", "1'b0"),
         assign("pa_valid_q", "1'b0"), assign("cycles_q", zero(cb_)), assign("macs_q", zero(macs_w_)), assign("stalls_q", zero(cb_)), assign("layers_q", zero(lw_))},
        {if_else("start",
                 {assign("state_q", st(kFetch)), assign("desc_ptr_q", "desc_base_q"), assign("fetch_q", "5'd0"), assign("done_q", "1'b0"),
                  assign("err_q", "8'd0"), assign("cycles_q", zero(cb_)), assign("macs_q", zero(macs_w_)), assign("stalls_q", zero(cb_)),
                  assign("layers_q", zero(lw_)), assign("b_valid_q", "1'b0")},
                 {if_else("busy", {assign("cycles_q", fmt::format("cycles_q + {}'d1", cb_))}),
                  if_else("error",
                          {assign("state_q", st(kIdle)), assign("done_q", "1'b1"), assign("err_q", "error_code"),
                           assign("b_valid_q", "1'b0")},
                          {ir::case_of("state_q", states),
                           if_else("advance", b_stage),
                           if_else("b_valid_q && beat_ready", {assign("macs_q", fmt::format("macs_q + {}'d{}", macs_w_, macs_w_ == cb_ ? nn::kLanes * g_ : 1))}),
                           if_else("b_valid_q && !beat_ready", {assign("stalls_q", fmt::format("stalls_q + {}'d1", cb_))})})}),
         assign("pa_valid_q", fmt::format("state_q == {} && !pi_done_q && !error", st(kParam))), assign("pa_j_q", "pi_j_q"), assign("pa_f_q", "pi_f_q"),
         if_else("cap", {assign("cap_o_q", "cap_o_q + 16'd1"),
                         assign("cap_addr_q", fmt::format("cap_o_q == 16'd0 ? {{1'b0, {}}} : {}", field("out_base"), grow_row("cap_addr_q", "out_row")))})})});
  }

  void pes() {
    const int na = n_.aus_per_pe;
    m_.net("beat_a", 16).net("pe_clear", 1, false, "the cycle after a start or an error: the PEs (and units) drop their state");
    // The unused high lane of an odd channel count reads 0: stale data there
    // could be a posit NaR, which even a zero weight would propagate.
    const std::string hi = posit_ ? "(b_hi_zero_q ? 8'd0 : act_hi_rdata)" : "act_hi_rdata";
    std::string word = fmt::format("{{{}, act_lo_rdata}}", hi);
    if (n4_) {
      // 4-bit lanes past the last channel of a position hold stale data (a
      // posit4 NaR among it would survive a zero weight): they read 0.
      m_.comment("4-bit input: the lanes of the last word from in_tail up read 0.");
      m_.net("tail_mask", 16).net("act_word", 16);
      m_.assign("tail_mask", "b_tail_q == 2'd1 ? 16'h000f : b_tail_q == 2'd2 ? 16'h00ff : b_tail_q == 2'd3 ? 16'h0fff : 16'hffff");
      m_.assign("act_word", fmt::format("{} & tail_mask", word));
      word = "act_word";
    }
    const std::string pad_beat = fmt::format("b_pad_q ? {{2{{{}}}}} : {}", fmt::format("d_w{}_q[7:0]", nn::descriptor_field("pad_value").word), word);
    if (posit_) {
      m_.assign("beat_a", fmt::format("b_bias_q ? {} : {}", field("bias_act"), pad_beat));
    } else {
      m_.net("b_bias_unused");
      m_.assign("b_bias_unused", "b_bias_q");
      m_.assign("beat_a", pad_beat);
    }
    // Registered, so that no path runs from the error checks into every PE
    // register's reset: nothing reaches the PEs in the cycle after a start
    // (the descriptor is being fetched), and after an error the engine is
    // idle, which keeps the PEs' writes out of the activation memory.
    m_.comment("PE clear: the cycle after a start or an error.");
    m_.ff({if_else("!rst_ni", {assign("pe_clear", "1'b1")}, {assign("pe_clear", "start || error")})});
    std::vector<std::string> ready, capr, resv, idle;
    for (int p = 0; p < n_.pes; ++p) {
      const std::string s = std::to_string(p);
      m_.net("pe" + s + "_ready").net("pe" + s + "_cap_ready").net("pe" + s + "_idle").net("pe" + s + "_res_valid").net("pe" + s + "_w_rdata", 16 * na);
      m_.net("pe" + s + "_hw_we", na).net("pe" + s + "_param_we", na);
      m_.net("pe" + s + "_wr_valid").net("pe" + s + "_wr_addr", nn::kWriteAddrBits).net("pe" + s + "_wr_lane").net("pe" + s + "_wr_data", p16_ ? 16 : 8).net("pe" + s + "_wr_ready");
      if (p16_) m_.net("pe" + s + "_wr_wide");
      if (n4_) m_.net("pe" + s + "_wr_nib").net("pe" + s + "_wr_nsel");
      std::vector<std::string> hw, pw;
      for (int j = na - 1; j >= 0; --j) {
        const int a = p * na + j;
        hw.push_back(fmt::format("host_wr && host_w && host_au == {}'d{}", ab_, a));
        pw.push_back(fmt::format("pa_valid_q && pa_j_q == {}'d{}", ab_, a));
      }
      m_.assign("pe" + s + "_hw_we", na == 1 ? hw[0] : fmt::format("{{{}}}", fmt::join(hw, ", ")));
      m_.assign("pe" + s + "_param_we", na == 1 ? pw[0] : fmt::format("{{{}}}", fmt::join(pw, ", ")));
      std::vector<ir::Connection> conns{{"clk_i", "clk_i"}, {"rst_ni", "rst_ni"}, {"clear_i", "pe_clear"}, {"beat_valid_i", "b_valid_q"}, {"beat_ready_o", "pe" + s + "_ready"},
                   {"a_i", "beat_a"}, {"last_i", "b_last_q"}, {"w_re_i", "busy ? seq_issue : (host_rd && host_w)"},
                   {"w_raddr_i", fmt::format("busy ? w_addr_q[{0}:0] : offset[{0}:0]", ww_ - 1)}, {"w_rdata_o", "pe" + s + "_w_rdata"},
                   {"hw_we_i", "pe" + s + "_hw_we"}, {"hw_waddr_i", fmt::format("offset[{}:0]", ww_ - 1)}, {"hw_wdata_i", "mem_wdata_i[15:0]"},
                   {"param_we_i", "pe" + s + "_param_we"}, {"param_field_i", "pa_f_q"}, {"param_data_i", "ctrl_rdata"},
                   {"res_valid_o", "pe" + s + "_res_valid"}, {"cap_ready_o", "pe" + s + "_cap_ready"}, {"idle_o", "pe" + s + "_idle"}, {"cap_i", "cap"}, {"pos_addr_i", "cap_addr_q"},
                   {"chan_base_i", "chan_base_q"}, {"j0_i", fmt::format("16'd{}", p * na)}, {"grp_channels_i", field("grp_channels")},
                   {"out_channels_i", field("out_channels")}, {"out_zp_i", field("out_zp")}, {"act_min_i", field("act_min")}, {"act_max_i", field("act_max")},
                   {"wr_valid_o", "pe" + s + "_wr_valid"}, {"wr_addr_o", "pe" + s + "_wr_addr"}, {"wr_lane_o", "pe" + s + "_wr_lane"},
                   {"wr_data_o", "pe" + s + "_wr_data"}, {"wr_ready_i", "pe" + s + "_wr_ready"}};
      if (add_) {
        // Add elements go to PE 0's requantizer.
        conns.push_back({"add_cap_i", p == 0 ? "add_cap" : "1'b0"});
        conns.push_back({"add_x_i", p == 0 ? "raw_q" : "32'sd0"});
        conns.push_back({"add_pos_i", p == 0 ? "add_pos" : fmt::format("{}'d0", nn::kRowAddrBits)});
        conns.push_back({"add_lane_i", p == 0 ? "add_lane_q" : "1'b0"});
        conns.push_back({"add_ready_o", p == 0 ? "add_ready" : "pe" + s + "_add_ready_unused"});
        if (p != 0) m_.net("pe" + s + "_add_ready_unused");
      }
      if (posit_) {
        conns.push_back({"fmt_i", field("fmt")});
        conns.push_back({"readout_i", field("readout")});
      }
      if (p16_) conns.push_back({"wr_wide_o", "pe" + s + "_wr_wide"});
      if (n4_) {
        conns.push_back({"wr_nib_o", "pe" + s + "_wr_nib"});
        conns.push_back({"wr_nsel_o", "pe" + s + "_wr_nsel"});
      }
      m_.instance(pe_, "u_pe" + s, conns);
      ready.push_back("pe" + s + "_ready");
      capr.push_back("pe" + s + "_cap_ready");
      idle.push_back("pe" + s + "_idle");
      resv.push_back("pe" + s + "_res_valid");
    }
    m_.assign("beat_ready", fmt::format("{}", fmt::join(ready, " & ")));
    m_.assign("cap_ready", fmt::format("{}", fmt::join(capr, " & ")));
    m_.assign("res_valid", fmt::format("{}", fmt::join(resv, " & ")));
    m_.assign("pp_idle", fmt::format("{}", fmt::join(idle, " & ")));
  }


  // Max and average pooling on both lanes of a word: stage B folds each
  // tap into a running max or sum and count (padded taps are skipped), then
  // the word is clamped (max) or divided with TFLite's rounding (average: a
  // restoring divider, one quotient bit per cycle) and written. An average
  // of int8 values is at most 128 in magnitude, so (|sum| + count / 2) /
  // count has 9 quotient bits: the divider starts from the numerator's bits
  // above them (less than the count) and takes 9 steps.
  void pool_unit() {
    m_.net("pb_pad_q").net("pb_first_q").net("pb_last_q");
    m_.net("pw_valid_q").net("pw_addr_q", nn::kWriteAddrBits).net("pw_lo_q", 8).net("pw_hi_q", 8);
    if (avgp_) {
      m_.net("pcnt_q", 16, false, "the window's valid taps; while dividing, the divisor").net("pcnt_n", 16).net("pcnt_b", 16).net("pdiv_q").net("pstep_q", 5).net("is_avg");
      m_.assign("is_avg", maxp_ ? fmt::format("{} == 4'd3", field("op")) : "1'b1");
      m_.assign("pcnt_b", "pb_first_q ? 16'd0 : pcnt_q");
      m_.assign("pcnt_n", "pb_pad_q ? pcnt_b : pcnt_b + 16'd1");
    }
    m_.net("pact_min", 8, true).net("pact_max", 8, true);
    m_.assign("pact_min", field("act_min"));
    m_.assign("pact_max", field("act_max"));
    std::vector<Stmt> fold, finish_max, finish_avg, divide, load_div;
    if (p16_ && maxp_) {
      // A posit16 max pool: one channel per word, both lanes one code; the
      // two lanes' max registers hold it.
      m_.comment("Posit16 max pool: the word's code against the running max {pmax1_q, pmax0_q}, clamped to [{act_min, 0x00}, {act_max, out_zp}].");
      m_.net("is_p16").net("px16", 16, true).net("pmax16_b", 16, true).net("pmax16_n", 16, true).net("pmax16_c", 16, true).net("plo16", 16, true).net("phi16", 16, true);
      m_.assign("is_p16", fmt::format("{} == {}'d{}", field("fmt"), golden::kFormatCodeBits, static_cast<unsigned>(golden::Format::posit16_1)));
      m_.assign("px16", "{act_hi_rdata, act_lo_rdata}");
      m_.assign("pmax16_b", "pb_first_q ? -16'sd32768 : {pmax1_q, pmax0_q}");
      m_.assign("pmax16_n", "(!pb_pad_q && px16 > pmax16_b) ? px16 : pmax16_b");
      m_.assign("plo16", "{pact_min, 8'h00}");
      m_.assign("phi16", fmt::format("{{pact_max, {}}}", fmt::format("d_w{}_q[{}:{}]", nn::descriptor_field("out_zp").word, nn::descriptor_field("out_zp").lsb + 7,
                                                                     nn::descriptor_field("out_zp").lsb)));
      m_.assign("pmax16_c", "(pmax16_n < plo16) ? plo16 : (pmax16_n > phi16) ? phi16 : pmax16_n");
    }
    if (n4_ && maxp_) {
      // A 4-bit max pool: four channels per word, each nibble's order key
      // against a running max kept in the nibbles of {pmax1_q, pmax0_q}.
      // Posit4 codes are their own keys; an fp4 key is the sign times the
      // magnitude bits (-0 is 0), and a key goes back to fp4 with 0 as code 0.
      m_.comment(f4_ ? "4-bit max pool: order keys (posit4: the code; fp4: sign times magnitude), max, clamp to [act_min, act_max], back to codes."
                     : "4-bit max pool: the codes as two's complement integers (posit order), max, clamp to [act_min, act_max].");
      std::vector<std::string> fmts4;
      for (golden::Format f : {golden::Format::fp4, golden::Format::posit4_1})
        if (runs(c_, f)) fmts4.push_back(fmt::format("{} == {}'d{}", field("fmt"), golden::kFormatCodeBits, static_cast<unsigned>(f)));
      m_.net("is_n4").net("px4", 16);
      m_.assign("is_n4", fmt::format("{}", fmt::join(fmts4, " || ")));
      m_.assign("px4", "{act_hi_rdata, act_lo_rdata}");
      if (f4_) {
        m_.net("is_f4");
        m_.assign("is_f4", fmt::format("{} == {}'d{}", field("fmt"), golden::kFormatCodeBits, static_cast<unsigned>(golden::Format::fp4)));
      }
      std::vector<std::string> keep_n, out_c;
      for (int t = 0; t < 4; ++t) {
        const std::string x = fmt::format("px4[{}:{}]", 4 * t + 3, 4 * t);
        const std::string store = fmt::format("pmax{}_q[{}:{}]", t / 2, 4 * (t % 2) + 3, 4 * (t % 2));
        const std::string k = fmt::format("pk{}", t);
        m_.net(k, 4, true).net(fmt::format("{}_b", k), 4, true).net(fmt::format("{}_n", k), 4, true).net(fmt::format("{}_s", k), 8, true);
        m_.net(fmt::format("{}_c", k), 4, true).net(fmt::format("{}_o", k), 4);
        const std::string sign = fmt::format("px4[{}]", 4 * t + 3), mag = fmt::format("px4[{}:{}]", 4 * t + 2, 4 * t);
        m_.assign(k, f4_ ? fmt::format("is_f4 ? ({0} ? -$signed({{1'b0, {1}}}) : $signed({{1'b0, {1}}})) : $signed({2})", sign, mag, x) : fmt::format("$signed({})", x));
        m_.assign(fmt::format("{}_b", k), fmt::format("pb_first_q ? -4'sd8 : $signed({})", store));
        m_.assign(fmt::format("{}_n", k), fmt::format("(!pb_pad_q && {0} > {0}_b) ? {0} : {0}_b", k));
        m_.assign(fmt::format("{}_s", k), fmt::format("$signed({{{{4{{{0}_n[3]}}}}, {0}_n}})", k));
        m_.assign(fmt::format("{}_c", k), fmt::format("({0}_s < pact_min) ? pact_min[3:0] : ({0}_s > pact_max) ? pact_max[3:0] : {0}_n", k));
        m_.assign(fmt::format("{}_o", k), f4_ ? fmt::format("(is_f4 && {0}_c[3]) ? {{1'b1, 3'(-{0}_c)}} : {0}_c", k) : fmt::format("{}_c", k));
        keep_n.push_back(fmt::format("{}_n", k));
        out_c.push_back(fmt::format("{}_o", k));
      }
      n4_keep_ = {fmt::format("{{{}, {}}}", keep_n[1], keep_n[0]), fmt::format("{{{}, {}}}", keep_n[3], keep_n[2])};
      n4_out_ = {fmt::format("{{{}, {}}}", out_c[1], out_c[0]), fmt::format("{{{}, {}}}", out_c[3], out_c[2])};
    }
    for (int lane = 0; lane < 2; ++lane) {
      const std::string s = std::to_string(lane);
      const std::string x = lane == 0 ? "act_lo_rdata" : "act_hi_rdata";
      const std::string lo = "pact_min", hi = "pact_max";
      m_.net("px" + s, 8, true);
      m_.assign("px" + s, x);
      if (maxp_) {
        m_.net("pmax" + s + "_q", 8, true).net("pmax" + s + "_b", 8, true).net("pmax" + s + "_n", 8, true).net("pmax" + s + "_c", 8, true);
        m_.assign("pmax" + s + "_b", "pb_first_q ? -8'sd128 : pmax" + s + "_q");
        m_.assign("pmax" + s + "_n", fmt::format("(!pb_pad_q && px{0} > pmax{0}_b) ? px{0} : pmax{0}_b", s));
        m_.assign("pmax" + s + "_c", fmt::format("(pmax{0}_n < {1}) ? {1} : (pmax{0}_n > {2}) ? {2} : pmax{0}_n", s, lo, hi));
        const std::string half = lane == 0 ? "7:0" : "15:8";
        std::string keep = p16_ ? fmt::format("is_p16 ? pmax16_n[{}] : pmax{}_n", half, s) : "pmax" + s + "_n";
        std::string out = p16_ ? fmt::format("is_p16 ? pmax16_c[{}] : pmax{}_c", half, s) : "pmax" + s + "_c";
        if (n4_) {
          keep = fmt::format("is_n4 ? {} : {}", n4_keep_[lane], keep);
          out = fmt::format("is_n4 ? {} : {}", n4_out_[lane], out);
        }
        fold.push_back(assign("pmax" + s + "_q", keep));
        finish_max.push_back(assign(lane == 0 ? "pw_lo_q" : "pw_hi_q", out));
      }
      if (avgp_) {
        m_.net("psum" + s + "_q", 24, true).net("psum" + s + "_b", 24, true).net("psum" + s + "_n", 24, true);
        m_.assign("psum" + s + "_b", "pb_first_q ? 24'sd0 : psum" + s + "_q");
        m_.assign("psum" + s + "_n", fmt::format("pb_pad_q ? psum{0}_b : psum{0}_b + {{{{16{{px{0}[7]}}}}, px{0}}}", s));
        fold.push_back(assign("psum" + s + "_q", "psum" + s + "_n"));
      }
    }
    std::vector<Stmt> clear{assign("pb_valid_q", "1'b0"), assign("pw_valid_q", "1'b0"), assign("pf_busy_q", "1'b0")};
    if (avgp_) {
      // One divider for both lanes, lane 0 then lane 1: a load step takes
      // the lane's |sum| + count / 2 from its sum register, then 9 restoring
      // steps; the word is written after the second lane.
      m_.comment("Average: one restoring divider, lane 0 then lane 1, each a load step and 9 quotient bits.");
      m_.net("pload_q", 1, false, "the divider takes the next lane's numerator").net("plane_q", 1, false, "the lane being divided");
      m_.net("psel", 24, true).net("pnum", 24, false, "|sum| + count / 2").net("pn_q", 9).net("pr_q", 16).net("pr_sh", 17).net("pge").net("pr_n", 16).net("pneg_q");
      m_.net("pquot", 9).net("pavg", 10, true).net("pavg_c", 8, true);
      m_.assign("psel", "plane_q ? psum1_q : psum0_q");
      m_.assign("pnum", "(psel[23] ? 24'(-psel) : psel) + {9'd0, pcnt_q[15:1]}");
      m_.assign("pr_sh", "{pr_q, pn_q[8]}");
      m_.assign("pge", "pr_sh >= {1'b0, pcnt_q}");
      m_.assign("pr_n", "pge ? 16'(pr_sh - {1'b0, pcnt_q}) : pr_sh[15:0]");
      m_.assign("pquot", "{pn_q[7:0], pge}");
      m_.assign("pavg", "pneg_q ? -$signed({1'b0, pquot}) : $signed({1'b0, pquot})");
      m_.assign("pavg_c", "(pavg < $signed({{2{pact_min[7]}}, pact_min})) ? pact_min : (pavg > $signed({{2{pact_max[7]}}, pact_max})) ? pact_max : pavg[7:0]");
      fold.push_back(assign("pcnt_q", "pcnt_n"));
      // No tap is folded while the word is divided: pcnt_q holds the count.
      finish_avg = {assign("pload_q", "1'b1"), assign("plane_q", "1'b0")};
      load_div = {assign("pload_q", "1'b0"), assign("pneg_q", "psel[23]"), assign("pn_q", "pnum[8:0]"), assign("pr_q", "{1'b0, pnum[23:9]}"),
                  assign("pdiv_q", "1'b1"), assign("pstep_q", "5'd0")};
      divide = {assign("pn_q", "pquot"), assign("pr_q", "pr_n"), assign("pstep_q", "pstep_q + 5'd1"),
                if_else("pstep_q == 5'd8", {assign("pdiv_q", "1'b0"),
                                            if_else("plane_q", {assign("pw_hi_q", "pavg_c"), assign("pw_valid_q", "1'b1")},
                                                    {assign("pw_lo_q", "pavg_c"), assign("plane_q", "1'b1"), assign("pload_q", "1'b1")})})};
      clear.push_back(assign("pdiv_q", "1'b0"));
      clear.push_back(assign("pload_q", "1'b0"));
    }
    if (maxp_) finish_max.push_back(assign("pw_valid_q", "1'b1"));
    std::vector<Stmt> last;
    if (avgp_ && maxp_) last.push_back(if_else("is_avg", finish_avg, finish_max));
    else for (auto& st : avgp_ ? finish_avg : finish_max) last.push_back(st);
    fold.push_back(if_else("pb_last_q", last));
    m_.assign("pw_err", fmt::format("pw_valid_q && {}", at_least_pow2("pw_addr_q", nn::kWriteAddrBits, aw_)));
    std::vector<Stmt> step{assign("pb_valid_q", "seq_issue && is_pool"), assign("pb_pad_q", "pad"), assign("pb_first_q", "k_q == 16'd0"),
                           assign("pb_last_q", "last_k"),
                           // The word's address, taken with its last tap: the previous word is written by then (pf_busy_q).
                           if_else("seq_issue && is_pool && last_k", {assign("pf_busy_q", "1'b1"), assign("pw_addr_q", "{1'b0, cap_addr_q} + {2'b0, cp_q}")}),
                           if_else("pb_valid_q", fold)};
    if (avgp_) {
      step.push_back(if_else("pload_q", load_div));
      step.push_back(if_else("pdiv_q", divide));
    }
    step.push_back(if_else("pw_valid_q", {assign("pw_valid_q", "1'b0"), assign("pf_busy_q", "1'b0")}));
    m_.ff({if_else("!rst_ni || start || error", clear, step)});
  }

  // The unit stream (gelu and softmax layers): a unit fed one activation
  // byte per cycle. A feeder walks the input channel by channel, position by
  // position (in_start, in_row words apart), offering each byte from the act
  // RAM's read register until the unit takes it (a softmax vector ends with
  // each position's last channel); a collector writes each result byte at
  // the same channel of the output (out_base, out_row words apart). A gelu
  // layer first copies its 256-entry table from the control memory into
  // the GELU unit (64 words from param_base, one read and four program
  // writes per word).
  void unit_stream() {
    const int rw = nn::kRowAddrBits, pw = nn::kPosBits, wa = nn::kWriteAddrBits;
    m_.net("is_unit").net("u_rst_n").net("u_is_sm", 1, false, "the layer runs on the softmax unit (else the GELU unit)");
    m_.net("f_p_q", 16).net("f_c_q", 16).net("f_addr_q", pw, true).net("f_done_q").net("rd_valid_q", 1, false, "the act RAM's read register holds an element for the unit");
    m_.net("rd_lane_q").net("rd_last_q").net("u_raddr", pw, true).net("u_issue").net("u_in_err").net("u_in_ready").net("u_x", 8);
    m_.net("c_p_q", 16).net("c_c_q", 16).net("c_addr_q", rw).net("u_out_valid").net("u_y", 8).net("u_out").net("uw_addr", wa).net("uw_err").net("uw_we");
    m_.net("uw_lane").net("uw_data", 8).net("u_finish");
    m_.assign("is_unit", fmt::format("state_q == {}", st(kUnit)));
    m_.assign("u_rst_n", "rst_ni && !pe_clear");
    m_.assign("u_is_sm", gelu_ && sm_ ? fmt::format("{} == 4'd{}", field("op"), static_cast<unsigned>(nn::Op::softmax)) : sm_ ? "1'b1" : "1'b0");
    const std::string loading = gelu_ ? "u_load_q" : "1'b0";
    m_.assign("u_raddr", fmt::format("f_addr_q + $signed({{{}'d0, f_c_q[15:1]}})", pw - 15));
    m_.assign("u_issue", fmt::format("is_unit && !{} && !f_done_q && (!rd_valid_q || u_in_ready)", loading));
    m_.assign("u_in_err", fmt::format("u_issue && {}", at_least_pow2("u_raddr", pw, aw_)));
    m_.assign("u_x", "rd_lane_q ? act_hi_rdata : act_lo_rdata");
    m_.assign("u_out", "is_unit && u_out_valid");
    m_.assign("uw_addr", fmt::format("{{1'b0, c_addr_q}} + {{{}'d0, c_c_q[15:1]}}", wa - 15));
    m_.assign("uw_err", fmt::format("u_out && {}", at_least_pow2("uw_addr", wa, aw_)));
    m_.assign("uw_we", "u_out && !uw_err");
    m_.assign("uw_lane", "c_c_q[0]");
    m_.assign("uw_data", "u_y");
    const std::string last_ch = fmt::format("== {} - 16'd1", field("unit_ch")), last_pos = fmt::format("== {} - 16'd1", field("in_len"));
    m_.assign("u_finish", fmt::format("u_out && c_p_q {} && c_c_q {}", last_pos, last_ch));
    auto grow = [&](const std::string& r, const std::string& inc) {
      return fmt::format("(!{0}[{1}] && (|{0}[{2}:16])) ? {0} : {0} + $signed({{{3}'d0, {4}}})", r, pw - 1, pw - 2, pw - 16, field(inc));
    };
    const std::string in_start = fmt::format("d_w{}_q[{}:0]", nn::descriptor_field("in_start").word, pw - 1);
    std::vector<Stmt> init{assign("f_p_q", "16'd0"), assign("f_c_q", "16'd0"), assign("f_addr_q", in_start), assign("f_done_q", "1'b0"),
                           assign("rd_valid_q", "1'b0"), assign("c_p_q", "16'd0"), assign("c_c_q", "16'd0"), assign("c_addr_q", "{1'b0, " + field("out_base") + "}")};
    std::vector<Stmt> run{
        if_else("u_issue",
                {assign("rd_valid_q", "1'b1"), assign("rd_lane_q", "f_c_q[0]"), assign("rd_last_q", "f_c_q " + last_ch),
                 if_else("f_c_q " + last_ch,
                         {assign("f_c_q", "16'd0"), assign("f_p_q", "f_p_q + 16'd1"), assign("f_addr_q", grow("f_addr_q", "in_row")),
                          if_else("f_p_q " + last_pos, {assign("f_done_q", "1'b1")})},
                         {assign("f_c_q", "f_c_q + 16'd1")})},
                {if_else("u_in_ready", {assign("rd_valid_q", "1'b0")})}),
        if_else("u_out", {if_else("c_c_q " + last_ch,
                                  {assign("c_c_q", "16'd0"), assign("c_p_q", "c_p_q + 16'd1"),
                                   assign("c_addr_q", fmt::format("c_addr_q[{0}] ? c_addr_q : c_addr_q + {{1'b0, {1}}}", rw - 1, field("out_row")))},
                                  {assign("c_c_q", "c_c_q + 16'd1")})})};
    std::vector<Stmt> reset{assign("rd_valid_q", "1'b0"), assign("f_done_q", "1'b1")};
    std::vector<std::string> in_ready, out_valid, y;
    if (gelu_) {
      m_.net("u_load_q", 1, false, "copying the table into the GELU unit").net("u_w_q", 6).net("u_s_q", 3).net("u_ptr_q", rw);
      m_.net("u_word_q", 32).net("u_tab_re").net("u_tab_err").net("u_byte", 2).net("u_prog_we").net("u_prog_addr", gelu_map::kAddrBits).net("u_prog_data", gelu_map::kDataBits);
      m_.assign("u_tab_re", "is_unit && u_load_q && u_s_q == 3'd0");
      m_.assign("u_tab_err", fmt::format("u_tab_re && {}", at_least_pow2("u_ptr_q", rw, cw_)));
      m_.assign("u_byte", "2'(u_s_q - 3'd2)");
      m_.assign("u_prog_we", "is_unit && u_load_q && u_s_q >= 3'd2");
      static_assert(gelu_map::table8 == 0, "bank 0 of the table region starts at address 0");
      m_.assign("u_prog_addr", fmt::format("{{{}'d0, u_w_q, u_byte}}", gelu_map::kAddrBits - 8));
      m_.assign("u_prog_data", fmt::format("{{{{{}{{u_word_q[{{u_byte, 3'd7}}]}}}}, u_word_q[{{u_byte, 3'd0}} +: 8]}}", gelu_map::kDataBits - 8));
      init.insert(init.begin(), {assign("u_load_q", fmt::format("{} == 4'd{}", field("op"), static_cast<unsigned>(nn::Op::gelu))), assign("u_w_q", "6'd0"),
                                 assign("u_s_q", "3'd0"), assign("u_ptr_q", "p_ptr_q")});
      run.insert(run.begin(),
                 if_else("u_load_q", {ir::case_of("u_s_q", {{"3'd0", {assign("u_s_q", "3'd1")}},
                                                            {"3'd1", {assign("u_word_q", "ctrl_rdata"), assign("u_s_q", "3'd2")}},
                                                            {"3'd5", {assign("u_s_q", "3'd0"), assign("u_ptr_q", fmt::format("u_ptr_q + {}'d1", rw)),
                                                                      assign("u_w_q", "u_w_q + 6'd1"), if_else("u_w_q == 6'd63", {assign("u_load_q", "1'b0")})}},
                                                            {"default", {assign("u_s_q", "u_s_q + 3'd1")}}})}));
      reset.push_back(assign("u_load_q", "1'b0"));
      const auto& g = *c_.gelu;
      const bool both = g.has(GeluType::int16);
      m_.net("g_in_ready").net("g_out_valid").net("g_y", both ? 16 : 8);
      if (both) m_.net("g_y_unused", 8);
      std::vector<ir::Connection> conns{{"clk_i", "clk_i"},
                                        {"rst_ni", "u_rst_n"},
                                        {"in_valid_i", "is_unit && rd_valid_q && !u_is_sm"},
                                        {"in_ready_o", "g_in_ready"},
                                        {"x_i", both ? "{{8{u_x[7]}}, u_x}" : "u_x"},
                                        {"out_valid_o", "g_out_valid"},
                                        {"out_ready_i", "1'b1"},
                                        {"y_o", "g_y"},
                                        {"prog_we_i", "u_prog_we"},
                                        {"prog_addr_i", "u_prog_addr"},
                                        {"prog_wdata_i", "u_prog_data"}};
      if (both) conns.push_back({"type_i", "1'b0"});
      if (g.forms.size() > 1) conns.push_back({"form_i", "1'b0"});
      m_.comment("The GELU unit: bank 0 holds the running layer's table.");
      m_.instance(gelu_unit_, "u_gelu", conns);
      in_ready.push_back("g_in_ready");
      out_valid.push_back("g_out_valid");
      y.push_back(both ? "g_y[7:0]" : "g_y");
      if (both) m_.assign("g_y_unused", "g_y[15:8]");
    }
    if (sm_) {
      namespace sm = golden::softmax;
      const SoftmaxConfig& sc = *c_.softmax;
      const SoftmaxShape sh = softmax_shape(sc);
      m_.net("s_in_ready").net("s_out_valid").net("s_code", sh.out_bits).net("s_last_unused").net("s_sum_unused", sh.sum_bits).net("s_recip_unused", sm::kRecipBits);
      if (sh.out_bits > 8) m_.net("s_code_unused", sh.out_bits - 8);
      std::vector<ir::Connection> conns{{"clk_i", "clk_i"},
                                        {"rst_ni", "u_rst_n"},
                                        {"in_valid_i", "is_unit && rd_valid_q && u_is_sm"},
                                        {"in_ready_o", "s_in_ready"},
                                        {"in_data_i", sh.in_bits > 8 ? "{{8{u_x[7]}}, u_x}" : "u_x"},
                                        {"in_last_i", "rd_last_q"},
                                        {"mult_i", field("sm_mult")},
                                        {"shift_i", field("sm_shift")},
                                        {"out_valid_o", "s_out_valid"},
                                        {"out_ready_i", "1'b1"},
                                        {"out_code_o", "s_code"},
                                        {"out_last_o", "s_last_unused"},
                                        {"out_sum_o", "s_sum_unused"},
                                        {"out_recip_o", "s_recip_unused"}};
      if (sc.algorithms.size() > 1) conns.push_back({"alg_i", field("sm_alg")});
      if (sc.in_types.size() > 1) conns.push_back({"in_type_i", "1'b0"});
      if (sc.out_types.size() > 1) conns.push_back({"out_type_i", fmt::format("2'd{}", static_cast<unsigned>(sm::OutType::int8))});
      m_.comment("The softmax unit: one vector per position, TFLite's int8 codes.");
      m_.instance(sm_unit_, "u_softmax", conns);
      in_ready.push_back("s_in_ready");
      out_valid.push_back("s_out_valid");
      y.push_back(sh.out_bits > 8 ? "s_code[7:0]" : "s_code");
      if (sh.out_bits > 8) m_.assign("s_code_unused", fmt::format("s_code[{}:8]", sh.out_bits - 1));
    }
    auto pick = [&](const std::vector<std::string>& v) { return v.size() == 1 ? v[0] : fmt::format("u_is_sm ? {} : {}", v[1], v[0]); };
    m_.assign("u_in_ready", pick(in_ready));
    m_.assign("u_out_valid", pick(out_valid));
    m_.assign("u_y", pick(y));
    m_.comment("Unit stream: feeder and collector (and the gelu table copy).");
    m_.ff({if_else("!rst_ni || start || error", reset,
                   {if_else(fmt::format("state_q == {} && {}", st(kDecode), unit_op()), init, {if_else("is_unit", run)})})});
  }

  void write_back() {
    m_.comment("Write-back: one byte per cycle, lowest PE first; an address outside the memory is an error and is not written.");
    std::vector<Stmt> sel{assign("wb_addr", fmt::format("{}'d0", nn::kWriteAddrBits)), assign("wb_lane", "1'b0"), assign("wb_data", p16_ ? "16'd0" : "8'd0")};
    if (p16_) sel.push_back(assign("wb_wide", "1'b0"));
    if (n4_) {
      sel.push_back(assign("wb_nib", "1'b0"));
      sel.push_back(assign("wb_nsel", "1'b0"));
    }
    for (int p = n_.pes - 1; p >= 0; --p) {
      const std::string s = std::to_string(p);
      std::vector<Stmt> take{assign("wb_addr", "pe" + s + "_wr_addr"), assign("wb_lane", "pe" + s + "_wr_lane"), assign("wb_data", "pe" + s + "_wr_data")};
      if (p16_) take.push_back(assign("wb_wide", "pe" + s + "_wr_wide"));
      if (n4_) {
        take.push_back(assign("wb_nib", "pe" + s + "_wr_nib"));
        take.push_back(assign("wb_nsel", "pe" + s + "_wr_nsel"));
      }
      sel.push_back(if_else("pe" + s + "_wr_valid", take));
    }
    m_.comb(sel);
    std::vector<std::string> any;
    for (int p = 0; p < n_.pes; ++p) {
      const std::string s = std::to_string(p);
      std::string g = "busy && pe" + s + "_wr_valid";
      for (int q = 0; q < p; ++q) g += fmt::format(" && !pe{}_wr_valid", q);
      m_.assign("pe" + s + "_wr_ready", g);
      any.push_back("pe" + s + "_wr_valid");
    }
    m_.net("wb_any");
    m_.assign("wb_any", fmt::format("busy && ({})", fmt::join(any, " || ")));
    m_.assign("wb_err", fmt::format("wb_any && {}", at_least_pow2("wb_addr", nn::kWriteAddrBits, aw_)));
    m_.assign("wb_we", "wb_any && !wb_err");
  }

  const SocConfig& c_;
  const NnConfig& n_;
  ir::Design& d_;
  ir::Module m_;
  std::string pe_;
  int aw_ = 0, ww_ = 0, cw_ = 0, g_ = 0;
  int ab_ = 1;  // bits of an AU index (0 .. g_ - 1)
  int cb_ = 32, macs_w_ = 32, lw_ = 32;  // CYCLES and STALLS, MACS, LAYERS bits
  static std::string zero(int w) { return fmt::format("{}'d0", w); }
  bool dw_ = false;     // the engine runs depthwise layers (grp_pairs != 0)
  bool maxp_ = false;   // ... max pools
  bool avgp_ = false;   // ... average pools (and global ones)
  bool pool_ = false;   // maxp_ || avgp_: the pool unit
  bool posit_ = false;  // ... posit layers
  bool p16_ = false;    // ... posit16 among them (16-bit write-back and pool words)
  bool n4_ = false;     // ... fp4 or posit4 among them (nibble write-back, nibble pool lanes, masked tail lanes)
  bool f4_ = false;     // ... fp4 among them (sign-magnitude pool order)
  std::vector<std::string> n4_keep_, n4_out_;  // a 4-bit max pool's running max and result, per byte lane
  bool add_ = false;    // ... and add layers
  bool gelu_ = false;   // ... and gelu layers, through the GELU unit
  bool sm_ = false;     // ... and softmax layers, through the softmax unit
  bool unit_ = false;   // gelu_ or sm_: the unit stream
  std::string gelu_unit_, sm_unit_;

  // The descriptor's op is one the unit stream runs.
  std::string unit_op() const {
    std::vector<std::string> ops;
    if (gelu_) ops.push_back(fmt::format("{} == 4'd{}", field("op"), static_cast<unsigned>(nn::Op::gelu)));
    if (sm_) ops.push_back(fmt::format("{} == 4'd{}", field("op"), static_cast<unsigned>(nn::Op::softmax)));
    return fmt::format("({})", fmt::join(ops, " || "));
  }
};

}  // namespace

std::string generate_nn(const SocConfig& c, ir::Design& d) { return NnBuilder(c, d).build(); }

}  // namespace strata
