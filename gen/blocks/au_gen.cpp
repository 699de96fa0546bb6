#include "blocks/au_gen.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "blocks/au_lanes.h"
#include "golden/au.h"

namespace strata {

namespace {

using golden::Format;
using ir::Dir;
using ir::Stmt;

std::string lit(int width, long long value) { return fmt::format("{}'d{}", width, value); }
std::string zext(const std::string& expr, int from, int to) { return to == from ? expr : fmt::format("{{{}'b0, {}}}", to - from, expr); }

// Net `x` (w bits, two's complement) times 2^shift (shift < 0: the low bits
// are zero by construction and dropped), as a `to`-bit signed expression.
std::string scaled(const std::string& x, int w, int shift, int to) {
  const int lo = shift < 0 ? -shift : 0, pad = shift > 0 ? shift : 0;
  const int avail = w - lo;
  std::string body = fmt::format("{}[{}:{}]", x, lo + std::min(avail, to - pad) - 1, lo);
  if (avail + pad < to) body = fmt::format("{{{}{{{}[{}]}}}}, {}", to - avail - pad, x, w - 1, body);
  if (pad > 0) body = fmt::format("{}, {}'b0", body, pad);
  return "{" + body + "}";
}

std::string code_label(Format f) { return lit(golden::kFormatCodeBits, static_cast<unsigned>(f)); }

// Builds the AU: ports, pipeline, beat datapath (shared or per format),
// accumulator and read-out.
class AuBuilder {
 public:
  AuBuilder(const SocConfig& c, ir::Design& d, bool bounded)
      : c_(c), d_(d), spec_(au_spec(c)), shape_(golden::au_shape(spec_.formats, spec_.max_accumulations)), bounded_(bounded) {}

  std::string build() {
    const int stages = spec_.pipeline_stages;
    readout_ = golden::au_has_readout(spec_.formats);
    nar_ = golden::au_has_nar(spec_.formats);
    m_.name = c_.name + "_au";
    std::vector<std::string_view> names;
    for (auto f : spec_.formats) names.push_back(golden::info(f).name);
    m_.description = fmt::format("SIMD multiply-accumulate unit: formats {}, {} datapath, up to {} accumulations, {} pipeline stage(s).",
                                 fmt::join(names, "/"), c_.au.share ? "shared" : "per-format", spec_.max_accumulations, stages);
    m_.param("ACC_W", shape_.acc_width, "accumulator width: no overflow within max_accumulations beats");
    ports();
    operand_stage(stages >= 2);
    if (c_.au.share)
      shared_datapath();
    else
      separate_datapath();
    beat_stage(stages >= 1);
    accumulator();
    if (readout_) readout();
    m_.comment("Control registers (reset) and datapath registers (no reset, enabled when not stalled).");
    m_.ff({ir::if_else("!rst_ni", ctrl_reset_, {ir::if_else("!stall", ctrl_run_)})});
    m_.ff({ir::if_else("!stall", data_run_)});
    return d_.add(std::move(m_));
  }

 private:
  void ports() {
    m_.port(Dir::in, "clk_i")
        .port(Dir::in, "rst_ni", 1, false, "synchronous, active low")
        .port(Dir::in, "in_valid_i")
        .port(Dir::out, "in_ready_o")
        .port(Dir::in, "a_i", golden::kOperandBits, false, "operand word, lanes packed from bit 0")
        .port(Dir::in, "b_i", golden::kOperandBits)
        .port(Dir::in, "fmt_i", golden::kFormatCodeBits, false, "format code (docs/blocks/au.md)")
        .port(Dir::in, "last_i", 1, false, "last beat of a dot product");
    if (readout_) m_.port(Dir::in, "out_fmt_i", golden::kFormatCodeBits, false, "read-out format, taken with the last beat");
    m_.port(Dir::out, "out_valid_o")
        .port(Dir::in, "out_ready_i")
        .port(Dir::out, "acc_o", shape_.acc_width, true, fmt::format("dot product in units of 2^-{}", shape_.frac_bits))
        .port(Dir::out, "sat_o", 1, false, "the dot product saturated");
    if (nar_) m_.port(Dir::out, "nar_o", 1, false, "a lane operand was NaR");
    if (readout_) m_.port(Dir::out, "res_o", golden::kOperandBits, false, "dot product rounded to the read-out format (low bits)");
    m_.port(Dir::out, "fmt_err_o", 1, false, "a beat or the read-out carried a format not enabled");
  }

