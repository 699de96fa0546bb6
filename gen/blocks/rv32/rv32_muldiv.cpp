// The M extension: a multiplier/divider beside the ALU, chosen by
// rv32.muldiv as one of two sibling modules with the same ports.
//   _muldiv_fast:  the 32 x 32-bit product in one cycle (DSP blocks),
//                  4 cycles in execute for MUL (its product is its result),
//                  6 for MULH* (the low word's zero test has a cycle); division by an aligned divisor, one
//                  quotient bit per cycle and only as many as the quotient
//                  can have: 7 + clz(|b|) - clz(|a|) cycles (5 when
//                  |a| < |b| or a = 0; 38 for b = 0).
//   _muldiv_small: shift-and-add, one bit per cycle; 36 cycles for both.
// Both work on magnitudes: the start cycle registers the operands (taken in
// every cycle while idle), the next
// takes |a| and |b| for the signed operations, the last cycle negates the result when its sign is negative
// (for MULH* the high word of the 64-bit negation). The small divider
// restores one quotient bit per cycle; x / 0 = all ones and x % 0 = x fall
// out of the magnitudes (the quotient keeps its sign only for a nonzero
// divisor). The fast one counts the leading zeros of |a| and |b| (one more
// cycle; a = 0 is done at once), shifts |b| left by k = clz(|b|) - clz(|a|)
// (another) and then, k + 1 times, subtracts the divisor from the remainder
// where it fits and halves it; a zero divisor takes all 32 steps.
#include <fmt/format.h>

#include "blocks/rv32/rv32_parts.h"

