#include "blocks/gelu_gen.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <map>

#include "blocks/gelu_map.h"
#include "golden/gelu.h"

namespace strata {

namespace {

using ir::Dir;
using ir::Stmt;
using ir::assign;
using ir::if_else;
namespace gm = strata::golden::gelu;

int log2i(int v) { return std::countr_zero(static_cast<unsigned>(v)); }

// Stages of the int16 datapath (register stage s holds the values computed
// from stage s-1; stage 1 is the accepted element).
constexpr int kStageDiff = 2;   // d = x - z_in
constexpr int kStageSeg = 3;    // |d| split into segment and offset, r = max(d, 0)
constexpr int kStageRelu = 6;   // r * M >> sh, clamped, plus z_out 2^F + 2^(F-1)
int delta_stage(int degree) { return kStageSeg + 1 + 2 * degree; }  // h_0
int final_stage(int degree) { return std::max(delta_stage(degree), kStageRelu); }

// Widths of the int16 datapath (golden/gelu.h).
constexpr int kXBits = 16;
constexpr int kDiffBits = 17;                 // q - z_in
constexpr int kOffsetBits = 15;               // u, left-aligned: u * 2^(15 - w)
constexpr int kSegBits = 16;                  // |d| >> w
constexpr int kWBits = 4;                     // w: 0..15
constexpr int kShBits = 6;                    // sh: 0..63
constexpr int kProdBits = gm::kHornerBits + kOffsetBits;  // h * u'
constexpr int kReluProdBits = 16 + gm::kMultBits;        // r * M
constexpr int kReluClampBit = 26;             // relu >= 2^26 saturates the output whatever delta and z_out are
constexpr int kSumBits = 28;                  // relu (clamped) + z_out 2^F + 2^(F-1) - delta

// A memory with one synchronous write port and one synchronous read port
// (read data held while re_i is low): inferred as block RAM. A write cycle
// does not read (the read register holds): the unit is programmed with no
// element in flight, and without a read during a write synthesis needs no
// read-during-write bypass (on iCE40 26 FF and 13 LUT4 per memory).
std::string gelu_mem(const SocConfig& c, ir::Design& d, int depth, int width) {
  const int aw = log2i(depth);
  ir::Module m;
  m.name = fmt::format("{}_gelu_mem_{}x{}", c.name, depth, width);
  m.description = fmt::format("{} x {}-bit GELU program memory, one write and one read port, synchronous read, no read in a write cycle.", depth, width);
  m.port(Dir::in, "clk_i")
      .port(Dir::in, "we_i")
      .port(Dir::in, "waddr_i", aw)
      .port(Dir::in, "wdata_i", width)
      .port(Dir::in, "re_i")
      .port(Dir::in, "raddr_i", aw)
      .port(Dir::out, "rdata_o", width);
  m.memory("mem", width, depth).net("rdata_q", width);
  m.ff({if_else("we_i", {assign("mem[waddr_i]", "wdata_i")}, {if_else("re_i", {assign("rdata_q", "mem[raddr_i]")})})});
  m.assign("rdata_o", "rdata_q");
  return d.add(std::move(m));
}

class GeluBuilder {
 public:
  GeluBuilder(const SocConfig& c, ir::Design& d) : c_(c), g_(*c.gelu), d_(d) {}

  std::string build() {
    int8_ = g_.has(GeluType::int8);
    int16_ = g_.has(GeluType::int16);
    banks_ = static_cast<int>(g_.forms.size());
    xw_ = int16_ ? kXBits : 8;
    latency_ = gelu_latency(g_);
    std::vector<std::string> types, forms;
    for (auto t : g_.types) types.push_back(to_string(t));
    for (auto f : g_.forms) forms.push_back(to_string(f));
    m_.name = c_.name + "_gelu";
    m_.description = fmt::format("GELU unit: {} in and out, {} form(s), {}one element per cycle, latency {}.", fmt::join(types, "/"),
                                 fmt::join(forms, "/"),
                                 int16_ ? fmt::format("int16 by {} segments of degree {}, ", g_.segments, g_.degree) : std::string(),
                                 latency_);
    ports();
    handshake();
    program_port();
    if (int8_) table8();
    if (int16_) datapath16();
    output();
    m_.comment("Valid bits (reset) and stage registers (no reset), all held while the result waits.");
    m_.ff({if_else("!rst_ni", ctrl_reset_, {if_else("adv", ctrl_run_)})});
    m_.ff({if_else("adv", data_run_)});
    if (!prog_regs_.empty()) {
      m_.comment("Program registers, written through the program port.");
      m_.ff(prog_regs_);
    }
    return d_.add(std::move(m_));
  }