  // Signals that travel with a beat through the pipeline.
  std::vector<std::pair<std::string, int>> beat_signals() const {
    std::vector<std::pair<std::string, int>> s{{"a", golden::kOperandBits}, {"b", golden::kOperandBits}, {"fmt", golden::kFormatCodeBits}, {"last", 1}};
    if (readout_) s.emplace_back("out_fmt", golden::kFormatCodeBits);
    return s;
  }

  void operand_stage(bool registered) {
    m_.net("stall", 1, false, "a finished result waits for out_ready_i").net("op_valid");
    for (const auto& [n, w] : beat_signals()) m_.net("op_" + n, w);
    m_.comment("The whole pipeline holds while a result is not taken.");
    m_.assign("stall", "out_valid_o & ~out_ready_i");
    m_.assign("in_ready_o", "~stall");
    if (registered) {
      m_.net("op_valid_q");
      for (const auto& [n, w] : beat_signals()) m_.net("op_" + n + "_q", w);
      m_.comment("Operand stage.");
      m_.assign("op_valid", "op_valid_q");
      for (const auto& [n, w] : beat_signals()) m_.assign("op_" + n, "op_" + n + "_q");
      ctrl_reset_.push_back(ir::assign("op_valid_q", "1'b0"));
      ctrl_run_.push_back(ir::assign("op_valid_q", "in_valid_i"));
      for (const auto& [n, w] : beat_signals()) data_run_.push_back(ir::assign("op_" + n + "_q", n + "_i"));
    } else {
      m_.assign("op_valid", "in_valid_i");
      for (const auto& [n, w] : beat_signals()) m_.assign("op_" + n, n + "_i");
    }
    if (!c_.au.isolate) return;
    m_.comment("Operand isolation: the paths of the formats not selected see zeros.");
    for (Format f : spec_.formats) {
      const std::string fn(golden::info(f).name);
      m_.net("a_" + fn, golden::kOperandBits).net("b_" + fn, golden::kOperandBits);
      m_.assign("a_" + fn, fmt::format("op_a & {{{}{{{}}}}}", golden::kOperandBits, sel(f)));
      m_.assign("b_" + fn, fmt::format("op_b & {{{}{{{}}}}}", golden::kOperandBits, sel(f)));
    }
  }

  // The net that is high when this beat is in format f (made on first use).
  std::string sel(Format f) {
    const std::string net = "sel_" + std::string(golden::info(f).name);
    if (std::none_of(m_.nets.begin(), m_.nets.end(), [&](const ir::Net& n) { return n.name == net; }))
      m_.net(net).assign(net, fmt::format("op_fmt == {}", code_label(f)));
    return net;
  }

  std::string operand(char which, Format f) const {
    return c_.au.isolate ? fmt::format("{}_{}", which, golden::info(f).name) : fmt::format("op_{}", which);
  }

  // Decodes lane l of format f in both operands: nets <f>_<a|b><l>_{sign,mag,sh,nar}.
  std::string decode(Format f, int l) {
    const auto& fi = golden::info(f);
    const LaneCode lc = lane_code(f);
    const std::string dec = lane_decoder(c_, d_, f);
    const std::string lane = fmt::format("{}_l{}", fi.name, l);
    for (char w : {'a', 'b'}) {
      const std::string p = fmt::format("{}_{}", lane, w);
      m_.net(p + "_sign").net(p + "_mag", lc.mag_bits);
      std::vector<ir::Connection> conns{{"code_i", fmt::format("{}[{}:{}]", operand(w, f), l * fi.lane_bits + fi.lane_bits - 1, l * fi.lane_bits)},
                                        {"sign_o", p + "_sign"},
                                        {"mag_o", p + "_mag"}};
      if (lc.sh_max > 0) {
        m_.net(p + "_sh", bits_for(lc.sh_max));
        conns.push_back({"sh_o", p + "_sh"});
      }
      if (fi.has_nar) {
        m_.net(p + "_nar");
        conns.push_back({"nar_o", p + "_nar"});
      }
      m_.instance(dec, "u_dec_" + p, conns);
    }
    return lane;
  }

