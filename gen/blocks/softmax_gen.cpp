#include "blocks/softmax_gen.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <cctype>

#include "golden/softmax.h"

namespace strata {

namespace sm = golden::softmax;

namespace {

using ir::Dir;
using ir::Stmt;

int bits_for(long long v) { return std::max(1, static_cast<int>(std::bit_width(static_cast<unsigned long long>(v)))); }
std::string lit(int width, long long value) { return fmt::format("{}'d{}", width, value); }
std::string sext(const std::string& net, int from, int to) {
  return to == from ? net : fmt::format("{{{{{}{{{}[{}]}}}}, {}}}", to - from, net, from - 1, net);
}
std::string zext(const std::string& expr, int from, int to) { return to == from ? expr : fmt::format("{{{}'b0, {}}}", to - from, expr); }

// Phases of the unit (ph_q).
constexpr int kLoad = 0, kSum = 1, kRecip = 2, kOut = 3;
// Division steps: step 0 normalises the sum, steps 1..18 take one quotient bit each.
constexpr int kDivSteps = sm::kSigBits;

template <class E>
int code_of(E e) {
  return static_cast<int>(e);
}

class SoftmaxBuilder {
 public:
  SoftmaxBuilder(const SocConfig& c, ir::Design& d) : c_(c), s_(*c.softmax), d_(d), sh_(softmax_shape(s_)) {}

  std::string build() {
    m_.name = c_.name + "_softmax";
    std::vector<std::string_view> algs, ins, outs;
    for (auto a : s_.algorithms) algs.push_back(sm::name(a));
    for (auto t : s_.in_types) ins.push_back(sm::name(t));
    for (auto t : s_.out_types) outs.push_back(sm::name(t));
    m_.description = fmt::format("Softmax unit: algorithms {}, vectors of 1 to {} {} logits, {} codes.", fmt::join(algs, "/"), s_.max_length,
                                 fmt::join(ins, "/"), fmt::join(outs, "/"));
    has3_ = has(sm::Algorithm::three_pass);
    has_on_ = has(sm::Algorithm::online);
    has2_ = has(sm::Algorithm::two_pass);
    const std::string rom = exp2_rom();
    ports();
    selects();
    control();
    stage1();
    stage2(rom);
    stage3();
    consumer();
    reciprocal();
    output();
    unused_selects();
    m_.comment("Control registers (reset).");
    m_.ff({ir::if_else("!rst_ni", ctrl_reset_, ctrl_run_)});
    m_.comment("Datapath registers (no reset).");
    m_.ff(data_run_);
    return d_.add(std::move(m_));
  }

 private:
  bool has(sm::Algorithm a) const { return std::find(s_.algorithms.begin(), s_.algorithms.end(), a) != s_.algorithms.end(); }
  bool has(sm::InType t) const { return std::find(s_.in_types.begin(), s_.in_types.end(), t) != s_.in_types.end(); }
  bool has(sm::OutType t) const { return std::find(s_.out_types.begin(), s_.out_types.end(), t) != s_.out_types.end(); }

  // The 2^f table: T[k] (16 bits) and D[k] = T[k+1] - T[k], read with a register.
  std::string exp2_rom() {
    const auto& tab = sm::exp2_table();
    std::uint32_t dmax = 0;
    for (int k = 0; k < 256; ++k) dmax = std::max(dmax, tab[static_cast<std::size_t>(k + 1)] - tab[static_cast<std::size_t>(k)]);
    dw_ = bits_for(dmax);
    ir::Module r;
    r.name = c_.name + "_softmax_exp2";
    r.description = "2^(k/256) table of the softmax unit: T[k] = round(2^(k/256) * 2^16) - 2^16 and D[k] = T[k+1] - T[k], registered.";
    r.port(Dir::in, "clk_i").port(Dir::in, "en_i", 1, false, "take a new address").port(Dir::in, "k_i", 8);
    r.port(Dir::out, "t_o", 16).port(Dir::out, "d_o", dw_);
    r.net("t_q", 16).net("d_q", dw_);
    std::vector<std::pair<std::string, std::vector<Stmt>>> branches;
    for (int k = 0; k < 256; ++k) {
      const auto t = tab[static_cast<std::size_t>(k)], dk = tab[static_cast<std::size_t>(k + 1)] - t;
      branches.emplace_back(lit(8, k), std::vector<Stmt>{ir::assign("t_q", lit(16, t)), ir::assign("d_q", lit(dw_, dk))});
    }
    r.ff({ir::if_else("en_i", {ir::case_of("k_i", branches)})});
    r.assign("t_o", "t_q").assign("d_o", "d_q");
    return d_.add(std::move(r));
  }