 private:
  struct Sig {
    int first;           // stage of the first value
    int last;            // last stage made so far
    int width;
    bool is_signed;
    std::string source;  // stage `first`: a register (empty) or this net
  };

  void ports() {
    m_.port(Dir::in, "clk_i").port(Dir::in, "rst_ni", 1, false, "synchronous, active low");
    m_.port(Dir::in, "in_valid_i").port(Dir::out, "in_ready_o");
    m_.port(Dir::in, "x_i", xw_, true, int8_ && int16_ ? "input code; int8 in bits 7:0" : "input code");
    if (int8_ && int16_) m_.port(Dir::in, "type_i", 1, false, "0: int8, 1: int16");
    if (banks_ > 1) m_.port(Dir::in, "form_i", 1, false, fmt::format("program bank: 0 {}, 1 {}", to_string(g_.forms[0]), to_string(g_.forms[1])));
    m_.port(Dir::out, "out_valid_o").port(Dir::in, "out_ready_i");
    m_.port(Dir::out, "y_o", xw_, true, int8_ && int16_ ? "GELU code; an int8 result sign-extended" : "GELU code");
    m_.port(Dir::in, "prog_we_i", 1, false, "program write (docs/blocks/gelu.md: address map)")
        .port(Dir::in, "prog_addr_i", gelu_map::kAddrBits)
        .port(Dir::in, "prog_wdata_i", gelu_map::kDataBits);
  }

  void handshake() {
    m_.net("adv", 1, false, "the pipeline moves: no result waits");
    m_.comment("One element per cycle; the whole pipeline holds while a result is not taken.");
    m_.assign("adv", "~(out_valid_o & ~out_ready_i)");
    m_.assign("in_ready_o", "adv");
    for (int s = 1; s <= latency_; ++s) {
      m_.net(fmt::format("v{}_q", s));
      ctrl_reset_.push_back(assign(fmt::format("v{}_q", s), "1'b0"));
      ctrl_run_.push_back(assign(fmt::format("v{}_q", s), s == 1 ? "in_valid_i" : fmt::format("v{}_q", s - 1)));
    }
    m_.assign("out_valid_o", fmt::format("v{}_q", latency_));
    if (banks_ > 1 && int16_) define("f", 1, 1, "form_i");
    if (int8_ && int16_) define("t", 1, 1, "type_i");
    if (int16_) define("x", 1, kXBits, "x_i", true);
  }

  // A value of the pipeline first computed into stage `stage` from `next`
  // (an expression of stage - 1), or taken as the net `source` at `stage`.
  void define(const std::string& sig, int stage, int width, const std::string& next, bool is_signed = false) {
    sigs_[sig] = {stage, stage, width, is_signed, ""};
    const std::string reg = fmt::format("{}_{}_q", sig, stage);
    m_.net(reg, width, is_signed);
    data_run_.push_back(assign(reg, next));
  }
  void external(const std::string& sig, int stage, int width, const std::string& source) { sigs_[sig] = {stage, stage, width, false, source}; }

  // The register holding `sig` at `stage`, delaying it as far as needed.
  std::string at(const std::string& sig, int stage) {
    Sig& s = sigs_.at(sig);
    if (stage < s.first) throw std::logic_error(fmt::format("gelu: {} is not yet computed at stage {}", sig, stage));
    auto name = [&](int k) { return k == s.first && !s.source.empty() ? s.source : fmt::format("{}_{}_q", sig, k); };
    for (; s.last < stage; ++s.last) {
      m_.net(name(s.last + 1), s.width, s.is_signed);
      data_run_.push_back(assign(name(s.last + 1), name(s.last)));
    }
    return name(stage);
  }