  // A lane product P (pw bits, unsigned) with sign `sign`, times 2^(t + shift)
  // for a variable t of tw bits up to t_max: the beat-width signed value.
  std::string align(const std::string& name, const std::string& p, int pw, const std::string& sign, const std::string& t, int t_max, int shift) {
    // Bits above the beat width wrap away; bits below 2^0 are zero (F covers
    // every product) and are dropped.
    const int lo = std::max(0, -shift), top = lo + shape_.beat_width - std::max(0, shift);
    const int sw = pw + 1, aw = std::max(sw, std::min(sw + t_max, top));
    m_.net(name + "_s", sw, false, "signed product").net(name + "_al", aw, false, "aligned");
    m_.assign(name + "_s", fmt::format("{0} ? -{{1'b0, {1}}} : {{1'b0, {1}}}", sign, p));
    const std::string ext = aw == sw ? name + "_s" : fmt::format("{{{{{}{{{}_s[{}]}}}}, {}_s}}", aw - sw, name, sw - 1, name);
    m_.assign(name + "_al", t.empty() ? ext : fmt::format("{} << {}", ext, t));
    std::vector<std::string> dropped;
    if (aw > top) dropped.push_back(fmt::format("{}_al[{}:{}]", name, aw - 1, top));
    if (lo > 0) dropped.push_back(fmt::format("{}_al[{}:0]", name, lo - 1));
    if (!dropped.empty()) {
      m_.net(name + "_unused", 1, false, "bits that are zero or wrap away by construction");
      m_.assign(name + "_unused", fmt::format("^{{{}}}", fmt::join(dropped, ", ")));
    }
    return scaled(name + "_al", aw, shift, shape_.beat_width);
  }

  // Per-format datapaths (share: false): own multipliers, alignment and sum.
  void separate_datapath() {
    for (Format f : spec_.formats) {
      const auto& fi = golden::info(f);
      const std::string fn(fi.name);
      std::vector<std::string> lanes, nars;
      m_.comment(fmt::format("{}: {} lane(s) of {} bits.", fn, fi.lanes, fi.lane_bits));
      for (int l = 0; l < fi.lanes; ++l) {
        const std::string lane = fmt::format("{}_l{}", fn, l);
        if (fi.is_integer) {
          const std::string mul = multiplier_signed(c_, d_, fi.lane_bits);
          m_.net(lane + "_p", 2 * fi.lane_bits, true);
          const int lo = l * fi.lane_bits, hi = lo + fi.lane_bits - 1;
          m_.instance(mul, "u_mul_" + lane,
                      {{"a_i", fmt::format("{}[{}:{}]", operand('a', f), hi, lo)}, {"b_i", fmt::format("{}[{}:{}]", operand('b', f), hi, lo)}, {"p_o", lane + "_p"}});
          lanes.push_back(scaled(lane + "_p", 2 * fi.lane_bits, shape_.frac_bits, shape_.beat_width));
          continue;
        }
        decode(f, l);
        const LaneCode lc = lane_code(f);
        const std::string mul = multiplier_unsigned(c_, d_, lc.mag_bits);
        m_.net(lane + "_p", 2 * lc.mag_bits).net(lane + "_sign").net(lane + "_t", bits_for(2 * lc.sh_max), false, "exponent sum");
        m_.instance(mul, "u_mul_" + lane, {{"a_i", lane + "_a_mag"}, {"b_i", lane + "_b_mag"}, {"p_o", lane + "_p"}});
        m_.assign(lane + "_sign", fmt::format("{0}_a_sign ^ {0}_b_sign", lane));
        const int tw = bits_for(2 * lc.sh_max);
        m_.assign(lane + "_t", fmt::format("{} + {}", zext(lane + "_a_sh", bits_for(lc.sh_max), tw), zext(lane + "_b_sh", bits_for(lc.sh_max), tw)));
        lanes.push_back(align(lane, lane + "_p", 2 * lc.mag_bits, lane + "_sign", lane + "_t", 2 * lc.sh_max, 2 * lc.base + shape_.frac_bits));
        if (fi.has_nar) nars.push_back(fmt::format("{0}_a_nar | {0}_b_nar", lane));
      }
      m_.net("beat_" + fn, shape_.beat_width, true, fmt::format("sum of the {} lane products", fn));
      m_.assign("beat_" + fn, fmt::format("{}", fmt::join(lanes, " + ")));
      beat_of_[f] = "beat_" + fn;
      if (!nars.empty()) {
        m_.net("nar_" + fn).assign("nar_" + fn, fmt::format("{}", fmt::join(nars, " | ")));
        nar_of_[f] = "nar_" + fn;
      }
    }
  }