  void ports() {
    const int iw = sh_.in_bits, ow = sh_.out_bits;
    m_.port(Dir::in, "clk_i").port(Dir::in, "rst_ni", 1, false, "synchronous, active low");
    m_.port(Dir::in, "in_valid_i").port(Dir::out, "in_ready_o");
    m_.port(Dir::in, "in_data_i", iw, false, iw == 16 && has(sm::InType::int8) ? "logit (int8: bits 7:0)" : "logit");
    m_.port(Dir::in, "in_last_i", 1, false, "last logit of a vector");
    if (s_.algorithms.size() > 1) m_.port(Dir::in, "alg_i", 2, false, "algorithm: 0 three_pass, 1 online, 2 two_pass (taken with a vector's first logit)");
    if (s_.in_types.size() > 1) m_.port(Dir::in, "in_type_i", 1, false, "0 int8, 1 int16 (taken with a vector's first logit)");
    if (s_.out_types.size() > 1) m_.port(Dir::in, "out_type_i", 2, false, "0 uint8, 1 uint16, 2 int8 (taken with a vector's first logit)");
    m_.port(Dir::in, "mult_i", sm::kMultBits, false, "scale M: S * log2(e) = M * 2^-(s+8) (taken with a vector's first logit)");
    m_.port(Dir::in, "shift_i", 5, false, "scale s");
    m_.port(Dir::out, "out_valid_o").port(Dir::in, "out_ready_i");
    m_.port(Dir::out, "out_code_o", ow, false, ow == 16 && s_.out_types.size() > 1 ? "probability code (8-bit types: bits 7:0)" : "probability code");
    m_.port(Dir::out, "out_last_o", 1, false, "code of a vector's last logit");
    m_.port(Dir::out, "out_sum_o", sh_.sum_bits, false, "the vector's sum S, units of 2^-24 (with every code)");
    m_.port(Dir::out, "out_recip_o", sm::kRecipBits, false, "the vector's reciprocal R, units of 2^-17 (with every code)");
  }

  // Per-vector selects, registered with the first logit: sel nets for the
  // algorithms and types the config has (the first listed is the default).
  void selects() {
    m_.net("mult_q", sm::kMultBits).net("shift_q", 5);
    m_.net("take_cfg", 1, false, "a vector's first logit is accepted");
    std::vector<Stmt> take{ir::assign("mult_q", "mult_i"), ir::assign("shift_q", "shift_i")};
    auto select = [&](const std::string& reg, int w, const std::string& port, const std::vector<int>& codes, const std::vector<std::string>& names) {
      if (codes.size() > 1) {
        m_.net(reg, w);
        take.push_back(ir::assign(reg, port));
      }
      for (std::size_t i = 0; i < codes.size(); ++i) {
        m_.net("is_" + names[i]);
        if (codes.size() == 1)
          m_.assign("is_" + names[i], "1'b1");
        else if (i == 0) {
          std::vector<std::string> others;
          for (std::size_t j = 1; j < codes.size(); ++j) others.push_back("is_" + names[j]);
          m_.assign("is_" + names[i], fmt::format("~({})", fmt::join(others, " | ")));
        } else {
          m_.assign("is_" + names[i], fmt::format("{} == {}", reg, lit(w, codes[i])));
        }
      }
    };
    std::vector<int> ac, ic, oc;
    std::vector<std::string> an, in, on;
    for (auto a : s_.algorithms) ac.push_back(code_of(a)), an.emplace_back(sm::name(a));
    for (auto t : s_.in_types) ic.push_back(code_of(t)), in.push_back("in_" + std::string(sm::name(t)));
    for (auto t : s_.out_types) oc.push_back(code_of(t)), on.push_back("out_" + std::string(sm::name(t)));
    m_.comment("Selects of the vector in flight (codes the config lacks run the first listed).");
    select("alg_q", 2, "alg_i", ac, an);
    select("in_type_q", 1, "in_type_i", ic, in);
    select("out_type_q", 2, "out_type_i", oc, on);
    data_run_.push_back(ir::if_else("take_cfg", take));
  }