namespace strata::rv32 {

namespace {

// Nets <p>_nz (some bit of src[hi:lo] is set) and <p>_z (its leading
// zeros, valid when some bit is set) of a power-of-two range, as a tree of
// halves; returns the name stem.
std::string clz_tree(ir::Module& m, const std::string& p, const std::string& src, int hi, int lo) {
  const int w = hi - lo + 1;
  if (w == 2) {
    m.net(p + "_nz").net(p + "_z");
    m.assign(p + "_nz", fmt::format("{0}[{1}] | {0}[{2}]", src, hi, lo)).assign(p + "_z", fmt::format("~{}[{}]", src, hi));
    return p;
  }
  const std::string h = clz_tree(m, p + "h", src, hi, lo + w / 2), l = clz_tree(m, p + "l", src, lo + w / 2 - 1, lo);
  int bits = 0;
  while ((1 << bits) < w) ++bits;
  m.net(p + "_nz").net(p + "_z", bits);
  m.assign(p + "_nz", h + "_nz | " + l + "_nz");
  m.assign(p + "_z", fmt::format("{0}_nz ? {{1'b0, {0}_z}} : {{1'b1, {1}_z}}", h, l));
  return p;
}

}  // namespace

std::string muldiv(const SocConfig& c, ir::Design& d) {
  using ir::Dir;
  using ir::assign;
  using ir::if_else;
  const bool fast = c.rv32->muldiv == Rv32MulDiv::fast;
  ir::Module m;
  m.name = c.name + (fast ? "_rv32_muldiv_fast" : "_rv32_muldiv_small");
  m.description = fast ? "RV32M multiplier/divider: single-cycle 32 x 32 product on DSP blocks, divider by an aligned divisor (as many steps as quotient bits)."
                       : "RV32M multiplier/divider: shift-and-add multiplier and restoring divider, one bit per cycle.";
  m.port(Dir::in, "clk_i")
      .port(Dir::in, "rst_ni")
      .port(Dir::in, "kill_i", 1, false, "abandon the operation (its instruction is squashed)")
      .port(Dir::in, "start_i", 1, false, "take the operands (only while not busy)")
      .port(Dir::in, "op_i", 3, false, "funct3: MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU")
      .port(Dir::in, "a_i", 32)
      .port(Dir::in, "b_i", 32)
      .port(Dir::out, "busy_o", 1, false, "an operation is in progress")
      .port(Dir::out, "done_o", 1, false, "result_o is valid (the last cycle of the operation)")
      .port(Dir::out, "result_o", 32);
  m.net("busy_q").net("prep_q", 1, false, "the cycle after start: magnitudes of the registered operands").net("op_q", 3).net("neg_q").net("cnt_q", 6);
  m.net("acc_q", 32).net("lo_q", 32).net("mc_q", 32);
  m.net("a_sgn").net("b_sgn").net("a_neg").net("b_neg").net("abs_a", 32).net("abs_b", 32).net("b_zero");
  m.net("raw", 32).net("raw_cin");
  m.comment("Magnitudes of the signed operands (MUL, MULH, MULHSU take a signed; MUL, MULH b; DIV, REM both).");
  m.comment("(The start cycle registers the operands in acc_q and mc_q; the next takes their magnitudes, off the operand path.)");
  if (fast) {  // MUL's low word is the same signed or unsigned: its operands are taken as they are
    m.assign("a_sgn", "op_q[2] ? ~op_q[0] : (op_q[1] ^ op_q[0])");
    m.assign("b_sgn", "op_q[2] ? ~op_q[0] : (op_q[1:0] == 2'b01)");
  } else {
    m.assign("a_sgn", "op_q[2] ? ~op_q[0] : (op_q[1:0] != 2'b11)");
    m.assign("b_sgn", "op_q[2] ? ~op_q[0] : ~op_q[1]");
  }
  m.assign("a_neg", "a_sgn & acc_q[31]").assign("b_neg", "b_sgn & mc_q[31]");
  m.assign("abs_a", "a_neg ? 32'(-acc_q) : acc_q").assign("abs_b", "b_neg ? 32'(-mc_q) : mc_q");
  m.assign("b_zero", "mc_q == 32'd0");
  std::vector<ir::Stmt> step;
  if (fast) {
    m.net("prod", 64);
    m.assign("prod", "{32'd0, mc_q} * {32'd0, lo_q}");
    m.comment("Division step: the remainder (acc_q) less the aligned divisor (mc_q); a quotient bit into lo_q; the divisor halves.");
    m.net("dtrial", 33);
    m.assign("dtrial", "{1'b0, acc_q} - {1'b0, mc_q}");
    step.push_back(if_else("op_q[2]",
                           {if_else("dtrial[32]", {assign("lo_q", "{lo_q[30:0], 1'b0}")},
                                    {assign("acc_q", "dtrial[31:0]"), assign("lo_q", "{lo_q[30:0], 1'b1}")}),
                            assign("mc_q", "{1'b0, mc_q[31:1]}")},
                           {assign("{acc_q, lo_q}", "prod")}));
  } else {
    m.net("trial", 33);
    m.comment("Division step: the partial remainder and the next dividend bit, less the divisor.");
    m.assign("trial", "{acc_q, lo_q[31]} - {1'b0, mc_q}");
    m.net("madd", 33);
    m.comment("Multiplication step: add the multiplicand for a 1 in the multiplier, shift right.");
    m.assign("madd", "{1'b0, acc_q} + (lo_q[0] ? {1'b0, mc_q} : 33'd0)");
    step.push_back(if_else("op_q[2]",
                           {if_else("trial[32]", {assign("acc_q", "{acc_q[30:0], lo_q[31]}"), assign("lo_q", "{lo_q[30:0], 1'b0}")},
                                    {assign("acc_q", "trial[31:0]"), assign("lo_q", "{lo_q[30:0], 1'b1}")})},
                           {assign("acc_q", "madd[32:1]"), assign("lo_q", "{madd[0], lo_q[31:1]}")}));
  }
  step.push_back(assign("cnt_q", "cnt_q + 6'd1"));
  // MUL (never negated) registers the product's low word as its result at once.
  if (fast) step.push_back(if_else("op_q == 3'd0", {assign("res_q", "prod[31:0]"), assign("cnt_q", "6'd33")}));
  m.comment("The result: MUL and DIV* take the low register, MULH* and REM* the high one, negated when negative.");
  m.assign("raw", "(op_q == 3'd0 || op_q[2:1] == 2'b10) ? lo_q : acc_q");
  if (fast) {  // the low word's zero test is registered in a cycle of its own (MULH* only), off the negation's carry chain
    m.net("lz_q", 1, false, "the product's low word is zero");
    m.assign("raw_cin", "(!op_q[2] && op_q != 3'd0) ? lz_q : 1'b1");
  } else {
    m.assign("raw_cin", "(!op_q[2] && op_q != 3'd0) ? (lo_q == 32'd0) : 1'b1");
  }
  m.comment("The result is registered (one more cycle), so execute takes it from a flip-flop.");
  m.net("res_q", 32);
  m.assign("result_o", "res_q");
  m.assign("busy_o", "busy_q");
  const std::string cnt0 = fast ? "op_q[2] ? 6'd0 : 6'd31" : "6'd0";
  // The small unit multiplies by the bits of lo_q (|b|); the fast one's product is symmetric, so a stays in lo_q.
  std::vector<ir::Stmt> prep{assign("cnt_q", cnt0), assign("acc_q", "32'd0"),
                             assign("lo_q", fast ? "abs_a" : "op_q[2] ? abs_a : abs_b"), assign("mc_q", fast ? "abs_b" : "op_q[2] ? abs_b : abs_a"),
                             assign("neg_q", "op_q[2] ? (op_q[1] ? a_neg : (a_neg ^ b_neg) & ~b_zero) : (a_neg ^ b_neg)")};
  std::vector<ir::Stmt> finish{assign("res_q", "neg_q ? (~raw + {31'd0, raw_cin}) : raw"), assign("cnt_q", "6'd33")};
  // The fast unit's MULH* first test the low word for zero (count 32 -> 34), then finish.
  if (fast) finish = {if_else("cnt_q[1:0] == 2'd0 && !op_q[2]", {assign("lz_q", "lo_q == 32'd0"), assign("cnt_q", "6'd34")}, finish)};
  std::vector<ir::Stmt> run{if_else("cnt_q == 6'd33", {}, {if_else("cnt_q[5]", finish, step)})};
  // The control (busy and the phase) obeys kill_i and start_i; the data registers take the operands in every idle cycle
  // and follow the phase otherwise, so that neither the kill nor the start (late signals of the pipeline) reaches them.
  std::vector<ir::Stmt> ctrl_idle{assign("busy_q", "1'b0"), assign("prep_q", "1'b0")};
  std::vector<ir::Stmt> ctrl_prep{assign("prep_q", "1'b0")};
  std::vector<ir::Stmt> ctrl_run{if_else("done_o", {assign("busy_q", "1'b0")})};
  if (fast) {
    m.net("norm_q", 1, false, "the cycle after prep of a division: leading zeros, k");
    m.net("align_q", 1, false, "the cycle after norm_q: the divisor shifted left by k").net("k_q", 5);
    m.comment("Leading zeros of |a| (lo_q) and |b| (mc_q) in the cycle after prep; k = clz(|b|) - clz(|a|) (negative: |a| < |b|).");
    clz_tree(m, "za", "lo_q", 31, 0);
    clz_tree(m, "zb", "mc_q", 31, 0);
    m.net("k", 6);
    m.assign("k", "{1'b0, zb_z} - {1'b0, za_z}");
    m.assign("done_o", "busy_q & ~prep_q & ~norm_q & ~align_q & cnt_q == 6'd33");
    ctrl_prep.push_back(assign("norm_q", "op_q[2]"));
    ctrl_idle.push_back(assign("norm_q", "1'b0"));
    ctrl_idle.push_back(assign("align_q", "1'b0"));
    m.comment("The remainder starts as |a|, the quotient as zero; with no step (a = 0 or |a| < |b|, b nonzero) the result is next,");
    m.comment("else the divisor is shifted left by k (a cycle of its own) and k + 1 steps follow from count 31 - k (32 for b = 0:");
    m.comment("every step subtracts nothing, the quotient is all ones and the remainder |a|).");
    m.net("no_step");
    m.assign("no_step", "zb_nz & (~za_nz | k[5])");
    ctrl_run = {if_else("norm_q", {assign("norm_q", "1'b0"), assign("align_q", "~no_step")},
                        {if_else("align_q", {assign("align_q", "1'b0")}, ctrl_run)})};
    run = {if_else("norm_q",
                   {assign("k_q", "k[4:0]"), assign("acc_q", "lo_q"), assign("lo_q", "32'd0"),
                    assign("cnt_q", "no_step ? 6'd32 : zb_nz ? {1'b0, ~k[4:0]} : 6'd0")},
                   {if_else("align_q", {assign("mc_q", "mc_q << k_q")}, run)})};
  } else {
    m.assign("done_o", "busy_q & ~prep_q & cnt_q == 6'd33");
  }
  m.ff({if_else("!rst_ni || kill_i", ctrl_idle,
                {if_else("start_i", {assign("busy_q", "1'b1"), assign("prep_q", "1'b1")}, {if_else("prep_q", ctrl_prep, ctrl_run)})}),
        if_else("!busy_q", {assign("op_q", "op_i"), assign("acc_q", "a_i"), assign("mc_q", "b_i")}, {if_else("prep_q", prep, run)})});
  return d.add(std::move(m));
}

}  // namespace strata::rv32