  // The shared datapath (share: true): every format's lanes go through one
  // multiplier fabric, and formats with the same lane count share one
  // alignment shifter and adder tree per lane.
  void shared_datapath() {
    FabricUse use;
    std::map<int, std::vector<Format>> groups;  // by lane count
    for (Format f : spec_.formats) groups[golden::info(f).lanes].push_back(f);
    use.lanes4 = groups.count(4), use.lanes2 = groups.count(2), use.lanes1 = groups.count(1);
    const std::string fabric = multiplier_fabric(c_, d_, use);

    m_.comment("Lane decoders: sign, magnitude and exponent of every lane of every enabled format.");
    for (Format f : spec_.formats)
      for (int l = 0; l < golden::info(f).lanes; ++l) decode(f, l);

    m_.comment("Lane slots of the shared multiplier fabric.");
    m_.net("fab_a", 16).net("fab_b", 16).net("fab_p", 32, false, "lane products");
    for (char w : {'a', 'b'}) {
      std::vector<std::pair<Format, std::string>> words;
      for (Format f : spec_.formats) {
        const auto& fi = golden::info(f);
        const int slot = 16 / fi.lanes, mb = lane_code(f).mag_bits;
        std::vector<std::string> parts;
        for (int l = fi.lanes - 1; l >= 0; --l) parts.push_back(zext(fmt::format("{}_l{}_{}_mag", fi.name, l, w), mb, slot));
        words.emplace_back(f, parts.size() == 1 ? parts[0] : fmt::format("{{{}}}", fmt::join(parts, ", ")));
      }
      select(fmt::format("fab_{}", w), 16, words, c_.au.isolate);
    }
    std::vector<ir::Connection> conns{{"a_i", "fab_a"}, {"b_i", "fab_b"}};
    const ir::Module* fm = d_.find(fabric);
    for (const auto& [lanes, port] : std::vector<std::pair<int, std::string>>{{4, "lanes4_i"}, {2, "lanes2_i"}, {1, "lanes1_i"}})
      if (std::any_of(fm->ports.begin(), fm->ports.end(), [&](const ir::Port& p) { return p.name == port; })) {
        std::vector<std::string> sels;
        for (Format f : groups[lanes]) sels.push_back(sel(f));
        const std::string net = fmt::format("lanes{}", lanes);
        m_.net(net).assign(net, fmt::format("{}", fmt::join(sels, " | ")));
        conns.push_back({port, net});
      }
    conns.push_back({"p_o", "fab_p"});
    m_.instance(fabric, "u_fabric", conns);

    for (const auto& [lanes, fmts] : groups) {
      const int slot = 16 / lanes;
      // Each format's product scale: 2^(t + c_f), c_f = 2*base + F; the
      // shifter covers all of them from the smallest c_f up.
      int cmin = 1 << 30, tmax = 0;
      for (Format f : fmts) cmin = std::min(cmin, 2 * lane_code(f).base + shape_.frac_bits);
      for (Format f : fmts) tmax = std::max(tmax, 2 * lane_code(f).sh_max + 2 * lane_code(f).base + shape_.frac_bits - cmin);
      const int tw = bits_for(tmax);
      m_.comment(fmt::format("{} lane(s) of {} bits: {}.", lanes, slot, fmt::join(names(fmts), ", ")));
      std::vector<std::string> lane_values;
      for (int l = 0; l < lanes; ++l) {
        const std::string g = fmt::format("g{}_l{}", lanes, l);
        std::vector<std::pair<Format, std::string>> signs, shifts;
        for (Format f : fmts) {
          const LaneCode lc = lane_code(f);
          const std::string lane = fmt::format("{}_l{}", golden::info(f).name, l);
          const int off = 2 * lc.base + shape_.frac_bits - cmin;
          signs.emplace_back(f, fmt::format("{0}_a_sign ^ {0}_b_sign", lane));
          std::string t = lit(tw, off);
          if (lc.sh_max > 0)
            t = fmt::format("{} + {} + {}", zext(lane + "_a_sh", bits_for(lc.sh_max), tw), zext(lane + "_b_sh", bits_for(lc.sh_max), tw), t);
          shifts.emplace_back(f, t);
        }
        m_.net(g + "_sign");
        select(g + "_sign", 1, signs, false);
        if (tmax > 0) {
          m_.net(g + "_t", tw, false, "shift into the accumulator's units");
          select(g + "_t", tw, shifts, false);
        }
        lane_values.push_back(align(g, fmt::format("fab_p[{}:{}]", 2 * slot * l + 2 * slot - 1, 2 * slot * l), 2 * slot, g + "_sign",
                                    tmax > 0 ? g + "_t" : "", tmax, cmin));
      }
      const std::string beat = fmt::format("beat_g{}", lanes);
      m_.net(beat, shape_.beat_width, true, fmt::format("sum of the {} lane products", lanes));
      m_.assign(beat, fmt::format("{}", fmt::join(lane_values, " + ")));
      for (Format f : fmts) {
        beat_of_[f] = beat;
        const auto& fi = golden::info(f);
        if (!fi.has_nar) continue;
        std::vector<std::string> nars;
        for (int l = 0; l < fi.lanes; ++l) nars.push_back(fmt::format("{0}_l{1}_a_nar | {0}_l{1}_b_nar", fi.name, l));
        m_.net(fmt::format("nar_{}", fi.name)).assign(fmt::format("nar_{}", fi.name), fmt::format("{}", fmt::join(nars, " | ")));
        nar_of_[f] = fmt::format("nar_{}", fi.name);
      }
    }
  }