  // Phases, the buffer address counter and the handshakes.
  void control() {
    const int aw = sh_.addr_bits;
    m_.net("ph_q", 2, false, "0 load (first pass), 1 sum (three_pass), 2 reciprocal, 3 output");
    m_.net("loaded_q", 1, false, "the vector's last logit is in");
    m_.net("issuing_q", 1, false, "reading the buffer for a pass");
    m_.net("cnt_q", aw, false, "buffer address: written in load, read in sum and output");
    m_.net("last_idx_q", aw, false, "index of the vector's last logit");
    m_.net("div_q", 5, false, "reciprocal step");
    m_.net("stall", 1, false, "a code waits for out_ready_i");
    m_.net("accept").net("in_end").net("rd_issue").net("issue_last").net("done4", 1, false, "the pass's last element reaches stage 4");
    m_.net("out_take", 1, false, "a code is taken");
    m_.memory("buf_q", sh_.in_bits, sh_.depth, "vector buffer");
    m_.net("mem_q", sh_.in_bits, false, "buffer read register");
    m_.comment("Handshakes: the whole pipeline holds while a code is not taken.");
    m_.assign("stall", "out_valid_o & ~out_ready_i");
    m_.assign("in_ready_o", fmt::format("(ph_q == {}) & ~loaded_q", lit(2, kLoad)));
    m_.assign("accept", "in_valid_i & in_ready_o");
    m_.assign("take_cfg", fmt::format("accept & (cnt_q == {})", lit(aw, 0)));
    m_.assign("in_end", fmt::format("in_last_i | (cnt_q == {})", lit(aw, s_.max_length - 1)));
    m_.assign("rd_issue", "issuing_q & ~stall");
    m_.assign("issue_last", "cnt_q == last_idx_q");
    m_.assign("done4", "v4_q & last4_q & ~stall");
    m_.assign("out_take", "out_valid_o & out_ready_i");

    std::string after_load = has3_ ? (s_.algorithms.size() == 1 ? "1'b1" : "is_three_pass") : "1'b0";
    ctrl_reset_ = {ir::assign("ph_q", lit(2, kLoad)), ir::assign("loaded_q", "1'b0"), ir::assign("issuing_q", "1'b0"), ir::assign("cnt_q", lit(aw, 0)),
                   ir::assign("div_q", lit(5, 0)), ir::assign("v1_q", "1'b0"), ir::assign("v2_q", "1'b0"), ir::assign("v3_q", "1'b0"),
                   ir::assign("v4_q", "1'b0"), ir::assign("v5_q", "1'b0"), ir::assign("out_valid_q", "1'b0")};
    ctrl_run_.push_back(ir::if_else("accept", {ir::assign("cnt_q", fmt::format("in_end ? {} : cnt_q + {}", lit(aw, 0), lit(aw, 1))),
                                               ir::if_else("in_end", {ir::assign("loaded_q", "1'b1"), ir::assign("last_idx_q", "cnt_q")})}));
    ctrl_run_.push_back(ir::if_else("rd_issue", {ir::assign("cnt_q", fmt::format("issue_last ? {} : cnt_q + {}", lit(aw, 0), lit(aw, 1))),
                                                 ir::if_else("issue_last", {ir::assign("issuing_q", "1'b0")})}));
    std::vector<std::pair<std::string, std::vector<Stmt>>> phases;
    phases.emplace_back(lit(2, kLoad), std::vector<Stmt>{ir::if_else(
                                           "done4", {ir::assign("loaded_q", "1'b0"),
                                                     ir::if_else(after_load, {ir::assign("ph_q", lit(2, kSum)), ir::assign("issuing_q", "1'b1")},
                                                                 {ir::assign("ph_q", lit(2, kRecip))})})});
    phases.emplace_back(lit(2, kSum), std::vector<Stmt>{ir::if_else("done4", {ir::assign("ph_q", lit(2, kRecip))})});
    phases.emplace_back(lit(2, kRecip), std::vector<Stmt>{ir::if_else(fmt::format("div_q == {}", lit(5, kDivSteps)),
                                                                      {ir::assign("div_q", lit(5, 0)), ir::assign("ph_q", lit(2, kOut)),
                                                                       ir::assign("issuing_q", "1'b1")},
                                                                      {ir::assign("div_q", fmt::format("div_q + {}", lit(5, 1)))})});
    phases.emplace_back("default", std::vector<Stmt>{ir::if_else("out_take & out_last_o", {ir::assign("ph_q", lit(2, kLoad))})});
    ctrl_run_.push_back(ir::case_of("ph_q", phases));
    ctrl_run_.push_back(ir::if_else("!stall", {ir::assign("v1_q", "accept | issuing_q"), ir::assign("v2_q", "v1_q"), ir::assign("v3_q", "v2_q"),
                                               ir::assign("v4_q", "v3_q"), ir::assign("v5_q", fmt::format("v4_q & (ph_q == {})", lit(2, kOut))),
                                               ir::assign("out_valid_q", "v5_q")}));
    m_.comment("The buffer: written as logits arrive, read (registered) in the later passes.");
    data_run_.push_back(ir::if_else("accept", {ir::assign("buf_q[cnt_q]", "in_data_i")}));
    data_run_.push_back(ir::if_else("!stall", {ir::assign("mem_q", "buf_q[cnt_q]")}));
  }

