#include "blocks/au_gen.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "golden/au.h"

namespace strata {

namespace {

using ir::Dir;
using ir::Stmt;
using golden::Format;

// Sign-extends net `name` of `from` bits to `to` bits.
std::string sext(const std::string& name, int from, int to) {
  if (to == from) return name;
  return fmt::format("{{{{{}{{{}[{}]}}}}, {}}}", to - from, name, from - 1, name);
}

// A signed N x N -> 2N multiplier: one per lane. Kept as its own module so a
// later mapping (DSP block, shared RMMEC fabric) swaps a sibling module in.
std::string multiplier(const SocConfig& c, ir::Design& d, int bits) {
  ir::Module m;
  m.name = fmt::format("{}_mul_s{}", c.name, bits);
  m.description = fmt::format("Signed {0} x {0} -> {1} bit multiplier (one AU lane).", bits, 2 * bits);
  m.port(Dir::in, "a_i", bits, true, "multiplicand")
      .port(Dir::in, "b_i", bits, true, "multiplier")
      .port(Dir::out, "p_o", 2 * bits, true, "exact product");
  m.assign("p_o", "a_i * b_i");
  return d.add(std::move(m));
}

}  // namespace

std::string generate_au(const SocConfig& c, ir::Design& d) {
  const golden::AuSpec spec = au_spec(c);
  const int acc_w = golden::au_acc_width(spec.formats, spec.max_accumulations);
  const int dot_w = golden::au_dot_width(spec.formats);
  const int stages = spec.pipeline_stages;
  const bool reg_operands = stages >= 2;  // stage 2: operands registered before the multipliers
  const bool reg_beat = stages >= 1;      // stage 1: beat value registered before the accumulator

  ir::Module m;
  m.name = c.name + "_au";
  std::vector<std::string_view> names;
  for (auto f : spec.formats) names.push_back(golden::info(f).name);
  m.description = fmt::format("Integer SIMD multiply-accumulate unit: formats {}, up to {} accumulations, {} pipeline stage(s).",
                              fmt::join(names, "/"), spec.max_accumulations, stages);
  m.param("ACC_W", acc_w, "accumulator width: no overflow within max_accumulations beats");

  m.port(Dir::in, "clk_i")
      .port(Dir::in, "rst_ni", 1, false, "synchronous, active low")
      .port(Dir::in, "in_valid_i")
      .port(Dir::out, "in_ready_o")
      .port(Dir::in, "a_i", golden::kOperandBits, false, "operand word, lanes packed from bit 0")
      .port(Dir::in, "b_i", golden::kOperandBits)
      .port(Dir::in, "fmt_i", golden::kFormatCodeBits, false, "format code (docs/blocks/au.md)")
      .port(Dir::in, "last_i", 1, false, "last beat of a dot product")
      .port(Dir::out, "out_valid_o")
      .port(Dir::in, "out_ready_i")
      .port(Dir::out, "acc_o", acc_w, true, "dot product")
      .port(Dir::out, "sat_o", 1, false, "the dot product saturated")
      .port(Dir::out, "fmt_err_o", 1, false, "a beat carried a format not enabled");

  m.net("stall", 1, false, "a finished result waits for out_ready_i")
      .net("op_valid")
      .net("op_a", golden::kOperandBits)
      .net("op_b", golden::kOperandBits)
      .net("op_fmt", golden::kFormatCodeBits)
      .net("op_last");
  std::vector<Stmt> ctrl_reset, ctrl_run, data_run;

  m.comment("The whole pipeline holds while a result is not taken.");
  m.assign("stall", "out_valid_o & ~out_ready_i");
  m.assign("in_ready_o", "~stall");

  if (reg_operands) {
    m.net("op_valid_q").net("op_a_q", golden::kOperandBits).net("op_b_q", golden::kOperandBits).net("op_fmt_q", golden::kFormatCodeBits).net("op_last_q");
    m.comment("Operand stage.");
    m.assign("op_valid", "op_valid_q").assign("op_a", "op_a_q").assign("op_b", "op_b_q").assign("op_fmt", "op_fmt_q").assign("op_last", "op_last_q");
    ctrl_reset.push_back(ir::assign("op_valid_q", "1'b0"));
    ctrl_run.push_back(ir::assign("op_valid_q", "in_valid_i"));
    for (auto n : {"a", "b", "fmt", "last"}) data_run.push_back(ir::assign(fmt::format("op_{}_q", n), fmt::format("{}_i", n)));
  } else {
    m.assign("op_valid", "in_valid_i").assign("op_a", "a_i").assign("op_b", "b_i").assign("op_fmt", "fmt_i").assign("op_last", "last_i");
  }

  // Lane multipliers and per-format sums.
  std::vector<std::pair<std::string, std::vector<Stmt>>> fmt_cases;
  for (Format f : spec.formats) {
    const auto& fi = golden::info(f);
    const std::string mul = multiplier(c, d, fi.lane_bits);
    const std::string dot = fmt::format("dot_{}", fi.name);
    m.net(dot, dot_w, true, fmt::format("sum of the {} {} lane products", fi.lanes, fi.name));
    m.comment(fmt::format("{}: {} lane(s) of {} bits.", fi.name, fi.lanes, fi.lane_bits));
    std::string sum;
    for (int l = 0; l < fi.lanes; ++l) {
      const std::string p = fmt::format("prod_{}_{}", fi.name, l);
      m.net(p, 2 * fi.lane_bits, true);
      const int lo = l * fi.lane_bits, hi = lo + fi.lane_bits - 1;
      m.instance(mul, fmt::format("u_mul_{}_{}", fi.name, l),
                 {{"a_i", fmt::format("op_a[{}:{}]", hi, lo)}, {"b_i", fmt::format("op_b[{}:{}]", hi, lo)}, {"p_o", p}});
      sum += (sum.empty() ? "" : " + ") + sext(p, 2 * fi.lane_bits, dot_w);
    }
    m.assign(dot, sum);
    fmt_cases.push_back({fmt::format("{}'d{}", golden::kFormatCodeBits, static_cast<unsigned>(f)), {ir::assign("dot", dot)}});
  }
  fmt_cases.push_back({"default", {ir::assign("dot_bad", "1'b1")}});
  m.net("dot", dot_w, true, "this beat's value").net("dot_bad", 1, false, "format not enabled: the beat counts as 0");
  m.comment("Format select; a code that is not enabled contributes 0 and flags an error.");
  m.comb({ir::assign("dot", "'0"), ir::assign("dot_bad", "1'b0"), ir::case_of("op_fmt", std::move(fmt_cases))});

  m.net("beat_valid").net("beat_dot", dot_w, true).net("beat_last").net("beat_bad");
  if (reg_beat) {
    m.net("beat_valid_q").net("beat_dot_q", dot_w, true).net("beat_last_q").net("beat_bad_q");
    m.comment("Beat stage: the sum of products is registered before the accumulator.");
    m.assign("beat_valid", "beat_valid_q").assign("beat_dot", "beat_dot_q").assign("beat_last", "beat_last_q").assign("beat_bad", "beat_bad_q");
    ctrl_reset.push_back(ir::assign("beat_valid_q", "1'b0"));
    ctrl_run.push_back(ir::assign("beat_valid_q", "op_valid"));
    data_run.push_back(ir::assign("beat_dot_q", "dot"));
    data_run.push_back(ir::assign("beat_last_q", "op_last"));
    data_run.push_back(ir::assign("beat_bad_q", "dot_bad"));
  } else {
    m.assign("beat_valid", "op_valid").assign("beat_dot", "dot").assign("beat_last", "op_last").assign("beat_bad", "dot_bad");
  }

  m.net("first_q", 1, false, "the next beat starts a new dot product")
      .net("acc_q", acc_w, true)
      .net("sat_q")
      .net("err_q")
      .net("out_valid_q")
      .net("acc_base", acc_w, true)
      .net("acc_sum", acc_w + 1, true, "one guard bit to detect overflow")
      .net("acc_ovf")
      .net("acc_d", acc_w, true);
  m.comment("Accumulator with saturation at the ACC_W-bit range.");
  m.assign("acc_base", "first_q ? '0 : acc_q");
  m.assign("acc_sum", sext("acc_base", acc_w, acc_w + 1) + " + " + sext("beat_dot", dot_w, acc_w + 1));
  m.assign("acc_ovf", fmt::format("acc_sum[{}] ^ acc_sum[{}]", acc_w, acc_w - 1));
  m.assign("acc_d", fmt::format("!acc_ovf ? acc_sum[{0}:0] : acc_sum[{1}] ? {{1'b1, {{(ACC_W-1){{1'b0}}}}}} : {{1'b0, {{(ACC_W-1){{1'b1}}}}}}",
                                acc_w - 1, acc_w));

  ctrl_reset.push_back(ir::assign("first_q", "1'b1"));
  ctrl_reset.push_back(ir::assign("out_valid_q", "1'b0"));
  ctrl_reset.push_back(ir::assign("sat_q", "1'b0"));
  ctrl_reset.push_back(ir::assign("err_q", "1'b0"));
  ctrl_run.push_back(ir::assign("out_valid_q", "beat_valid & beat_last"));
  ctrl_run.push_back(ir::if_else("beat_valid", {
                                                   ir::assign("first_q", "beat_last"),
                                                   ir::assign("sat_q", "(sat_q & ~first_q) | acc_ovf"),
                                                   ir::assign("err_q", "(err_q & ~first_q) | beat_bad"),
                                               }));
  data_run.push_back(ir::if_else("beat_valid", {ir::assign("acc_q", "acc_d")}));

  m.comment("Control registers (reset) and datapath registers (no reset, enabled when not stalled).");
  m.ff({ir::if_else("!rst_ni", ctrl_reset, {ir::if_else("!stall", ctrl_run)})});
  m.ff({ir::if_else("!stall", data_run)});

  m.assign("out_valid_o", "out_valid_q").assign("acc_o", "acc_q").assign("sat_o", "sat_q").assign("fmt_err_o", "err_q");
  return d.add(std::move(m));
}

}  // namespace strata