  static std::vector<std::string_view> names(const std::vector<Format>& fmts) {
    std::vector<std::string_view> n;
    for (Format f : fmts) n.push_back(golden::info(f).name);
    return n;
  }

  // net = the value of the selected format: an AND-OR of inputs that are
  // already zero when not selected (`or_of_isolated`), else a case on op_fmt.
  void select(const std::string& net, int w, const std::vector<std::pair<Format, std::string>>& values, bool or_of_isolated) {
    if (values.size() == 1) {
      m_.assign(net, values[0].second);
      return;
    }
    if (or_of_isolated) {
      std::vector<std::string> terms;
      for (const auto& [f, v] : values) terms.push_back("(" + v + ")");
      m_.assign(net, fmt::format("{}", fmt::join(terms, " | ")));
      return;
    }
    std::vector<std::pair<std::string, std::vector<Stmt>>> cases;
    for (const auto& [f, v] : values) cases.push_back({code_label(f), {ir::assign(net, v)}});
    cases.push_back({"default", {ir::assign(net, fmt::format("{}'b0", w))}});
    m_.comb({ir::case_of("op_fmt", std::move(cases))});
  }

  void beat_stage(bool registered) {
    std::vector<std::pair<std::string, std::vector<Stmt>>> cases;
    for (Format f : spec_.formats) {
      std::vector<Stmt> body{ir::assign("dot", beat_of_.at(f))};
      if (nar_of_.count(f)) body.push_back(ir::assign("dot_nar", nar_of_.at(f)));
      cases.push_back({code_label(f), body});
    }
    cases.push_back({"default", {ir::assign("dot_bad", "1'b1")}});
    m_.net("dot", shape_.beat_width, true, "this beat's value").net("dot_bad", 1, false, "format not enabled: the beat counts as 0");
    std::vector<Stmt> body{ir::assign("dot", "'0"), ir::assign("dot_bad", "1'b0")};
    if (nar_) {
      m_.net("dot_nar", 1, false, "a lane of this beat is NaR");
      body.push_back(ir::assign("dot_nar", "1'b0"));
    }
    body.push_back(ir::case_of("op_fmt", std::move(cases)));
    m_.comment("This beat's value; a code that is not enabled contributes 0 and flags an error.");
    m_.comb(std::move(body));

    std::vector<std::pair<std::string, std::string>> carried{{"dot", "dot"}, {"last", "op_last"}, {"bad", "dot_bad"}};
    if (nar_) carried.emplace_back("nar", "dot_nar");
    if (readout_) carried.emplace_back("out_fmt", "op_out_fmt");
    auto width = [&](const std::string& n) { return n == "dot" ? shape_.beat_width : n == "out_fmt" ? golden::kFormatCodeBits : 1; };
    m_.net("beat_valid");
    for (const auto& [n, from] : carried) m_.net("beat_" + n, width(n), n == "dot");
    if (registered) {
      m_.net("beat_valid_q");
      for (const auto& [n, from] : carried) m_.net("beat_" + n + "_q", width(n), n == "dot");
      m_.comment("Beat stage: the sum of products is registered before the accumulator.");
      m_.assign("beat_valid", "beat_valid_q");
      for (const auto& [n, from] : carried) m_.assign("beat_" + n, "beat_" + n + "_q");
      ctrl_reset_.push_back(ir::assign("beat_valid_q", "1'b0"));
      ctrl_run_.push_back(ir::assign("beat_valid_q", "op_valid"));
      for (const auto& [n, from] : carried) data_run_.push_back(ir::assign("beat_" + n + "_q", from));
    } else {
      m_.assign("beat_valid", "op_valid");
      for (const auto& [n, from] : carried) m_.assign("beat_" + n, from);
    }
  }