  // Stage 1: the logit (from the input in load, from the buffer after), the
  // running maximum, the exponent's argument v and the product v * M.
  void stage1() {
    const int ib = sh_.in_bits, vw = ib + 1, pw = vw + 17;
    m_.net("v1_q").net("last1_q").net("first1_q").net("in_q", ib).net("raw1", ib).net("q1", ib, true, "the logit");
    m_.net("mx_q", ib, true, "running maximum (three_pass, online)").net("gt1", 1, false, "the logit is above the running maximum");
    m_.net("v1", vw, true, "argument of the exponential").net("p1", pw, true, "v * M");
    m_.comment("Stage 1: logit, running maximum, v = |q - max| (two_pass: -q), v * M.");
    m_.assign("raw1", fmt::format("(ph_q == {}) ? in_q : mem_q", lit(2, kLoad)));
    if (ib == 16 && has(sm::InType::int8))
      m_.assign("q1", s_.in_types.size() > 1 ? "is_in_int16 ? raw1 : {{8{raw1[7]}}, raw1[7:0]}" : "{{8{raw1[7]}}, raw1[7:0]}");
    else
      m_.assign("q1", "raw1");
    m_.assign("gt1", "q1 > mx_q");
    const std::string q = sext("q1", ib, vw), mx = sext("mx_q", ib, vw);
    const std::string vmax = fmt::format("gt1 ? {0} - {1} : {1} - {0}", q, mx);
    if (!has3_ && !has_on_)
      m_.assign("v1", "-" + q);
    else if (!has2_)
      m_.assign("v1", vmax);
    else
      m_.assign("v1", fmt::format("is_two_pass ? -{} : ({})", q, vmax));
    m_.assign("p1", fmt::format("$signed({}) * $signed({})", sext("v1", vw, pw), zext("mult_q", sm::kMultBits, pw)));
    data_run_.push_back(ir::if_else("!stall", {ir::assign("in_q", "in_data_i"), ir::assign("last1_q", "accept ? in_end : issue_last"),
                                               ir::assign("first1_q", fmt::format("cnt_q == {}", lit(sh_.addr_bits, 0)))}));
    data_run_.push_back(ir::if_else(fmt::format("v1_q & (ph_q == {}) & (first1_q | gt1)", lit(2, kLoad)), {ir::assign("mx_q", "q1")}));
    pw_ = pw;
  }

  // Stage 2: w = floor((p * 2^9 + 2^s) / 2^(s+1)), n = ceil(w / 2^16),
  // f = n * 2^16 - w; the table is addressed by f's top 8 bits.
  void stage2(const std::string& rom) {
    const int pw = pw_, ww = pw + 10, nw = sh_.n_bits;
    m_.net("v2_q").net("last2_q").net("first2_q").net("gt2_q").net("p2_q", pw, true);
    m_.net("x2", ww, true).net("w2", ww, true, "base-2 exponent, units of 2^-16").net("n2f", ww, true).net("negw2", ww);
    m_.net("n2", nw, true).net("k2", 8).net("fl2", 8).net("n2_unused");
    m_.comment("Stage 2: w, n = ceil(w / 2^16), f = -w mod 2^16 = {k, fl}.");
    m_.assign("x2", fmt::format("{{p2_q[{}], p2_q, 9'b0}} + ({} << shift_q)", pw - 1, lit(ww, 1)));
    m_.assign("w2", fmt::format("x2 >>> ({{1'b0, shift_q}} + {})", lit(6, 1)));
    m_.assign("n2f", fmt::format("(w2 + {}'sd65535) >>> 16", ww));
    m_.assign("negw2", "-w2");
    m_.assign("n2", fmt::format("n2f[{}:0]", nw - 1));
    m_.assign("k2", "negw2[15:8]").assign("fl2", "negw2[7:0]");
    m_.assign("n2_unused", fmt::format("^{{n2f[{}:{}], negw2[{}:16]}}", ww - 1, nw, ww - 1));
    data_run_.push_back(ir::if_else("!stall", {ir::assign("p2_q", "p1"), ir::assign("last2_q", "last1_q"), ir::assign("first2_q", "first1_q"),
                                               ir::assign("gt2_q", "gt1")}));
    m_.net("t3_tab", 16).net("d3_tab", dw_);
    m_.instance(rom, "u_exp2", {{"clk_i", "clk_i"}, {"en_i", "~stall"}, {"k_i", "k2"}, {"t_o", "t3_tab"}, {"d_o", "d3_tab"}});
  }

