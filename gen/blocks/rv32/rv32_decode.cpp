// Instruction decode: one instruction word to the control of the execute
// stage. Every encoding not listed in docs/blocks/rv32.md is illegal; an
// illegal word sets no other output.
#include <fmt/format.h>

#include "blocks/rv32/rv32_parts.h"

namespace strata::rv32 {

namespace {
using ir::Dir;
using ir::Stmt;
using ir::assign;
using ir::if_else;
}  // namespace

std::string decode(const SocConfig& c, ir::Design& d) {
  const bool m_ext = c.rv32->isa == Rv32Isa::rv32im;
  ir::Module m;
  m.name = c.name + "_rv32_decode";
  m.description = fmt::format("RV32{} decoder: control of the execute stage, illegal encodings.", m_ext ? "IM" : "I");
  m.port(Dir::in, "instr_i", 32)
      .port(Dir::out, "illegal_o", 1, false, "not an RV32" + std::string(m_ext ? "IM" : "I") + "/Zicsr encoding of this core")
      .port(Dir::out, "rs1_used_o")
      .port(Dir::out, "rs2_used_o")
      .port(Dir::out, "rd_we_o", 1, false, "writes rd (x0 is filtered by the pipeline)")
      .port(Dir::out, "sub_o", 1, false, "the adder subtracts (SUB, SLT*, branches)")
      .port(Dir::out, "uns_o", 1, false, "unsigned comparison")
      .port(Dir::out, "res_o", 2, false, "ALU result: 0 sum, 1 logic, 2 shift, 3 set-less-than")
      .port(Dir::out, "link_o", 1, false, "rd takes pc + 4 (JAL, JALR)")
      .port(Dir::out, "branch_o")
      .port(Dir::out, "jal_o")
      .port(Dir::out, "jalr_o")
      .port(Dir::out, "load_o")
      .port(Dir::out, "store_o")
      .port(Dir::out, "csr_o", 1, false, "a Zicsr instruction; rd takes the CSR's old value")
      .port(Dir::out, "csr_wr_o", 1, false, "the CSR instruction writes its CSR")
      .port(Dir::out, "ecall_o")
      .port(Dir::out, "ebreak_o")
      .port(Dir::out, "mret_o")
      .port(Dir::out, "wfi_o");
  if (m_ext) m.port(Dir::out, "md_o", 1, false, "an M-extension instruction");
  m.net("opcode", 7).net("f3", 3).net("f7", 7).net("rs1_zero").net("csr_addr", 12).net("csr_exists").net("csr_writes");
  m.assign("opcode", "instr_i[6:0]").assign("f3", "instr_i[14:12]").assign("f7", "instr_i[31:25]");
  m.assign("rs1_zero", "instr_i[19:15] == 5'd0");
  m.comment("The CSRs of docs/blocks/rv32.md; those with address bits [11:10] = 11 are read-only.");
  m.assign("csr_addr", "instr_i[31:20]");
  m.assign("csr_exists",
           "csr_addr == 12'h300 || csr_addr == 12'h301 || csr_addr == 12'h304 || csr_addr == 12'h305 || csr_addr == 12'h310 || "
           "(csr_addr[11:3] == 9'h068 && csr_addr[2:0] <= 3'd4) || csr_addr == 12'hB00 || csr_addr == 12'hB80 || "
           "csr_addr == 12'hB02 || csr_addr == 12'hB82 || (csr_addr[11:3] == 9'h1E2 && csr_addr[2:0] != 3'd0 && csr_addr[2:0] <= 3'd4)");
  m.assign("csr_writes", "f3[1:0] == 2'b01 || !rs1_zero");

  std::vector<Stmt> defaults{assign("illegal_o", "1'b0"),  assign("rs1_used_o", "1'b0"), assign("rs2_used_o", "1'b0"), assign("rd_we_o", "1'b0"),
                             assign("sub_o", "1'b0"),      assign("uns_o", "1'b0"),      assign("res_o", "2'd0"),      assign("link_o", "1'b0"),
                             assign("branch_o", "1'b0"),   assign("jal_o", "1'b0"),      assign("jalr_o", "1'b0"),     assign("load_o", "1'b0"),
                             assign("store_o", "1'b0"),    assign("csr_o", "1'b0"),      assign("csr_wr_o", "1'b0"),   assign("ecall_o", "1'b0"),
                             assign("ebreak_o", "1'b0"),   assign("mret_o", "1'b0"),     assign("wfi_o", "1'b0")};
  if (m_ext) defaults.push_back(assign("md_o", "1'b0"));
  const auto ill = assign("illegal_o", "1'b1");
  // The ALU function of funct3 (OP and OP-IMM): sum, compare, logic or shift.
  const std::vector<Stmt> alu_f3{
      if_else("f3 == 3'b010 || f3 == 3'b011", {assign("sub_o", "1'b1"), assign("uns_o", "f3[0]"), assign("res_o", "2'd3")},
              {if_else("f3 == 3'b001 || f3 == 3'b101", {assign("res_o", "2'd2")},
                       {if_else("f3 != 3'b000", {assign("res_o", "2'd1")})})})};
  std::vector<Stmt> op_reg{assign("rs1_used_o", "1'b1"), assign("rs2_used_o", "1'b1"), assign("rd_we_o", "1'b1")};
  for (const auto& s : alu_f3) op_reg.push_back(s);
  std::vector<Stmt> op_sub{assign("rs1_used_o", "1'b1"), assign("rs2_used_o", "1'b1"), assign("rd_we_o", "1'b1"),
                           if_else("f3 == 3'b000", {assign("sub_o", "1'b1")}, {assign("res_o", "2'd2")})};
  Stmt op_case = if_else("f7 == 7'b0000000", op_reg,
                         {if_else("f7 == 7'b0100000 && (f3 == 3'b000 || f3 == 3'b101)", op_sub,
                                  m_ext ? std::vector<Stmt>{if_else("f7 == 7'b0000001",
                                                                    {assign("rs1_used_o", "1'b1"), assign("rs2_used_o", "1'b1"),
                                                                     assign("rd_we_o", "1'b1"), assign("md_o", "1'b1")},
                                                                    {ill})}
                                        : std::vector<Stmt>{ill})});
  std::vector<Stmt> op_imm{assign("rs1_used_o", "1'b1"), assign("rd_we_o", "1'b1")};
  for (const auto& s : alu_f3) op_imm.push_back(s);
  Stmt op_imm_case = if_else("(f3 == 3'b001 && f7 != 7'b0000000) || (f3 == 3'b101 && f7 != 7'b0000000 && f7 != 7'b0100000)", {ill}, op_imm);

  std::vector<Stmt> body = defaults;
  body.push_back(ir::case_of(
      "opcode",
      {{"7'b0110111", {assign("rd_we_o", "1'b1")}},  // LUI
       {"7'b0010111", {assign("rd_we_o", "1'b1")}},    // AUIPC
       {"7'b1101111", {assign("rd_we_o", "1'b1"), assign("link_o", "1'b1"), assign("jal_o", "1'b1")}},      // JAL
       {"7'b1100111",
        {if_else("f3 == 3'b000",
                 {assign("rs1_used_o", "1'b1"), assign("rd_we_o", "1'b1"), assign("link_o", "1'b1"), assign("jalr_o", "1'b1")},
                 {ill})}},
       {"7'b1100011",
        {if_else("f3 == 3'b010 || f3 == 3'b011", {ill},
                 {assign("rs1_used_o", "1'b1"), assign("rs2_used_o", "1'b1"), assign("sub_o", "1'b1"),
                  assign("uns_o", "f3[1]"), assign("branch_o", "1'b1")})}},
       {"7'b0000011",
        {if_else("f3 == 3'b011 || f3[2:1] == 2'b11", {ill},
                 {assign("rs1_used_o", "1'b1"), assign("rd_we_o", "1'b1"), assign("load_o", "1'b1")})}},
       {"7'b0100011",
        {if_else("f3[2] || f3[1:0] == 2'b11", {ill},
                 {assign("rs1_used_o", "1'b1"), assign("rs2_used_o", "1'b1"), assign("store_o", "1'b1")})}},
       {"7'b0010011", {op_imm_case}},
       {"7'b0110011", {op_case}},
       {"7'b0001111",  // FENCE (any fields) and FENCE.I (all fields zero): no-ops
        {if_else("!(f3 == 3'b000 || (f3 == 3'b001 && instr_i[31:15] == 17'd0 && instr_i[11:7] == 5'd0))", {ill})}},
       {"7'b1110011",
        {if_else("f3 == 3'b000",
                 {if_else("instr_i == 32'h00000073", {assign("ecall_o", "1'b1")},
                          {if_else("instr_i == 32'h00100073", {assign("ebreak_o", "1'b1")},
                                   {if_else("instr_i == 32'h30200073", {assign("mret_o", "1'b1")},
                                            {if_else("instr_i == 32'h10500073", {assign("wfi_o", "1'b1")}, {ill})})})})},
                 {if_else("f3 == 3'b100 || !csr_exists || (csr_writes && csr_addr[11:10] == 2'b11)", {ill},
                          {assign("rs1_used_o", "!f3[2]"), assign("rd_we_o", "1'b1"), assign("csr_o", "1'b1"), assign("csr_wr_o", "csr_writes")})})}},
       {"default", {ill}}}));
  m.comb(body);
  return d.add(std::move(m));
}

}  // namespace strata::rv32
