// The ALU: one 34-bit adder (sum, difference and comparisons; the carry-in
// rides in its bit 0), the logic functions, a barrel shifter (right shifts,
// left shifts by reversing the word) and the branch equality.
#include <fmt/format.h>

#include "blocks/rv32/rv32_parts.h"

namespace strata::rv32 {

namespace {
using ir::Dir;

std::string reversed(const std::string& x) {
  std::string s = "{";
  for (int i = 0; i < 32; ++i) s += fmt::format("{}{}[{}]", i ? ", " : "", x, i);
  return s + "}";
}
}  // namespace

std::string alu(const SocConfig& c, ir::Design& d) {
  ir::Module m;
  m.name = c.name + "_rv32_alu";
  m.description = "RV32 ALU: add/subtract/compare on one adder, logic, barrel shifter, branch equality.";
  m.port(Dir::in, "rs1_i", 32, false, "operand registers (forwarded)")
      .port(Dir::in, "rs2_i", 32)
      .port(Dir::in, "pc_i", 32)
      .port(Dir::in, "imm_i", 32)
      .port(Dir::in, "a_pc_i")
      .port(Dir::in, "a_zero_i")
      .port(Dir::in, "b_imm_i")
      .port(Dir::in, "sub_i")
      .port(Dir::in, "uns_i")
      .port(Dir::in, "res_i", 2, false, "0 sum, 1 logic, 2 shift, 3 set-less-than")
      .port(Dir::in, "f3_i", 3, false, "funct3: the logic function, shift direction")
      .port(Dir::in, "arith_i", 1, false, "instruction bit 30: arithmetic right shift")
      .port(Dir::out, "sum_o", 32, false, "a + b or a - b: addresses, JALR target")
      .port(Dir::out, "result_o", 32)
      .port(Dir::out, "lt_o", 1, false, "a < b (signed or unsigned)")
      .port(Dir::out, "eq_o", 1, false, "rs1 == rs2");
  m.net("x", 32).net("y", 32).net("wide", 34).net("wide_unused").net("logic_r", 32).net("sh_in", 32).net("sh_wide", 33, true).net("sh_r", 32).net("sh_unused");
  m.net("shifted", 32);
  m.assign("x", "a_zero_i ? 32'd0 : a_pc_i ? pc_i : rs1_i");
  m.assign("y", "b_imm_i ? imm_i : rs2_i");
  m.comment("{x, 1} + {~y, 1} = 2 (x - y) + 2 when subtracting: bit 0 carries the +1 of the two's complement.");
  m.assign("wide", "{~uns_i & x[31], x, 1'b1} + {(~uns_i & y[31]) ^ sub_i, y ^ {32{sub_i}}, sub_i}");
  m.assign("{lt_o, sum_o, wide_unused}", "wide");
  m.assign("eq_o", "rs1_i == rs2_i");
  m.assign("logic_r", "f3_i[1] ? (f3_i[0] ? (rs1_i & y) : (rs1_i | y)) : (rs1_i ^ y)");
  m.comment("Shifts: a left shift is a right shift of the reversed word.");
  m.assign("sh_in", "f3_i[2] ? rs1_i : " + reversed("rs1_i"));
  m.assign("sh_wide", "$signed({arith_i & sh_in[31], sh_in}) >>> y[4:0]");
  m.assign("{sh_unused, sh_r}", "sh_wide");
  m.assign("shifted", "f3_i[2] ? sh_r : " + reversed("sh_r"));
  m.assign("result_o", "res_i == 2'd0 ? sum_o : res_i == 2'd1 ? logic_r : res_i == 2'd2 ? shifted : {31'd0, lt_o}");
  return d.add(std::move(m));
}

}  // namespace strata::rv32