  // Stage 3: t = T[k] + floor((D[k] * fl + 128) / 256).
  void stage3() {
    const int nw = sh_.n_bits, cw = dw_ + 8;
    m_.net("v3_q").net("last3_q").net("first3_q").net("gt3_q").net("n3_q", nw, true).net("fl3_q", 8);
    m_.net("chord3", cw).net("tsum3", 17).net("t3", 16).net("t3_unused");
    m_.comment("Stage 3: the chord between table entries.");
    m_.assign("chord3", fmt::format("{} * {} + {}", zext("d3_tab", dw_, cw), zext("fl3_q", 8, cw), lit(cw, 128)));
    m_.assign("tsum3", fmt::format("{{1'b0, t3_tab}} + {}", zext(fmt::format("chord3[{}:8]", cw - 1), cw - 8, 17)));
    m_.assign("t3", "tsum3[15:0]");
    m_.assign("t3_unused", "^{tsum3[16], chord3[7:0]}");
    data_run_.push_back(ir::if_else("!stall", {ir::assign("n3_q", "n2"), ir::assign("fl3_q", "fl2"), ir::assign("last3_q", "last2_q"),
                                               ir::assign("first3_q", "first2_q"), ir::assign("gt3_q", "gt2_q")}));
  }

  // rsh(x, d) = floor((2x + 2^d) / 2^(d+1)) as nets <out>_y, <out>_r and <out>.
  void rsh(const std::string& out, const std::string& x, int wx, const std::string& d) {
    m_.net(out + "_y", wx + 1).net(out + "_r", wx + 2).net(out, wx).net(out + "_unused");
    m_.assign(out + "_y", fmt::format("{{{}, 1'b0}} >> {}", x, d));
    m_.assign(out + "_r", fmt::format("{{1'b0, {}_y}} + {}", out, lit(wx + 2, 1)));
    m_.assign(out, fmt::format("{}_r[{}:1]", out, wx));
    m_.assign(out + "_unused", fmt::format("^{{{0}_r[{1}], {0}_r[0]}}", out, wx + 1));
  }
  // min(max(x, 0), max) of a signed w-bit net, as a net of bits_for(max) bits.
  void sat(const std::string& out, const std::string& x, int w, int max) {
    const int ow = bits_for(max);
    m_.net(out, ow);
    m_.assign(out, fmt::format("{0}[{1}] ? {2} : ({0}[{3}:0] > {4}) ? {5} : {0}[{6}:0]", x, w - 1, lit(ow, 0), w - 2, lit(w - 1, max), lit(ow, max), ow - 1));
  }

