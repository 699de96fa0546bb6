// The pipeline of the RV32 core (docs/blocks/rv32.md, "Micro-architecture"):
//   fetch      the next pc addresses IMEM (synchronous block RAM): the next
//              word (the same one while decode stalls), the target of a JAL or of a backward branch (predicted
//              taken) in decode, or a redirect from write-back;
//   decode     the word arrives and is decoded; its register numbers address
//              the register file (synchronous block RAM);
//   execute    operands (forwarded), ALU, comparisons, the M unit, load
//              addresses (DMEM and MMIO are read here);
//   write-back the commit point: traps and interrupts, CSR instructions,
//              stores, branch resolution (a misprediction or JALR redirects
//              the fetch, squashing two instructions), counters; load data,
//              CSR values and shifts are finished here and written to rd.
// Every decision of write-back starts from registers, so the long paths
// (the adder's carry chain in execute) end in flip-flops. A result finished
// in write-back and used by the next instruction costs one bubble; a load
// right behind a store waits one cycle (the store writes as it would read).
#include <fmt/format.h>

#include <algorithm>

#include "blocks/rv32/rv32_parts.h"

namespace strata::rv32 {

namespace {
using ir::Dir;
using ir::Stmt;
using ir::assign;
using ir::if_else;
}  // namespace

std::string core(const SocConfig& c, ir::Design& d, int mmio_addr_bits) {
  const Rv32Config& r = *c.rv32;
  if (r.core == Rv32Core::compact) return core_compact(c, d, mmio_addr_bits);
  const bool m_ext = r.isa == Rv32Isa::rv32im;
  const int iaw = imem_addr_bits(r), daw = dmem_addr_bits(r);
  const std::string dec = decode(c, d), alu_m = alu(c, d), sh_m = shifter(c, d), rf = regfile(c, d), csr_m = csr(c, d), lsu_m = lsu(c, d);
  const std::string md = m_ext ? muldiv(c, d) : "";

  ir::Module m;
  m.name = c.name + "_rv32_core";
  m.description = fmt::format("RV32{} core: fetch, decode, execute, write-back; machine mode, Zicsr{}.", m_ext ? "IM" : "I",
                              r.rvfi ? ", RVFI retirement port" : "");
  m.port(Dir::in, "clk_i")
      .port(Dir::in, "rst_ni")
      .port(Dir::out, "imem_re_o", 1, false, "fetch: read IMEM at imem_addr_o (every cycle; a stall fetches the same word again)")
      .port(Dir::out, "imem_addr_o", iaw, false, "word address")
      .port(Dir::in, "imem_rdata_i", 32, false, "the word at imem_addr_o of the cycle before")
      .port(Dir::out, "data_re_o", 1, false, "load (execute): read data_raddr_o, data next cycle")
      .port(Dir::out, "data_raddr_o", 32)
      .port(Dir::in, "data_rdata_i", 32, false, "the word loaded, the cycle after data_re_o")
      .port(Dir::out, "data_we_o", 4, false, "store (write-back): byte lanes, only inside DMEM or MMIO")
      .port(Dir::out, "data_waddr_o", 32)
      .port(Dir::out, "data_wdata_o", 32)
      .port(Dir::in, "mtip_i", 1, false, "machine timer interrupt line")
      .port(Dir::in, "meip_i", 1, false, "machine external interrupt line");
  if (r.rvfi) {
    m.port(Dir::out, "rvfi_valid").port(Dir::out, "rvfi_order", 64).port(Dir::out, "rvfi_insn", 32).port(Dir::out, "rvfi_trap")
        .port(Dir::out, "rvfi_halt").port(Dir::out, "rvfi_intr").port(Dir::out, "rvfi_mode", 2).port(Dir::out, "rvfi_ixl", 2)
        .port(Dir::out, "rvfi_rs1_addr", 5).port(Dir::out, "rvfi_rs2_addr", 5).port(Dir::out, "rvfi_rs1_rdata", 32).port(Dir::out, "rvfi_rs2_rdata", 32)
        .port(Dir::out, "rvfi_rd_addr", 5).port(Dir::out, "rvfi_rd_wdata", 32).port(Dir::out, "rvfi_pc_rdata", 32).port(Dir::out, "rvfi_pc_wdata", 32)
        .port(Dir::out, "rvfi_mem_addr", 32).port(Dir::out, "rvfi_mem_rmask", 4).port(Dir::out, "rvfi_mem_wmask", 4)
        .port(Dir::out, "rvfi_mem_rdata", 32).port(Dir::out, "rvfi_mem_wdata", 32).port(Dir::out, "rvfi_ext_mip", 32);
  }

  // ---- fetch and decode
  m.net("pc_d_q", 30, false, "pc[31:2] of the word in decode").net("d_valid_q");
  m.net("fetch_pc", 30).net("seq_pc", 30).net("stall_d").net("late_use").net("redirect").net("redirect_pc", 30);
  m.net("d_illegal").net("d_rs1_used").net("d_rs2_used").net("d_rd_we").net("d_sub").net("d_uns");
  m.net("d_res", 2).net("d_link").net("d_branch").net("d_jal").net("d_jalr").net("d_load").net("d_store").net("d_csr").net("d_csr_wr");
  m.net("d_ecall").net("d_ebreak").net("d_mret").net("d_wfi").net("d_late", 1, false, "the result is finished in write-back");
  m.net("d_pred", 1, false, "JAL or backward branch: fetch its target next").net("d_target", 30).net("d_bj_imm", 32).net("d_target_lo_unused", 2);
  if (m_ext) m.net("d_md");
  m.net("rs1_d", 5).net("rs2_d", 5).net("rf_a", 32).net("rf_b", 32);
  // ---- execute
  m.net("e_valid_q").net("pc_e_q", 30).net("link_e_q", 30).net("instr_e_q", 32).net("target_e_q", 32, false, "pc + B/J immediate");
  m.net("e_fault", 1, false, "the pc is outside IMEM (instruction access fault)").net("e_illegal_q").net("e_rs1_used_q").net("e_rs2_used_q").net("e_rd_we_q").net("e_sub_q").net("e_uns_q");
  m.net("e_res_q", 2).net("e_sel_sum_q").net("e_link_q").net("e_branch_q").net("e_jal_q").net("e_jalr_q").net("e_load_q").net("e_store_q").net("e_csr_q");
  m.net("e_csr_wr_q").net("e_late_nz_q", 1, false, "a late result to a register other than x0").net("e_ecall_q").net("e_ebreak_q").net("e_mret_q").net("e_wfi_q").net("e_late_q").net("e_pred_q");
  if (m_ext) m.net("e_md_q").net("e_md").net("md_start").net("md_busy").net("md_done").net("md_result", 32);
  m.net("sel_a_q", 1, false, "operand a is fwd_a_q, not the register file").net("fwd_a_q", 32, false, "forwarded rs1, or the pc (AUIPC), or zero (LUI)");
  m.net("sel_b_q").net("fwd_b_q", 32, false, "forwarded rs2, or the immediate").net("sel_s_q").net("fwd_s_q", 32, false, "forwarded rs2 (store data)");
  m.net("fw_a").net("fw_b").net("bp_a").net("bp_b").net("e_result", 32);
  m.net("fw_a_res", 1, false, "forward the result of execute (the last-arriving input of the register)").net("fw_b_res").net("e_fault_q");
  // The result of execute (one select behind the carry chain) is the last input of the operand registers.
  m.net("fwd_a_alt", 32).net("fwd_b_alt", 32);
  m.net("e_rd", 5).net("f3e", 3).net("op_a", 32).net("op_b", 32).net("st_b", 32);
  m.net("alu_sum", 32).net("alu_lt").net("alu_eq").net("ls_wdata", 32).net("ls_mask", 4).net("ls_mis");
  m.net("e_exc", 1, false, "an exception known in execute").net("e_cause", 4).net("e_hold", 1, false, "execute must wait (unless squashed)").net("e_wait").net("e_retire").net("e_early_wr", 1, false, "writes rd with a result of execute");
  // ---- write-back
  m.net("w_valid_q").net("w_pc_q", 30).net("w_link_q", 30).net("w_insn_q", 32).net("w_exc_q").net("w_cause_q", 4);
  m.net("w_tv_pc_q", 1, false, "mtval is the pc (fetch fault)").net("w_tv_insn_q", 1, false, "mtval is the word (illegal; a fetch fault takes the pc)");
  m.net("w_rd_we_q").net("w_slt_q").net("w_load_q").net("w_store_q").net("w_csr_q").net("w_csr_wr_q").net("w_shift_q").net("w_mret_q").net("w_wfi_q");
  m.net("w_branch_q").net("w_jal_q").net("w_jalr_q").net("w_pred_q").net("w_lt_q").net("w_cond_q").net("w_mem_q");
  const int dparts = (30 - daw + 3) / 4;
  m.net("w_dmem_part_q", dparts, false, "DMEM's address bits, compared four at a time in execute").net("w_mmio_part_q", (35 - mmio_addr_bits) / 4, false, "MMIO's");
  m.net("e_cond").net("dmem_part", dparts).net("mmio_part", (35 - mmio_addr_bits) / 4);
  m.net("w_result_q", 32).net("w_addr_q", 32, false, "the data address, or the target of a branch or jump (bit 0 cleared for JALR; 0 for ECALL/EBREAK)").net("w_sdata_q", 32).net("w_mask_q", 4).net("w_sh_a_q", 32).net("w_sh_fill_q").net("w_sh_amt_q", 3).net("sh_mid", 32).net("sh_fill").net("w_csr_src_q", 32);
  m.net("w_f3", 3).net("w_rd", 5).net("w_cond").net("w_taken").net("w_npc", 32).net("w_tmis").net("w_in_dmem").net("w_in_mmio").net("w_fault");
  m.net("w_exc").net("w_tval", 32).net("w_irq").net("w_go").net("w_commit").net("w_trap").net("w_mispredict").net("w_we");
  m.net("w_load_value", 32).net("w_shifted", 32).net("w_wdata", 32).net("w_bpdata", 32, false, "w_wdata but for a CSR value").net("csr_rdata", 32).net("csr_irq").net("csr_irq_ext").net("csr_wake");
  m.net("csr_mip", 32).net("mtvec", 30).net("mepc", 30).net("wfi_q", 1, false, "sleeping after WFI until (mip & mie) != 0");

  m.comment("Fetch: a redirect from write-back, else the same word while decode stalls, else a predicted target, else the next word.");
  m.assign("seq_pc", "pc_d_q + 30'd1");
  m.net("fetch_hold").net("fetch_next", 30);
  m.assign("fetch_next", "redirect ? redirect_pc : d_pred ? d_target : seq_pc");
  m.assign("fetch_hold", "stall_d & ~redirect");
  m.assign("fetch_pc", "fetch_hold ? pc_d_q : fetch_next");
  m.assign("imem_re_o", "1'b1");
  m.assign("imem_addr_o", fmt::format("fetch_pc[{}:0]", iaw - 1));
  m.ff({if_else("!rst_ni",
                {assign("pc_d_q", fmt::format("30'd{}", ((r.reset_vector >> 2) + (1u << 30) - 1) & ((1u << 30) - 1))), assign("d_valid_q", "1'b0")},
                {assign("pc_d_q", "fetch_pc"), assign("d_valid_q", "1'b1")})});

  m.comment("Decode; the register numbers address the register file directly from IMEM's output.");
  std::vector<ir::Connection> dc{{"instr_i", "imem_rdata_i"}, {"illegal_o", "d_illegal"}, {"rs1_used_o", "d_rs1_used"}, {"rs2_used_o", "d_rs2_used"},
                                 {"rd_we_o", "d_rd_we"},
                                 {"sub_o", "d_sub"}, {"uns_o", "d_uns"}, {"res_o", "d_res"}, {"link_o", "d_link"}, {"branch_o", "d_branch"},
                                 {"jal_o", "d_jal"}, {"jalr_o", "d_jalr"}, {"load_o", "d_load"}, {"store_o", "d_store"}, {"csr_o", "d_csr"},
                                 {"csr_wr_o", "d_csr_wr"}, {"ecall_o", "d_ecall"}, {"ebreak_o", "d_ebreak"}, {"mret_o", "d_mret"}, {"wfi_o", "d_wfi"}};
  if (m_ext) dc.push_back({"md_o", "d_md"});
  m.instance(dec, "u_decode", dc);
  m.assign("rs1_d", "imem_rdata_i[19:15]").assign("rs2_d", "imem_rdata_i[24:20]");
  m.assign("d_late", "d_load | d_csr | d_res[1]");
  m.comment("Static prediction: JAL always, conditional branches when backward (the immediate is negative); from the opcode alone, since a");
  m.comment("word that is not a legal JAL or branch traps in write-back and squashes what was fetched behind it.");
  m.net("op_jal").net("op_branch").net("bj_imm", 32);
  m.assign("op_jal", "imem_rdata_i[6:0] == 7'b1101111").assign("op_branch", "imem_rdata_i[6:0] == 7'b1100011");
  m.assign("d_pred", "d_valid_q & (op_jal | (op_branch & imem_rdata_i[31]))");
  m.assign("bj_imm", "imem_rdata_i[3] ? {{11{imem_rdata_i[31]}}, imem_rdata_i[31], imem_rdata_i[19:12], imem_rdata_i[20], imem_rdata_i[30:21], 1'b0}"
                     " : {{19{imem_rdata_i[31]}}, imem_rdata_i[31], imem_rdata_i[7], imem_rdata_i[30:25], imem_rdata_i[11:8], 1'b0}");
  m.assign("d_bj_imm", "{pc_d_q, 2'b00} + bj_imm");
  m.assign("{d_target, d_target_lo_unused}", "d_bj_imm");
  m.instance(rf, "u_regfile",
             {{"clk_i", "clk_i"}, {"we_i", "w_we"}, {"waddr_i", "w_rd"}, {"wdata_i", "w_wdata"}, {"re_i", "~stall_d"}, {"raddr_a_i", "rs1_d"},
              {"raddr_b_i", "rs2_d"}, {"rdata_a_o", "rf_a"}, {"rdata_b_o", "rf_b"}});

  m.comment("A result finished in write-back (load, CSR, shift, set-less-than) used by the next instruction: one bubble.");
  m.comment("Whether the word reads rs1 / rs2 is taken from its opcode alone (a superset: CSR immediates count as rs1), to keep the");
  m.comment("decoder off this path, which holds the fetch.");
  m.net("rs1_maybe").net("rs2_maybe");
  m.assign("rs1_maybe", "~imem_rdata_i[2] | (imem_rdata_i[6] & ~imem_rdata_i[3])");
  m.assign("rs2_maybe", "imem_rdata_i[5] & ~imem_rdata_i[2] & ~(imem_rdata_i[6] & imem_rdata_i[4])");
  m.assign("late_use", "e_valid_q & e_late_nz_q & ((rs1_maybe & (rs1_d == e_rd)) | (rs2_maybe & (rs2_d == e_rd)))");
  m.comment("A redirect overrides a stall (in the fetch and in execute), so the stall does not wait for it.");
  m.comment("A CSR value in write-back used by the word in decode: one more bubble (the register file has it next cycle), so the");
  m.comment("CSR read multiplexer stays off the operand registers.");
  m.net("csr_use");
  m.assign("csr_use", "w_valid_q & w_csr_q & (w_rd != 5'd0) & ((rs1_maybe & (rs1_d == w_rd)) | (rs2_maybe & (rs2_d == w_rd)))");
  m.assign("stall_d", "e_hold | late_use | csr_use | wfi_q");
  m.assign("e_early_wr", "e_valid_q & e_rd_we_q & ~e_late_q & (e_rd != 5'd0)");

  std::vector<Stmt> take{assign("e_valid_q", "d_valid_q"), assign("pc_e_q", "pc_d_q"), assign("link_e_q", "seq_pc"), assign("instr_e_q", "imem_rdata_i"),
                         assign("target_e_q", "d_bj_imm"), assign("e_illegal_q", "d_illegal"),
                         assign("e_rs1_used_q", "d_rs1_used"), assign("e_rs2_used_q", "d_rs2_used"), assign("e_rd_we_q", "d_rd_we"),
                         assign("e_sub_q", "d_sub"), assign("e_uns_q", "d_uns"), assign("e_res_q", "d_res"),
                         assign("e_sel_sum_q", std::string("d_res == 2'd0 & ~d_link") + (m_ext ? " & ~d_md" : "")),
                         assign("e_link_q", "d_link"), assign("e_branch_q", "d_branch"), assign("e_jal_q", "d_jal"), assign("e_jalr_q", "d_jalr"),
                         assign("e_load_q", "d_load"), assign("e_store_q", "d_store"), assign("e_csr_q", "d_csr"), assign("e_csr_wr_q", "d_csr_wr"),
                         assign("e_ecall_q", "d_ecall"), assign("e_ebreak_q", "d_ebreak"), assign("e_mret_q", "d_mret"), assign("e_wfi_q", "d_wfi"),
                         assign("e_late_q", "d_late"), assign("e_late_nz_q", "d_late & (imem_rdata_i[11:7] != 5'd0)"), assign("e_pred_q", "d_pred"),
                         assign("sel_a_q", "o_auipc | o_lui | fw_a | bp_a"),
                         assign("fwd_a_q", "fw_a_res ? e_result : fwd_a_alt"),
                         assign("sel_b_q", "o_bimm | fw_b | bp_b"), assign("fwd_b_q", "fw_b_res ? e_result : fwd_b_alt"),
                         assign("sel_s_q", "fw_b | bp_b"), assign("fwd_s_q", "fw_b ? e_result : w_bpdata"),
                         assign("e_fault_q", fmt::format("pc_d_q[29:{}] != {}'d0", iaw, 30 - iaw))};
  if (m_ext) take.push_back(assign("e_md_q", "d_md"));
  m.comment("Execute takes the decoded word, or a bubble behind a squash or a stall; it holds while it waits.");
  m.ff({if_else("!rst_ni", {assign("e_valid_q", "1'b0")},
                {if_else("redirect", {assign("e_valid_q", "1'b0")},
                         {if_else("!stall_d", take, {if_else("!e_wait", {assign("e_valid_q", "1'b0")})})})})});

  m.comment("Operands: a register of decode (the result of execute, or the value written back as the registers were read, or the pc,");
  m.comment("zero, the immediate), else the register file: one multiplexer before the adder.");
  m.assign("fw_a", "e_early_wr & (e_rd == rs1_d)").assign("fw_b", "e_early_wr & (e_rd == rs2_d)");
  m.assign("bp_a", "w_we & (w_rd == rs1_d)").assign("bp_b", "w_we & (w_rd == rs2_d)");
  m.comment("The operand sources from the opcode bits alone (the decoder is too deep for this path): AUIPC takes the pc, LUI zero,");
  m.comment("everything but OP and BRANCH the immediate (I, S or U format) as operand b.");
  m.net("o_auipc").net("o_lui").net("o_bimm").net("o_s").net("o_u").net("o_imm", 32);
  m.assign("o_auipc", "imem_rdata_i[6:0] == 7'b0010111").assign("o_lui", "imem_rdata_i[6:0] == 7'b0110111");
  m.assign("o_bimm", "~(imem_rdata_i[5] & ~imem_rdata_i[2] & (imem_rdata_i[6] ^ imem_rdata_i[4]))");
  m.assign("o_s", "imem_rdata_i[6:4] == 3'b010 && imem_rdata_i[2] == 1'b0").assign("o_u", "imem_rdata_i[4] & imem_rdata_i[2] & ~imem_rdata_i[6]");
  m.assign("o_imm", "o_u ? {imem_rdata_i[31:12], 12'd0} : {{20{imem_rdata_i[31]}}, imem_rdata_i[31:25], o_s ? imem_rdata_i[11:7] : imem_rdata_i[24:20]}");
  m.assign("fw_a_res", "fw_a & ~o_auipc & ~o_lui").assign("fw_b_res", "fw_b & ~o_bimm");
  m.assign("fwd_a_alt", "o_auipc ? {pc_d_q, 2'b00} : o_lui ? 32'd0 : w_bpdata");
  m.assign("fwd_b_alt", "o_bimm ? o_imm : w_bpdata");
  m.assign("e_rd", "instr_e_q[11:7]").assign("f3e", "instr_e_q[14:12]");
  m.assign("op_a", "sel_a_q ? fwd_a_q : rf_a");
  m.assign("op_b", "sel_b_q ? fwd_b_q : rf_b");
  m.assign("st_b", "sel_s_q ? fwd_s_q : rf_b");
  std::vector<ir::Connection> ac{{"a_i", "op_a"}, {"b_i", "op_b"}, {"sub_i", "e_sub_q"},
                                 {"uns_i", "e_uns_q"}, {"f3_i", "f3e[1:0]"}, {"sel_sum_i", "e_sel_sum_q"},
                                 {"sel_link_i", "e_link_q"}, {"link_i", "{link_e_q, 2'b00}"}};
  if (m_ext) ac.insert(ac.end(), {{"sel_md_i", "e_md_q"}, {"md_i", "md_result"}});
  ac.insert(ac.end(), {{"sum_o", "alu_sum"}, {"result_o", "e_result"}, {"lt_o", "alu_lt"}, {"eq_o", "alu_eq"}});
  m.instance(alu_m, "u_alu", ac);
  m.instance(lsu_m, "u_lsu",
             {{"addr_i", "alu_sum[1:0]"}, {"size_i", "f3e[1:0]"}, {"rs2_i", "st_b"}, {"wdata_o", "ls_wdata"}, {"mask_o", "ls_mask"}, {"misaligned_o", "ls_mis"},
              {"w_rdata_i", "data_rdata_i"}, {"w_addr_i", "w_addr_q[1:0]"}, {"w_f3_i", "w_f3"}, {"w_value_o", "w_load_value"}});
  m.assign("e_fault", "e_fault_q");  // registered from pc_d_q: off the path to the M unit's start
  m.comment("Exceptions known in execute, by priority: fetch fault, illegal, EBREAK, ECALL, misaligned access.");
  m.assign("e_exc", "e_fault | e_illegal_q | e_ecall_q | e_ebreak_q | ((e_load_q | e_store_q) & ls_mis)");
  m.assign("e_cause", "e_fault ? 4'd1 : e_illegal_q ? 4'd2 : e_ebreak_q ? 4'd3 : e_ecall_q ? 4'd11 : e_store_q ? 4'd6 : 4'd4");
  m.comment("Loads read in execute; a load right behind a store waits for it (the store is written in write-back). A read of");
  m.comment("minstret(h) waits until the counter has caught up with the instructions ahead of it.");
  m.net("csr_wait").net("instret_pend");
  m.assign("csr_wait", "e_csr_q & (instr_e_q[31:20] == 12'hB02 || instr_e_q[31:20] == 12'hB82) & (w_valid_q | instret_pend)");
  m.assign("data_re_o", "e_valid_q & e_load_q");
  m.assign("data_raddr_o", "alu_sum");
  if (m_ext) {
    m.assign("e_md", "e_md_q & ~e_fault");
    m.assign("md_start", "e_valid_q & e_md & ~md_busy");  // a redirect kills the unit (kill_i wins over start_i)
    m.assign("e_hold", "e_valid_q & ((e_md & ~md_done) | (e_load_q & w_valid_q & w_store_q) | csr_wait)");
    m.instance(md, "u_muldiv",
               {{"clk_i", "clk_i"}, {"rst_ni", "rst_ni"}, {"kill_i", "redirect"}, {"start_i", "md_start"}, {"op_i", "f3e"}, {"a_i", "op_a"}, {"b_i", "op_b"},
                {"busy_o", "md_busy"}, {"done_o", "md_done"}, {"result_o", "md_result"}});
  } else {
    m.assign("e_hold", "e_valid_q & ((e_load_q & w_valid_q & w_store_q) | csr_wait)");
  }
  m.assign("e_wait", "e_hold & ~redirect");
  m.assign("e_retire", "e_valid_q & ~redirect & ~e_wait");
  m.assign("e_cond", "(f3e[2] ? alu_lt : alu_eq) ^ f3e[0]");

  m.comment("Write-back takes what execute retires (its data registers hold otherwise, for the forwarding of a waiting instruction).");
  m.ff({if_else("!rst_ni", {assign("w_valid_q", "1'b0")}, {assign("w_valid_q", "e_retire")}),
        if_else("e_retire",
                {assign("w_pc_q", "pc_e_q"), assign("w_link_q", "link_e_q"), assign("w_insn_q", "instr_e_q"),
                 assign("w_exc_q", "e_exc"), assign("w_tv_pc_q", "e_fault"), assign("w_tv_insn_q", "e_illegal_q"), assign("w_cause_q", "e_cause"),
                 assign("w_rd_we_q", "e_rd_we_q"), assign("w_load_q", "e_load_q"), assign("w_store_q", "e_store_q"), assign("w_csr_q", "e_csr_q"),
                 assign("w_csr_wr_q", "e_csr_wr_q"), assign("w_shift_q", "e_res_q == 2'd2"), assign("w_slt_q", "e_res_q == 2'd3"), assign("w_mret_q", "e_mret_q"), assign("w_wfi_q", "e_wfi_q"),
                 assign("w_branch_q", "e_branch_q"), assign("w_jal_q", "e_jal_q"), assign("w_jalr_q", "e_jalr_q"), assign("w_pred_q", "e_pred_q"),
                 assign("w_lt_q", "alu_lt"), assign("w_cond_q", "e_cond"),
                 assign("w_dmem_part_q", "dmem_part"), assign("w_mmio_part_q", "mmio_part"), assign("w_mem_q", "e_load_q | e_store_q"),
                 assign("w_result_q", "e_result"),
                 assign("w_addr_q", "(e_jal_q | e_branch_q) ? target_e_q : {alu_sum[31:1], alu_sum[0] & ~e_jalr_q & ~e_ebreak_q}"), assign("w_sdata_q", "ls_wdata"), assign("w_mask_q", "ls_mask"),
                 assign("w_sh_a_q", "sh_mid"), assign("w_sh_fill_q", "sh_fill"), assign("w_sh_amt_q", "op_b[2:0]"),
                 assign("w_csr_src_q", "f3e[2] ? {27'd0, instr_e_q[19:15]} : op_a")})});

  m.comment("Write-back: branch resolution (BEQ/BNE on equality, the others on the comparison; funct3 bit 0 inverts).");
  m.assign("w_f3", "w_insn_q[14:12]").assign("w_rd", "w_insn_q[11:7]");
  m.assign("w_cond", "w_cond_q");
  m.assign("w_taken", "w_jal_q | w_jalr_q | (w_branch_q & w_cond)");
  m.assign("w_npc", "w_taken ? w_addr_q : {w_link_q, 2'b00}");
  m.assign("w_tmis", "w_taken & w_addr_q[1]");
  m.assign("w_mispredict", "w_jalr_q | (w_branch_q & (w_cond ^ w_pred_q))");
  m.comment("The memory map: DMEM and MMIO; any other data address faults.");
  {
    // The region of a data address, compared in groups of four bits in
    // execute (one LUT after the adder) and combined in write-back.
    auto parts = [&](int lo, unsigned base, int n) {
      std::string cat = "{";
      for (int k = 0; k < n; ++k) {
        const int hi = 31 - 4 * k, l = std::max(lo, hi - 3);
        const unsigned v = (base >> l) & ((1u << (hi - l + 1)) - 1);
        cat += fmt::format("{}alu_sum[{}:{}] == {}'h{:X}", k ? ", " : "", hi, l, hi - l + 1, v);
      }
      return cat + "}";
    };
    m.assign("dmem_part", parts(daw + 2, kDmemBase, dparts));
    m.assign("mmio_part", parts(mmio_addr_bits, kMmioBase, (35 - mmio_addr_bits) / 4));
  }
  m.assign("w_in_dmem", "&w_dmem_part_q");
  m.assign("w_in_mmio", "&w_mmio_part_q");
  m.assign("w_fault", "w_mem_q & ~w_in_dmem & ~w_in_mmio");
  m.assign("w_exc", "w_exc_q | w_tmis | w_fault");
  m.assign("w_tval",
           "w_tv_pc_q ? {w_pc_q, 2'b00} : w_tv_insn_q ? w_insn_q : w_addr_q");
  m.net("w_cause", 4);
  m.assign("w_cause", "w_exc_q ? w_cause_q : w_tmis ? 4'd0 : w_store_q ? 4'd7 : 4'd5");
  m.comment("Interrupts are taken before the instruction in write-back, which is squashed with everything behind it.");
  m.assign("w_irq", "w_valid_q & csr_irq");
  m.assign("w_go", "w_valid_q & ~csr_irq");
  m.assign("w_commit", "w_go & ~w_exc");
  m.assign("w_trap", "(w_go & w_exc) | w_irq");
  m.comment("A redirect: a trap or interrupt, else a committed misprediction, MRET or WFI; written flat (every term a register or two");
  m.comment("levels from one), since it selects the next fetch address.");
  m.net("w_trap_any");
  m.assign("w_trap_any", "csr_irq | w_exc_q | w_tmis | w_fault");
  m.assign("redirect", "w_valid_q & (w_trap_any | w_mispredict | w_mret_q | w_wfi_q)");
  m.assign("redirect_pc", "w_trap_any ? mtvec : w_mret_q ? mepc : w_npc[31:2]");
  m.comment("The commits of a store, a CSR write and MRET, written for what each can raise (a store no misaligned target, a CSR");
  m.comment("instruction or MRET nothing past decode), which keeps the long terms off their enables.");
  m.net("w_ok", 1, false, "valid, not interrupted, no exception from execute");
  m.assign("w_ok", "w_valid_q & ~csr_irq & ~w_exc_q");
  m.assign("data_we_o", "{4{w_ok & w_store_q & ~w_fault}} & w_mask_q");
  m.assign("data_waddr_o", "w_addr_q").assign("data_wdata_o", "w_sdata_q");
  m.instance(csr_m, "u_csr",
             {{"clk_i", "clk_i"}, {"rst_ni", "rst_ni"}, {"addr_i", "w_insn_q[31:20]"}, {"rdata_o", "csr_rdata"}, {"wen_i", "w_ok & w_csr_wr_q"},
              {"op_i", "w_f3[1:0]"}, {"src_i", "w_csr_src_q"}, {"trap_i", "w_trap"},
              {"cause_i", "w_irq ? {1'b1, csr_irq_ext ? 4'd11 : 4'd7} : {1'b0, w_cause}"}, {"tval_i", "w_irq ? 32'd0 : w_tval"},
              {"epc_i", "w_pc_q"}, {"mret_i", "w_ok & w_mret_q"}, {"instret_i", "w_commit"}, {"instret_pend_o", "instret_pend"}, {"mtip_i", "mtip_i"}, {"meip_i", "meip_i"},
              {"mtvec_o", "mtvec"}, {"mepc_o", "mepc"}, {"irq_o", "csr_irq"}, {"irq_ext_o", "csr_irq_ext"}, {"wake_o", "csr_wake"}, {"mip_o", "csr_mip"}});
  m.instance(sh_m, "u_shifter",
             {{"a_i", "op_a"}, {"amt_i", "op_b[4:0]"}, {"left_i", "~f3e[2]"}, {"arith_i", "instr_e_q[30]"}, {"mid_o", "sh_mid"}, {"fill_o", "sh_fill"},
              {"mid_i", "w_sh_a_q"}, {"fill_i", "w_sh_fill_q"}, {"amt_lo_i", "w_sh_amt_q"}, {"left_w_i", "~w_f3[2]"}, {"result_o", "w_shifted"}});
  m.assign("w_we", "w_commit & w_rd_we_q & (w_rd != 5'd0)");
  m.assign("w_bpdata", "w_load_q ? w_load_value : w_shift_q ? w_shifted : w_slt_q ? {31'd0, w_lt_q} : w_result_q");
  m.assign("w_wdata", "w_csr_q ? csr_rdata : w_bpdata");
  m.ff({if_else("!rst_ni", {assign("wfi_q", "1'b0")}, {assign("wfi_q", "wfi_q ? ~csr_wake : (w_commit & w_wfi_q)")})});

  if (r.rvfi) {
    m.comment("RVFI: the retirement of write-back.");
    m.net("rv_order_q", 64).net("intr_pend_q", 1, false, "the next retirement is the first of a handler").net("irq_mip_q", 32);
    m.net("w_rs1_q", 32).net("w_rs2_q", 32).net("w_rs1_used_q").net("w_rs2_used_q").net("lane_bits", 32).net("w_mem_ok");
    m.ff({if_else("!rst_ni", {assign("rv_order_q", "64'd0"), assign("intr_pend_q", "1'b0")},
                  {if_else("w_go", {assign("rv_order_q", "rv_order_q + 64'd1")}),
                   if_else("w_trap", {assign("intr_pend_q", "1'b1")}, {if_else("w_go", {assign("intr_pend_q", "1'b0")})})}),
          if_else("w_irq", {assign("irq_mip_q", "csr_mip")}),
          if_else("e_retire", {assign("w_rs1_q", "op_a"), assign("w_rs2_q", "e_store_q ? st_b : op_b"), assign("w_rs1_used_q", "e_rs1_used_q"),
                               assign("w_rs2_used_q", "e_rs2_used_q")})});
    m.assign("lane_bits", "{{8{w_mask_q[3]}}, {8{w_mask_q[2]}}, {8{w_mask_q[1]}}, {8{w_mask_q[0]}}}");
    m.assign("w_mem_ok", "w_mem_q & ~w_exc");
    m.assign("rvfi_valid", "w_go").assign("rvfi_order", "rv_order_q").assign("rvfi_insn", "(w_exc_q && w_cause_q == 4'd1) ? 32'd0 : w_insn_q").assign("rvfi_trap", "w_exc");
    m.assign("rvfi_halt", "1'b0").assign("rvfi_intr", "intr_pend_q").assign("rvfi_mode", "2'd3").assign("rvfi_ixl", "2'd1");
    m.assign("rvfi_rs1_addr", "w_rs1_used_q ? w_insn_q[19:15] : 5'd0").assign("rvfi_rs2_addr", "w_rs2_used_q ? w_insn_q[24:20] : 5'd0");
    m.assign("rvfi_rs1_rdata", "w_rs1_used_q ? w_rs1_q : 32'd0").assign("rvfi_rs2_rdata", "w_rs2_used_q ? w_rs2_q : 32'd0");
    m.assign("rvfi_rd_addr", "w_we ? w_rd : 5'd0").assign("rvfi_rd_wdata", "w_we ? w_wdata : 32'd0");
    m.assign("rvfi_pc_rdata", "{w_pc_q, 2'b00}");
    m.assign("rvfi_pc_wdata", "w_exc ? {mtvec, 2'b00} : w_mret_q ? {mepc, 2'b00} : w_npc");
    m.assign("rvfi_mem_addr", "w_mem_ok ? {w_addr_q[31:2], 2'b00} : 32'd0");
    m.assign("rvfi_mem_rmask", "(w_mem_ok & w_load_q) ? w_mask_q : 4'd0").assign("rvfi_mem_wmask", "(w_mem_ok & w_store_q) ? w_mask_q : 4'd0");
    m.assign("rvfi_mem_rdata", "(w_mem_ok & w_load_q) ? data_rdata_i : 32'd0");
    m.assign("rvfi_mem_wdata", "(w_mem_ok & w_store_q) ? (w_sdata_q & lane_bits) : 32'd0");
    m.assign("rvfi_ext_mip", "irq_mip_q");
  } else {
    m.net("rvfi_unused", 36, false, "what only the RVFI port reads");
    m.assign("rvfi_unused", "{e_rs1_used_q, e_rs2_used_q, w_npc[1:0], csr_mip}");
  }
  return d.add(std::move(m));
}

}  // namespace strata::rv32