  // A program register of each bank (`<reg><bank>_q`) and the one the
  // element at `stage` uses.
  void prog_reg(const std::string& reg, int width, gelu_map::Reg16 index, const std::string& comment) {
    for (int b = 0; b < banks_; ++b) {
      const std::string q = fmt::format("{}{}_q", reg, b);
      m_.net(q, width, false, b == 0 ? comment : std::string());
      prog_regs_.push_back(
          if_else(fmt::format("prog_we_i && region == 2'd{} && {}index[2:0] == 3'd{}", static_cast<unsigned>(gelu_map::regs16), bank_is(b), index),
                  {assign(q, fmt::format("prog_wdata_i[{}:0]", width - 1))}));
    }
  }
  std::string bank_is(int b) const { return banks_ > 1 ? fmt::format("bank == 1'b{} && ", b) : std::string(); }
  std::string reg_at(const std::string& reg, int stage) {
    if (banks_ == 1) return reg + "0_q";
    return fmt::format("({} ? {}1_q : {}0_q)", at("f", stage), reg, reg);
  }
  // The read address of a memory of `depth_bits` address bits per bank, for
  // the element at `stage` with index `index`.
  std::string mem_addr(int stage, const std::string& index) { return banks_ > 1 ? fmt::format("{{{}, {}}}", at("f", stage), index) : index; }

  void program_port() {
    const int bank_bits = banks_ > 1 ? 1 : 0;
    m_.net("region", 2).net("index", 10);
    m_.comment("Program port: [12:11] region, [10] bank, [9:0] index.");
    m_.assign("region", fmt::format("prog_addr_i[{}:{}]", gelu_map::kRegionShift + 1, gelu_map::kRegionShift));
    m_.assign("index", fmt::format("prog_addr_i[{}:0]", gelu_map::kBankBit - 1));
    if (bank_bits) m_.net("bank").assign("bank", fmt::format("prog_addr_i[{}]", gelu_map::kBankBit));
    // Bits no decoder reads (aliases, docs/blocks/gelu.md): the table reads
    // index [7:0]; the registers [2:0]; the coefficients [9:8] and [ln-1:0].
    std::vector<std::string> unused;
    if (!bank_bits) unused.push_back(fmt::format("prog_addr_i[{}]", gelu_map::kBankBit));
    const int ln = int16_ ? log2i(g_.segments) : 0;
    if (!int16_) unused.push_back("index[9:8]");
    if (int16_ && !int8_ && ln < 8) unused.push_back(fmt::format("index[7:{}]", ln));
    if (!int16_) unused.push_back(fmt::format("prog_wdata_i[{}:8]", gelu_map::kDataBits - 1));
    if (!unused.empty()) {
      m_.net("prog_unused", 1, false, "program port bits no decoder reads");
      m_.assign("prog_unused", fmt::format("^{{{}}}", fmt::join(unused, ", ")));
    }
  }

  std::string write_addr(int index_bits) { return banks_ > 1 ? fmt::format("{{bank, index[{}:0]}}", index_bits - 1) : fmt::format("index[{}:0]", index_bits - 1); }

  void table8() {
    const int depth = 256 * banks_;
    const std::string mem = gelu_mem(c_, d_, depth, 8);
    m_.net("tab_we").net("tab_rd", 8, true, "the accepted element's table entry (stage 1)");
    m_.comment("int8: the table entry of the input byte, read as the element is accepted.");
    m_.assign("tab_we", fmt::format("prog_we_i & (region == 2'd{})", static_cast<unsigned>(gelu_map::table8)));
    m_.instance(mem, "u_table8",
                {{"clk_i", "clk_i"},
                 {"we_i", "tab_we"},
                 {"waddr_i", write_addr(8)},
                 {"wdata_i", "prog_wdata_i[7:0]"},
                 {"re_i", "adv"},
                 {"raddr_i", banks_ > 1 ? "{form_i, x_i[7:0]}" : "x_i[7:0]"},
                 {"rdata_o", "tab_rd"}});
    external("tab", 1, 8, "tab_rd");
  }