  // Stage 4: the pass's consumer: the sums of the first passes.
  void consumer() {
    const int nw = sh_.n_bits, sw = sh_.sum_bits;
    const std::string load_v3 = fmt::format("v3_q & (ph_q == {})", lit(2, kLoad));
    // Stage 3 finds every shift of stage 4's sums (two_pass: against the
    // smallest n so far, kept here one stage early), so the sums' loops
    // hold only the shifters and adders.
    m_.net("d_rel3", nw + 1, true, "n relative to the reference exponent: n (two_pass: n - r)");
    const std::string n3 = sext("n3_q", nw, nw + 1);
    if (has2_) {
      m_.net("r_q", nw, true, "two_pass: the smallest n of the logits past stage 3");
      const std::string rel = fmt::format("{} - {}", n3, sext("r_q", nw, nw + 1));
      m_.assign("d_rel3", !has3_ && !has_on_ ? rel : fmt::format("is_two_pass ? {} : {}", rel, n3));
    } else {
      m_.assign("d_rel3", n3);
    }
    sat("d_term3", "d_rel3", nw + 1, 26);
    m_.net("v4_q").net("last4_q").net("first4_q").net("gt4_q").net("t4_q", 16).net("d_term4_q", bits_for(26));
    m_.net("sum_q", sw, false, "S").net("term_base", 25, false, "(1 + t/2^16) in units of 2^-24");
    std::vector<Stmt> s4{ir::assign("t4_q", "t3"), ir::assign("last4_q", "last3_q"), ir::assign("first4_q", "first3_q"), ir::assign("gt4_q", "gt3_q"),
                         ir::assign("d_term4_q", "d_term3")};
    m_.comment("Stage 4: a term (1 + t/2^16) * 2^-d, the running sums.");
    m_.assign("term_base", "{1'b1, t4_q, 8'b0}");
    rsh("term", "term_base", 25, "d_term4_q");
    const std::string add = fmt::format("sum_q + {}", zext("term", 25, sw));
    std::vector<Stmt> load;
    if (has_on_) {
      m_.net("resc_p", sw + 17).net("d_resc_x", nw + 1, true).net("d_resc4_q", bits_for(sw + 18));
      m_.assign("d_resc_x", fmt::format("{} + {}", n3, lit(nw + 1, 16)));
      sat("d_resc3", "d_resc_x", nw + 1, sw + 18);
      s4.push_back(ir::assign("d_resc4_q", "d_resc3"));
      m_.assign("resc_p", fmt::format("{} * {}", zext("sum_q", sw, sw + 17), zext("{1'b1, t4_q}", 17, sw + 17)));
      rsh("resc", "resc_p", sw + 17, "d_resc4_q");
      m_.net("resc_hi_unused").assign("resc_hi_unused", fmt::format("^resc[{}:{}]", sw + 16, sw));
      m_.net("sum_resc", sw);
      m_.assign("sum_resc", fmt::format("resc[{}:0] + {}", sw - 1, lit(sw, 1 << 24)));
      std::vector<Stmt> on{ir::if_else("first4_q", {ir::assign("sum_q", lit(sw, 1 << 24))},
                                       {ir::if_else("gt4_q", {ir::assign("sum_q", "sum_resc")}, {ir::assign("sum_q", add)})})};
      load.push_back(s_.algorithms.size() == 1 ? on[0] : ir::if_else("is_online", on));
    }
    if (has2_) {
      m_.net("d_down_x", nw + 1, true).net("below3", 1, false, "n < r: the sum moves down to the new reference");
      m_.net("below4_q").net("d_down4_q", bits_for(sw + 1));
      m_.assign("d_down_x", fmt::format("{} - {}", sext("r_q", nw, nw + 1), n3));
      m_.assign("below3", "n3_q < r_q");
      sat("d_down3", "d_down_x", nw + 1, sw + 1);
      s4.push_back(ir::assign("below4_q", "below3"));
      s4.push_back(ir::assign("d_down4_q", "d_down3"));
      std::vector<Stmt> rmin{ir::if_else("first3_q | below3", {ir::assign("r_q", "n3_q")})};
      data_run_.push_back(ir::if_else(load_v3 + (s_.algorithms.size() == 1 ? "" : " & is_two_pass"), rmin));
      rsh("down", "sum_q", sw, "d_down4_q");
      m_.net("sum_down", sw).assign("sum_down", fmt::format("down + {}", zext("term_base", 25, sw)));
      std::vector<Stmt> two{ir::if_else("first4_q", {ir::assign("sum_q", zext("term_base", 25, sw))},
                                        {ir::if_else("below4_q", {ir::assign("sum_q", "sum_down")}, {ir::assign("sum_q", add)})})};
      load.push_back(s_.algorithms.size() == 1 ? two[0] : ir::if_else("is_two_pass", two));
    }
    data_run_.push_back(ir::if_else("!stall", s4));
    std::vector<Stmt> upd;
    if (!load.empty()) upd.push_back(ir::if_else(fmt::format("v4_q & (ph_q == {})", lit(2, kLoad)), load));
    if (has3_) {
      upd.push_back(ir::if_else(fmt::format("v4_q & (ph_q == {})", lit(2, kSum)), {ir::assign("sum_q", add)}));
      upd.push_back(ir::if_else(fmt::format("done4 & (ph_q == {})", lit(2, kLoad)) + (s_.algorithms.size() == 1 ? "" : " & is_three_pass"),
                                {ir::assign("sum_q", lit(sw, 0))}));
    }
    for (auto& u : upd) data_run_.push_back(std::move(u));
  }