  void accumulator() {
    const int w = shape_.acc_width;
    m_.net("first_q", 1, false, "the next beat starts a new dot product")
        .net("acc_q", w, true)
        .net("sat_q")
        .net("err_q")
        .net("out_valid_q")
        .net("acc_base", w, true)
        .net("acc_sum", bounded_ ? w : w + 1, true, bounded_ ? "" : "one guard bit to detect overflow")
        .net("acc_ovf")
        .net("acc_d", w, true);
    if (bounded_) {
      // Inside the engine, whose sequencer stops a dot product at
      // max_accumulations beats, ACC_W cannot overflow: no saturation logic.
      m_.comment("Accumulator: the user never gives more than max_accumulations beats, so ACC_W bits never overflow.");
      m_.assign("acc_base", "first_q ? '0 : acc_q");
      m_.assign("acc_sum", fmt::format("acc_base + {}", scaled("beat_dot", shape_.beat_width, 0, w)));
      m_.assign("acc_ovf", "1'b0");
      m_.assign("acc_d", "acc_sum[ACC_W-1:0]");
    } else {
      m_.comment("Accumulator with saturation at the ACC_W-bit range.");
      m_.assign("acc_base", "first_q ? '0 : acc_q");
      m_.assign("acc_sum", fmt::format("{} + {}", scaled("acc_base", w, 0, w + 1), scaled("beat_dot", shape_.beat_width, 0, w + 1)));
      m_.assign("acc_ovf", fmt::format("acc_sum[{}] ^ acc_sum[{}]", w, w - 1));
      m_.assign("acc_d", fmt::format("!acc_ovf ? acc_sum[{0}:0] : acc_sum[{1}] ? {{1'b1, {{(ACC_W-1){{1'b0}}}}}} : {{1'b0, {{(ACC_W-1){{1'b1}}}}}}", w - 1, w));
    }

    ctrl_reset_.push_back(ir::assign("first_q", "1'b1"));
    ctrl_reset_.push_back(ir::assign("out_valid_q", "1'b0"));
    ctrl_reset_.push_back(ir::assign("sat_q", "1'b0"));
    ctrl_reset_.push_back(ir::assign("err_q", "1'b0"));
    ctrl_run_.push_back(ir::assign("out_valid_q", "beat_valid & beat_last"));
    std::vector<Stmt> on_beat{ir::assign("first_q", "beat_last"), ir::assign("sat_q", "(sat_q & ~first_q) | acc_ovf"),
                              ir::assign("err_q", "(err_q & ~first_q) | beat_bad")};
    if (nar_) {
      m_.net("nar_q");
      ctrl_reset_.push_back(ir::assign("nar_q", "1'b0"));
      on_beat.push_back(ir::assign("nar_q", "(nar_q & ~first_q) | beat_nar"));
    }
    ctrl_run_.push_back(ir::if_else("beat_valid", on_beat));
    std::vector<Stmt> data{ir::assign("acc_q", "acc_d")};
    if (readout_) {
      m_.net("out_fmt_q", golden::kFormatCodeBits, false, "read-out format of the result");
      data.push_back(ir::if_else("beat_last", {ir::assign("out_fmt_q", "beat_out_fmt")}));
    }
    data_run_.push_back(ir::if_else("beat_valid", data));

    m_.assign("out_valid_o", "out_valid_q");
    m_.assign("acc_o", nar_ ? "nar_q ? '0 : acc_q" : "acc_q");
    m_.assign("sat_o", nar_ ? "sat_q & ~nar_q" : "sat_q");
    if (nar_) m_.assign("nar_o", "nar_q");
    if (!readout_) m_.assign("fmt_err_o", "err_q");
  }