  void datapath16() {
    const int n = g_.segments, deg = g_.degree, ln = log2i(n);
    prog_reg("zin", 16, gelu_map::in_zero, "z_in of each bank");
    prog_reg("zout", 16, gelu_map::out_zero, "z_out");
    prog_reg("mult", gm::kMultBits, gelu_map::relu_mult, "M");
    prog_reg("rsh", kShBits, gelu_map::relu_shift, "sh");
    prog_reg("wsh", kWBits, gelu_map::seg_shift, "w");

    m_.comment("int16, stage 2: d = q - z_in.");
    m_.net("zin_sel", 16, true).assign("zin_sel", reg_at("zin", 1));
    define("d", kStageDiff, kDiffBits, fmt::format("{{{0}[15], {0}}} - {{zin_sel[15], zin_sel}}", at("x", 1)), true);

    m_.comment("Stage 3: a = |d| split as {seg, u * 2^(15 - w)} = {a, 15'b0} >> w; r = max(d, 0).");
    const std::string d2 = at("d", kStageDiff);
    m_.net("mag", kDiffBits).net("split", kSegBits + kOffsetBits).net("d_unused", 1, false, "|d| < 2^16");
    m_.assign("mag", fmt::format("{0}[{1}] ? -{0} : {0}", d2, kDiffBits - 1));
    m_.assign("d_unused", fmt::format("mag[{}]", kDiffBits - 1));
    m_.assign("split", fmt::format("{{mag[15:0], {}'b0}} >> {}", kOffsetBits, reg_at("wsh", kStageDiff)));
    define("r", kStageSeg, 16, fmt::format("{0}[{1}] ? 16'd0 : {0}[15:0]", d2, kDiffBits - 1));
    define("u", kStageSeg, kOffsetBits, fmt::format("split[{}:0]", kOffsetBits - 1));
    define("seg", kStageSeg, ln, fmt::format("split[{}:{}]", kOffsetBits + ln - 1, kOffsetBits));
    define("ok", kStageSeg, 1, fmt::format("split[{}:{}] == {}'d0", kSegBits + kOffsetBits - 1, kOffsetBits + ln, kSegBits - ln),
           false);

    // Coefficient memories: c_k read for the element at stage 3 + 2 (D - k) - 1
    // (c_D at stage 3), its word ready one stage later.
    const std::string mem = gelu_mem(c_, d_, n * banks_, gm::kCoeffBits);
    m_.comment(fmt::format("Coefficient memories c_0..c_{} (word {{bank, segment}}), each read when its Horner step needs it.", deg));
    for (int k = deg; k >= 0; --k) {
      const int read_stage = k == deg ? kStageSeg : kStageSeg + 2 * (deg - k) - 1;
      const std::string rd = fmt::format("c{}_rd", k);
      m_.net(fmt::format("c{}_we", k)).net(rd, gm::kCoeffBits, true);
      m_.assign(fmt::format("c{}_we", k), fmt::format("prog_we_i & (region == 2'd{}) & (index[9:8] == 2'd{})", static_cast<unsigned>(gelu_map::coeffs16), k));
      m_.instance(mem, fmt::format("u_coeff{}", k),
                  {{"clk_i", "clk_i"},
                   {"we_i", fmt::format("c{}_we", k)},
                   {"waddr_i", write_addr(ln)},
                   {"wdata_i", "prog_wdata_i"},
                   {"re_i", "adv"},
                   {"raddr_i", mem_addr(read_stage, at("seg", read_stage))},
                   {"rdata_o", rd}});
      external(fmt::format("c{}", k), read_stage + 1, gm::kCoeffBits, rd);
    }

    // Horner: h_D = c_D; step j = 1..D: the product h * u' into stage 3 + 2j,
    // then h_(D-j) = c_(D-j) + (h * u' >>> 15) into stage 4 + 2j.
    for (int j = 1; j <= deg; ++j) {
      const int ps = kStageSeg + 2 * j, hs = ps + 1;
      const std::string h = j == 1 ? at(fmt::format("c{}", deg), ps - 1) : at(fmt::format("h{}", deg - j + 1), ps - 1);
      const int hw = j == 1 ? gm::kCoeffBits : gm::kHornerBits;
      m_.comment(fmt::format("Horner step {}: h_{} = c_{} + floor(h_{} * u / 2^w).", j, deg - j, deg - j, deg - j + 1));
      const std::string ma = fmt::format("ma{}", j), mb = fmt::format("mb{}", j);
      m_.net(ma, kProdBits, true).net(mb, kProdBits, true);
      m_.assign(ma, fmt::format("{{{{{}{{{}[{}]}}}}, {}}}", kProdBits - hw, h, hw - 1, h));
      m_.assign(mb, fmt::format("{{{}'b0, {}}}", kProdBits - kOffsetBits, at("u", ps - 1)));
      define(fmt::format("p{}", j), ps, kProdBits, fmt::format("{} * {}", ma, mb), true);
      const std::string c = at(fmt::format("c{}", deg - j), ps);
      define(fmt::format("h{}", deg - j), hs, gm::kHornerBits,
             fmt::format("{{{}[{}], {}}} + {}[{}:{}]", c, gm::kCoeffBits - 1, c, at(fmt::format("p{}", j), ps), kProdBits - 1, kOffsetBits), true);
      m_.net(fmt::format("p{}_unused", j), 1, false, "bits below the floor");
      m_.assign(fmt::format("p{}_unused", j), fmt::format("^{}[{}:0]", at(fmt::format("p{}", j), ps), kOffsetBits - 1));
    }

    m_.comment("ReLU: floor(r * M / 2^sh) at stage 5 (clamped at 2^26: the output saturates beyond), plus z_out 2^8 + 2^7 at stage 6.");
    m_.net("rma", kReluProdBits).net("rmb", kReluProdBits);
    m_.assign("rma", fmt::format("{{{}'b0, {}}}", kReluProdBits - 16, at("r", kStageSeg)));
    m_.assign("rmb", fmt::format("{{{}'b0, {}}}", kReluProdBits - gm::kMultBits, reg_at("mult", kStageSeg)));
    define("rm", kStageSeg + 1, kReluProdBits, "rma * rmb");
    m_.net("relu", kReluProdBits).assign("relu", fmt::format("{} >> {}", at("rm", kStageSeg + 1), reg_at("rsh", kStageSeg + 1)));
    define("rs", kStageSeg + 2, kReluClampBit + 1,
           fmt::format("(|relu[{}:{}]) ? {{1'b1, {}'d0}} : {{1'b0, relu[{}:0]}}", kReluProdBits - 1, kReluClampBit, kReluClampBit, kReluClampBit - 1));
    m_.net("zout_sel", 16).assign("zout_sel", reg_at("zout", kStageRelu - 1));
    define("rz", kStageRelu, kSumBits,
           fmt::format("{{1'b0, {}}} + {{{{{}{{zout_sel[15]}}}}, zout_sel, 8'h80}}", at("rs", kStageRelu - 1), kSumBits - 24), true);

    const int sf = final_stage(deg);
    m_.comment("Output: out = clamp((relu + z_out 2^8 + 2^7 - delta) >>> 8), delta = 0 past the last segment.");
    m_.net("delta", gm::kHornerBits, true).net("sum", kSumBits, true).net("sum_unused", 1, false, "below the output LSB");
    m_.assign("delta", fmt::format("{} ? {} : {}'sd0", at("ok", sf), at("h0", sf), gm::kHornerBits));
    m_.assign("sum", fmt::format("{} - {{{{{}{{delta[{}]}}}}, delta}}", at("rz", sf), kSumBits - gm::kHornerBits, gm::kHornerBits - 1));
    m_.assign("sum_unused", "^sum[7:0]");
    m_.net("y16", 16, true);
    // sum[27:8] is within int16 when its bits 27:23 all equal bit 23.
    m_.assign("y16", fmt::format("(sum[{0}:23] == {{{1}{{sum[23]}}}}) ? sum[23:8] : (sum[{0}] ? 16'sh8000 : 16'sh7fff)", kSumBits - 1, kSumBits - 23));
  }

  void output() {
    if (!int16_) {
      m_.assign("y_o", "tab_rd");
      return;
    }
    const int sf = final_stage(g_.degree);
    const std::string y = int8_ ? fmt::format("{0} ? y16 : {{{{8{{{1}[7]}}}}, {1}}}", at("t", sf), at("tab", sf)) : std::string("y16");
    define("y", latency_, kXBits, y, true);
    m_.assign("y_o", at("y", latency_));
  }

  const SocConfig& c_;
  const GeluConfig& g_;
  ir::Design& d_;
  ir::Module m_;
  bool int8_ = false, int16_ = false;
  int banks_ = 1, xw_ = 8, latency_ = 1;
  std::map<std::string, Sig> sigs_;
  std::vector<Stmt> ctrl_reset_, ctrl_run_, data_run_, prog_regs_;
};

}  // namespace

int gelu_latency(const GeluConfig& g) { return g.has(GeluType::int16) ? final_stage(g.degree) + 1 : 1; }

std::string generate_gelu(const SocConfig& c, ir::Design& d) { return GeluBuilder(c, d).build(); }

}  // namespace strata