  // The reciprocal: k = msb(S) - 24, sig = S >> (k + 7) (18 bits), then
  // R = floor((2^34 + floor(sig / 2)) / sig) by restoring division, one
  // quotient bit per cycle, clamped to 2^17 - 1.
  void reciprocal() {
    const int sw = sh_.sum_bits, kmax = sw - 25, kw = bits_for(kmax);
    kw_ = kw;
    m_.net("k_n", kw, false, "msb(S) - 24").net("k_q", kw).net("sig_x", sw).net("sig", sm::kSigBits).net("sig_unused");
    m_.net("sig_q", sm::kSigBits).net("rem_q", sm::kSigBits).net("nlo_q", sm::kSigBits, false, "numerator bits still to bring down");
    m_.net("quo_q", sm::kSigBits).net("rem2", sm::kSigBits + 1).net("ge").net("rem_sub", sm::kSigBits + 1).net("recip", sm::kRecipBits);
    m_.comment("Reciprocal: normalise the sum, then one quotient bit per cycle.");
    std::vector<Stmt> pe{ir::assign("k_n", lit(kw, 0))};
    for (int j = 1; j <= kmax; ++j) pe.push_back(ir::if_else(fmt::format("sum_q[{}]", 24 + j), {ir::assign("k_n", lit(kw, j))}));
    m_.comb(pe);
    m_.assign("sig_x", fmt::format("sum_q >> ({} + {})", zext("k_n", kw, 6), lit(6, 7)));
    m_.assign("sig", fmt::format("sig_x[{}:0]", sm::kSigBits - 1));
    m_.assign("sig_unused", sw > sm::kSigBits ? fmt::format("^sig_x[{}:{}]", sw - 1, sm::kSigBits) : "1'b0");
    m_.assign("rem2", "{rem_q, nlo_q[17]}");
    m_.assign("ge", "rem2 >= {1'b0, sig_q}");
    m_.assign("rem_sub", "rem2 - {1'b0, sig_q}");
    m_.assign("recip", "quo_q[17] ? 17'h1ffff : quo_q[16:0]");
    data_run_.push_back(ir::if_else(
        fmt::format("ph_q == {}", lit(2, kRecip)),
        {ir::if_else(fmt::format("div_q == {}", lit(5, 0)),
                     {ir::assign("k_q", "k_n"), ir::assign("sig_q", "sig"), ir::assign("rem_q", lit(18, 1 << 16)), ir::assign("nlo_q", "{1'b0, sig[17:1]}"),
                      ir::assign("quo_q", lit(18, 0))},
                     {ir::assign("rem_q", "ge ? rem_sub[17:0] : rem2[17:0]"), ir::assign("nlo_q", "{nlo_q[16:0], 1'b0}"),
                      ir::assign("quo_q", "{quo_q[16:0], ge}")})}));
    m_.net("div_unused").assign("div_unused", "^{rem_sub[18], rem2[18], sig[0]}");
  }

  // The output pass: c = rsh((2^16 + t) R, 33 - B + min(d, B + 2)), clamped.
  void output() {
    const int nw = sh_.n_bits, ow = sh_.out_bits;
    const bool b16 = has(sm::OutType::uint16), b8 = has(sm::OutType::uint8) || has(sm::OutType::int8);
    m_.net("out_valid_q").net("out_code_q", ow).net("out_last_q").net("code", ow);
    m_.net("d_out", nw + 2, true, "d = n + k (two_pass: n - r + k)").net("q_out", 34, false, "(2^16 + t) * R");
    m_.net("sh4_q", 6, false, "the code's shift 33 - B + min(d, B + 2), one stage ahead");
    m_.comment("Output pass: the code of each logit; its shift is found in stage 3.");
    m_.assign("d_out", fmt::format("{} + {}", sext("d_rel3", nw + 1, nw + 2), zext("k_q", kw_, nw + 2)));
    m_.assign("q_out", fmt::format("{} * {}", zext("{1'b1, t4_q}", 17, 34), zext("recip", sm::kRecipBits, 34)));
    if (b16 && b8) {
      sat("dm16", "d_out", nw + 2, 18);
      sat("dm8", "d_out", nw + 2, 10);
      m_.net("sh_out", 6).assign("sh_out", fmt::format("is_out_uint16 ? {} + {} : {} + {}", lit(6, 17), zext("dm16", 5, 6), lit(6, 25), zext("dm8", 4, 6)));
    } else if (b16) {
      sat("dm16", "d_out", nw + 2, 18);
      m_.net("sh_out", 6).assign("sh_out", fmt::format("{} + {}", lit(6, 17), zext("dm16", 5, 6)));
    } else {
      sat("dm8", "d_out", nw + 2, 10);
      m_.net("sh_out", 6).assign("sh_out", fmt::format("{} + {}", lit(6, 25), zext("dm8", 4, 6)));
    }
    data_run_.push_back(ir::if_else("!stall", {ir::assign("sh4_q", "sh_out")}));
    m_.net("v5_q", 1, false, "stage 5 (output pass only): the product and its shift").net("q5_q", 34).net("sh5_q", 6).net("last5_q");
    data_run_.push_back(ir::if_else("!stall", {ir::assign("q5_q", "q_out"), ir::assign("sh5_q", "sh4_q"), ir::assign("last5_q", "last4_q")}));
    rsh("c_out", "q5_q", 34, "sh5_q");
    std::string c16 = "(|c_out[33:16]) ? 16'hffff : c_out[15:0]", c8 = "(|c_out[33:8]) ? 8'hff : c_out[7:0]";
    m_.net("c8", 8).assign("c8", c8);
    std::string code8 = "c8";
    if (has(sm::OutType::int8)) {
      code8 = has(sm::OutType::uint8) || b16 ? "is_out_int8 ? {~c8[7], c8[6:0]} : c8" : "{~c8[7], c8[6:0]}";
    }
    if (b16) m_.net("c16", 16).assign("c16", c16);
    if (b16 && b8)
      m_.assign("code", fmt::format("is_out_uint16 ? c16 : {{8'b0, {}}}", code8));
    else if (b16)
      m_.assign("code", "c16");
    else
      m_.assign("code", code8);
    if (!b8) m_.net("c8_unused").assign("c8_unused", "^c8");
    data_run_.push_back(ir::if_else("!stall", {ir::assign("out_code_q", "code"), ir::assign("out_last_q", "last5_q")}));
    m_.assign("out_valid_o", "out_valid_q").assign("out_code_o", "out_code_q").assign("out_last_o", "out_last_q");
    m_.assign("out_sum_o", "sum_q").assign("out_recip_o", "recip");
  }