  // The result rounded to the read-out format: one shared normalizer, then
  // one rounding stage per enabled format.
  void readout() {
    const int w = shape_.acc_width;
    int fr_bits = 0;
    bool fp4 = false;
    for (Format f : spec_.formats) {
      if (golden::info(f).has_nar) fr_bits = std::max(fr_bits, golden::info(f).lane_bits);
      fp4 |= f == Format::fp4;
    }
    m_.comment("Read-out: the accumulator rounded once to the format chosen with the last beat.");
    const std::string norm = readout_normalizer(c_, d_, w, fr_bits, fp4);
    std::vector<ir::Connection> nc{{"q_i", "acc_q"}, {"sign_o", "rn_sign"}};
    m_.net("rn_sign");
    if (fp4) {
      m_.net("rn_mag", w);
      nc.push_back({"mag_o", "rn_mag"});
    }
    if (fr_bits > 0) {
      m_.net("rn_zero").net("rn_p", bits_for(w - 1)).net("rn_fr", fr_bits).net("rn_s0");
      for (const char* p : {"zero", "p", "fr", "s0"}) nc.push_back({fmt::format("{}_o", p), fmt::format("rn_{}", p)});
    }
    m_.instance(norm, "u_rd_norm", nc);
    std::vector<std::pair<std::string, std::vector<Stmt>>> cases;
    for (Format f : spec_.formats) {
      const auto& fi = golden::info(f);
      const std::string fn(fi.name), code = "rd_" + fn;
      const std::string enc = readout_encoder(c_, d_, f, w, shape_.frac_bits);
      m_.net(code, fi.lane_bits);
      std::vector<ir::Connection> conns;
      if (fi.is_integer) {
        conns = {{"q_i", "acc_q"}};
      } else if (f == Format::fp4) {
        conns = {{"sign_i", "rn_sign"}, {"mag_i", "rn_mag"}};
      } else {
        const int n = fi.lane_bits;
        const std::string fr = n == fr_bits ? "rn_fr" : fmt::format("rn_fr[{}:{}]", fr_bits - 1, fr_bits - n);
        const std::string s0 = n == fr_bits ? "rn_s0" : fmt::format("rn_s0 | (|rn_fr[{}:0])", fr_bits - n - 1);
        conns = {{"sign_i", "rn_sign"}, {"zero_i", "rn_zero"}, {"p_i", "rn_p"}, {"fr_i", fr}, {"s0_i", s0}};
      }
      conns.push_back({"code_o", code});
      m_.instance(enc, "u_rd_" + fn, conns);
      const std::string value = zext(code, fi.lane_bits, golden::kOperandBits);
      const std::string on_nar = fi.has_nar ? fmt::format("{}'h{:x}", golden::kOperandBits, 1u << (fi.lane_bits - 1)) : "'0";
      cases.push_back({code_label(f), {ir::assign("res", nar_ ? fmt::format("nar_q ? {} : {}", on_nar, value) : value)}});
    }
    cases.push_back({"default", {ir::assign("rd_bad", "1'b1")}});
    m_.net("res", golden::kOperandBits).net("rd_bad", 1, false, "read-out format not enabled");
    m_.comb({ir::assign("res", "'0"), ir::assign("rd_bad", "1'b0"), ir::case_of("out_fmt_q", std::move(cases))});
    m_.assign("res_o", "res");
    m_.assign("fmt_err_o", "err_q | rd_bad");
  }

  const SocConfig& c_;
  ir::Design& d_;
  golden::AuSpec spec_;
  golden::AuShape shape_;
  bool bounded_;  // the user bounds the beats of a dot product: no saturation
  bool readout_ = false, nar_ = false;
  ir::Module m_;
  std::vector<Stmt> ctrl_reset_, ctrl_run_, data_run_;
  std::map<Format, std::string> beat_of_, nar_of_;
};

}  // namespace

std::string generate_au(const SocConfig& c, ir::Design& d, bool bounded) { return AuBuilder(c, d, bounded).build(); }

}  // namespace strata
