// The ALU of the execute stage: one 34-bit adder (sum, difference and
// comparisons; the carry-in rides in its bit 0), the logic functions, the
// branch equality, and the result select (set-less-than finishes in
// write-back from lt_o). The operands arrive already
// chosen: a is rs1, the pc (AUIPC) or zero (LUI); b is rs2 or the immediate.
// The sum is the last input of the result select, since the carry chain is
// the longest path. Shifts finish in write-back (_rv32_shifter).
#include <fmt/format.h>

#include "blocks/rv32/rv32_parts.h"

namespace strata::rv32 {

std::string alu(const SocConfig& c, ir::Design& d) {
  using ir::Dir;
  const bool m_ext = c.rv32->isa == Rv32Isa::rv32im;
  ir::Module m;
  m.name = c.name + "_rv32_alu";
  m.description = "RV32 ALU: add/subtract/compare on one adder, logic, branch equality, result select.";
  m.port(Dir::in, "a_i", 32, false, "rs1 (forwarded), or the pc (AUIPC), or zero (LUI)")
      .port(Dir::in, "b_i", 32, false, "rs2 (forwarded), or the immediate")
      .port(Dir::in, "sub_i")
      .port(Dir::in, "uns_i")
      .port(Dir::in, "f3_i", 2, false, "funct3[1:0]: the logic function (00 xor, 10 or, 11 and)")
      .port(Dir::in, "sel_sum_i", 1, false, "the result is the sum")
      .port(Dir::in, "sel_link_i", 1, false, "the result is link_i (JAL, JALR)")
      .port(Dir::in, "link_i", 32);
  if (m_ext) m.port(Dir::in, "sel_md_i", 1, false, "the result is md_i").port(Dir::in, "md_i", 32);
  m.port(Dir::out, "sum_o", 32, false, "a + b or a - b: addresses, JALR target")
      .port(Dir::out, "result_o", 32)
      .port(Dir::out, "lt_o", 1, false, "a < b (signed or unsigned), when subtracting")
      .port(Dir::out, "eq_o", 1, false, "a == b (rs1 == rs2 for branches)");
  m.net("y", 32).net("wide", 34).net("wide_unused").net("logic_r", 32).net("other", 32);
  // Kept as a net of its own, so that the result select is one LUT behind the carry chain.
  m.nets.back().attribute = "keep";
  m.assign("y", "b_i ^ {32{sub_i}}");
  m.comment("{a, 1} + {~b, 1} = 2 (a - b) + 2 when subtracting: bit 0 carries the +1 of the two's complement.");
  m.assign("wide", "{~uns_i & a_i[31], a_i, 1'b1} + {(~uns_i & b_i[31]) ^ sub_i, y, sub_i}");
  m.assign("{lt_o, sum_o, wide_unused}", "wide");
  m.assign("eq_o", "a_i == b_i");
  m.assign("logic_r", "f3_i[1] ? (f3_i[0] ? (a_i & b_i) : (a_i | b_i)) : (a_i ^ b_i)");
  m.assign("other", std::string(m_ext ? "sel_md_i ? md_i : " : "") + "sel_link_i ? link_i : logic_r");
  m.assign("result_o", "sel_sum_i ? sum_o : other");
  return d.add(std::move(m));
}

std::string shifter(const SocConfig& c, ir::Design& d) {
  using ir::Dir;
  auto reversed = [](const std::string& x) {
    std::string s = "{";
    for (int i = 0; i < 32; ++i) s += fmt::format("{}{}[{}]", i ? ", " : "", x, i);
    return s + "}";
  };
  ir::Module m;
  m.name = c.name + "_rv32_shifter";
  m.description = "RV32 barrel shifter in two halves: execute reverses the word for a left shift and shifts by 16 and 8; write-back by 4, 2, 1.";
  m.port(Dir::in, "a_i", 32, false, "execute: the operand").port(Dir::in, "amt_i", 5).port(Dir::in, "left_i").port(Dir::in, "arith_i", 1, false, "arithmetic right shift");
  m.port(Dir::out, "mid_o", 32, false, "to write-back: shifted by amt[4:3] * 8").port(Dir::out, "fill_o", 1, false, "the bit shifted in");
  m.port(Dir::in, "mid_i", 32, false, "write-back: mid_o and fill_o of execute, registered").port(Dir::in, "fill_i").port(Dir::in, "amt_lo_i", 3);
  m.port(Dir::in, "left_w_i").port(Dir::out, "result_o", 32);
  m.net("sh_in", 32).net("mid_wide", 33, true).net("mid_unused").net("lo_wide", 33, true).net("lo_unused").net("sh_r", 32).net("amt_lo_unused", 3);
  m.assign("sh_in", "left_i ? " + reversed("a_i") + " : a_i");
  m.assign("fill_o", "arith_i & sh_in[31]");
  m.assign("mid_wide", "$signed({fill_o, sh_in}) >>> {amt_i[4:3], 3'b000}");
  m.assign("{mid_unused, mid_o}", "mid_wide");
  m.assign("amt_lo_unused", "amt_i[2:0]");
  m.assign("lo_wide", "$signed({fill_i, mid_i}) >>> amt_lo_i");
  m.assign("{lo_unused, sh_r}", "lo_wide");
  m.assign("result_o", "left_w_i ? " + reversed("sh_r") + " : sh_r");
  return d.add(std::move(m));
}

}  // namespace strata::rv32