  // A select net no expression reads (a default, or one whose hardware the
  // config leaves out) is consumed by sel_unused.
  static bool reads(const std::vector<Stmt>& body, const std::string& net) {
    for (const Stmt& st : body) {
      if (mentions(st.expr, net) || reads(st.then_body, net) || reads(st.else_body, net)) return true;
      for (const auto& [label, b] : st.branches)
        if (reads(b, net)) return true;
    }
    return false;
  }
  static bool mentions(const std::string& text, const std::string& net) {
    for (std::size_t at = text.find(net); at != std::string::npos; at = text.find(net, at + 1)) {
      auto word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
      if ((at == 0 || !word(text[at - 1])) && (at + net.size() == text.size() || !word(text[at + net.size()]))) return true;
    }
    return false;
  }
  void unused_selects() {
    std::vector<std::string> unread;
    for (const auto& n : m_.nets) {
      if (n.name.rfind("is_", 0) != 0 && n.name != "gt4_q" && n.name != "first4_q") continue;
      bool read = reads(ctrl_run_, n.name) || reads(data_run_, n.name);
      for (const auto& item : m_.body) {
        if (const auto* a = std::get_if<ir::ContAssign>(&item)) read = read || (a->lhs != n.name && mentions(a->rhs, n.name));
        if (const auto* pr = std::get_if<ir::Process>(&item)) read = read || reads(pr->body, n.name);
      }
      if (!read) unread.push_back(n.name);
    }
    if (!unread.empty()) m_.net("sel_unused").assign("sel_unused", unread.size() == 1 ? unread[0] : fmt::format("^{{{}}}", fmt::join(unread, ", ")));
  }

  const SocConfig& c_;
  const SoftmaxConfig& s_;
  ir::Design& d_;
  SoftmaxShape sh_;
  ir::Module m_;
  bool has3_ = false, has_on_ = false, has2_ = false;
  int dw_ = 9, pw_ = 0, kw_ = 1;
  std::vector<Stmt> ctrl_reset_, ctrl_run_, data_run_;
};

}  // namespace

SoftmaxShape softmax_shape(const SoftmaxConfig& s) {
  const bool in16 = std::find(s.in_types.begin(), s.in_types.end(), sm::InType::int16) != s.in_types.end();
  const bool out16 = std::find(s.out_types.begin(), s.out_types.end(), sm::OutType::uint16) != s.out_types.end();
  SoftmaxShape sh{};
  sh.in_bits = in16 ? 16 : 8;
  sh.out_bits = out16 ? 16 : 8;
  sh.sum_bits = sm::sum_bits(s.max_length);
  sh.n_bits = sh.in_bits + 10;
  sh.depth = std::max(2, s.max_length);
  sh.addr_bits = bits_for(sh.depth - 1);
  return sh;
}

std::string generate_softmax(const SocConfig& c, ir::Design& d) { return SoftmaxBuilder(c, d).build(); }

nlohmann::json softmax_interface_json(const SocConfig& c) {
  const SoftmaxShape sh = softmax_shape(*c.softmax);
  nlohmann::json alg = nlohmann::json::object(), in = nlohmann::json::object(), out = nlohmann::json::object();
  for (auto a : c.softmax->algorithms) alg[std::string(sm::name(a))] = code_of(a);
  for (auto t : c.softmax->in_types) in[std::string(sm::name(t))] = code_of(t);
  for (auto t : c.softmax->out_types) out[std::string(sm::name(t))] = code_of(t);
  return {{"module", c.name + "_softmax"}, {"in_width", sh.in_bits},   {"out_width", sh.out_bits}, {"sum_width", sh.sum_bits},
          {"max_length", c.softmax->max_length}, {"algorithm_codes", alg}, {"in_type_codes", in}, {"out_type_codes", out}};
}

}  // namespace strata
