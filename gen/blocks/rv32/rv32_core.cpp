// The pipeline of the RV32 core (docs/blocks/rv32.md, "Micro-architecture"):
//   fetch      the next pc addresses IMEM (synchronous block RAM);
//   decode     the word arrives, is decoded, and its register numbers address
//              the register file (synchronous block RAM);
//   execute    operands (forwarded), ALU, branches, CSRs, traps, the data
//              access; every instruction commits or traps here;
//   write-back load data arrive and are extended; rd is written.
// A taken branch or jump, a trap and MRET redirect the fetch from execute
// (one squashed instruction); a load followed by a use of its rd costs one
// bubble; the M unit holds execute until its result is ready.
#include <fmt/format.h>

#include "blocks/rv32/rv32_parts.h"

namespace strata::rv32 {

namespace {
using ir::Dir;
using ir::Stmt;
using ir::assign;
using ir::if_else;
}  // namespace

std::string core(const SocConfig& c, ir::Design& d) {
  const Rv32Config& r = *c.rv32;
  const bool m_ext = r.isa == Rv32Isa::rv32im;
  const int iaw = imem_addr_bits(r), daw = dmem_addr_bits(r);
  const std::string dec = decode(c, d), alu_m = alu(c, d), rf = regfile(c, d), csr_m = csr(c, d), lsu_m = lsu(c, d);
  const std::string md = m_ext ? muldiv(c, d) : "";

  ir::Module m;
  m.name = c.name + "_rv32_core";
  m.description = fmt::format("RV32{} core: fetch, decode, execute, write-back; machine mode, Zicsr{}.", m_ext ? "IM" : "I",
                              r.rvfi ? ", RVFI retirement port" : "");
  m.port(Dir::in, "clk_i")
      .port(Dir::in, "rst_ni")
      .port(Dir::out, "imem_re_o", 1, false, "fetch: read IMEM at imem_addr_o")
      .port(Dir::out, "imem_addr_o", iaw, false, "word address")
      .port(Dir::in, "imem_rdata_i", 32, false, "the word fetched the cycle before (held while not read)")
      .port(Dir::out, "data_re_o", 1, false, "load from data_addr_o; data next cycle")
      .port(Dir::out, "data_we_o", 4, false, "store byte lanes (only inside DMEM or MMIO)")
      .port(Dir::out, "data_addr_o", 32)
      .port(Dir::out, "data_wdata_o", 32)
      .port(Dir::in, "data_rdata_i", 32, false, "the word loaded, the cycle after data_re_o")
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
  m.net("pc_d_q", 30, false, "pc[31:2] of the word in decode").net("d_valid_q").net("d_fault_q", 1, false, "its fetch was outside IMEM");
  m.net("fetch_pc", 30).net("seq_pc", 30).net("fetch_hi_unused", 30 - iaw > 0 ? 30 - iaw : 1);
  m.net("stall_d").net("load_use").net("redirect").net("redirect_pc", 30);
  m.net("d_illegal").net("d_rs1_used").net("d_rs2_used").net("d_rd_we").net("d_imm", 32).net("d_a_pc").net("d_a_zero").net("d_b_imm").net("d_sub").net("d_uns");
  m.net("d_res", 2).net("d_link").net("d_branch").net("d_jal").net("d_jalr").net("d_load").net("d_store").net("d_csr").net("d_csr_wr");
  m.net("d_ecall").net("d_ebreak").net("d_mret").net("d_wfi");
  if (m_ext) m.net("d_md");
  m.net("rs1_d", 5).net("rs2_d", 5).net("rf_a", 32).net("rf_b", 32);
  // ---- execute
  m.net("e_valid_q").net("pc_e_q", 30).net("link_e_q", 30).net("instr_e_q", 32).net("imm_e_q", 32).net("e_fault_q").net("e_illegal_q");
  m.net("e_rs1_used_q").net("e_rs2_used_q").net("e_rd_we_q").net("e_a_pc_q").net("e_a_zero_q").net("e_b_imm_q").net("e_sub_q").net("e_uns_q");
  m.net("e_res_q", 2).net("e_link_q").net("e_branch_q").net("e_jal_q").net("e_jalr_q").net("e_load_q").net("e_store_q").net("e_csr_q").net("e_csr_wr_q");
  m.net("e_ecall_q").net("e_ebreak_q").net("e_mret_q").net("e_wfi_q");
  if (m_ext) m.net("e_md_q").net("e_md").net("md_start").net("md_busy").net("md_done").net("md_result", 32);
  m.net("fw_a_q", 1, false, "rs1 is the result in write-back").net("fw_b_q").net("bp_a_q", 1, false, "rs1 is the value written as it was read").net("bp_b_q");
  m.net("bp_data_q", 32).net("e_rd", 5).net("f3e", 3).net("op_a", 32).net("op_b", 32);
  m.net("alu_sum", 32).net("alu_result", 32).net("alu_lt").net("alu_eq").net("cond").net("taken").net("btarget", 32).net("target", 32).net("tmis");
  m.net("ls_wdata", 32).net("ls_mask", 4).net("ls_mis").net("in_dmem").net("in_mmio").net("acc_fault").net("e_mem");
  m.net("e_exc").net("exc_cause", 4).net("exc_tval", 32).net("irq_take").net("e_go").net("e_wait").net("e_commit").net("e_retire").net("trap_enter");
  m.net("e_wr_alu", 1, false, "execute writes a non-load result to rd").net("e_result", 32);
  m.net("csr_rdata", 32).net("csr_irq").net("csr_irq_ext").net("csr_wake").net("csr_mip", 32).net("mtvec", 30).net("mepc", 30);
  m.net("wfi_q", 1, false, "sleeping after WFI until (mip & mie) != 0");
  // ---- write-back
  m.net("w_valid_q").net("w_we_q").net("w_rd_q", 5).net("w_load_q").net("w_f3_q", 3).net("w_addr_q", 2).net("w_result_q", 32);
  m.net("w_load_value", 32).net("w_wdata", 32);

  m.comment("Fetch: the next pc, a redirect from execute or the next word; held while decode stalls.");
  m.assign("seq_pc", "pc_d_q + 30'd1");
  m.assign("fetch_pc", "redirect ? redirect_pc : seq_pc");
  m.assign("imem_re_o", "redirect | ~stall_d");
  m.assign("imem_addr_o", fmt::format("fetch_pc[{}:0]", iaw - 1));
  m.assign("fetch_hi_unused", iaw < 30 ? fmt::format("fetch_pc[29:{}]", iaw) : "1'b0");
  m.ff({if_else("!rst_ni",
                {assign("pc_d_q", fmt::format("30'd{}", ((r.reset_vector >> 2) + (1u << 30) - 1) & ((1u << 30) - 1))), assign("d_valid_q", "1'b0"),
                 assign("d_fault_q", "1'b0")},
                {if_else("imem_re_o", {assign("pc_d_q", "fetch_pc"), assign("d_valid_q", "1'b1"),
                                       assign("d_fault_q", iaw < 30 ? fmt::format("fetch_pc[29:{}] != {}'d0", iaw, 30 - iaw) : "1'b0")})})});

  m.comment("Decode; the register numbers address the register file directly from IMEM's output.");
  std::vector<ir::Connection> dc{{"instr_i", "imem_rdata_i"}, {"illegal_o", "d_illegal"}, {"rs1_used_o", "d_rs1_used"}, {"rs2_used_o", "d_rs2_used"},
                                 {"rd_we_o", "d_rd_we"}, {"imm_o", "d_imm"}, {"a_pc_o", "d_a_pc"}, {"a_zero_o", "d_a_zero"}, {"b_imm_o", "d_b_imm"},
                                 {"sub_o", "d_sub"}, {"uns_o", "d_uns"}, {"res_o", "d_res"}, {"link_o", "d_link"}, {"branch_o", "d_branch"},
                                 {"jal_o", "d_jal"}, {"jalr_o", "d_jalr"}, {"load_o", "d_load"}, {"store_o", "d_store"}, {"csr_o", "d_csr"},
                                 {"csr_wr_o", "d_csr_wr"}, {"ecall_o", "d_ecall"}, {"ebreak_o", "d_ebreak"}, {"mret_o", "d_mret"}, {"wfi_o", "d_wfi"}};
  if (m_ext) dc.push_back({"md_o", "d_md"});
  m.instance(dec, "u_decode", dc);
  m.assign("rs1_d", "imem_rdata_i[19:15]").assign("rs2_d", "imem_rdata_i[24:20]");
  m.instance(rf, "u_regfile",
             {{"clk_i", "clk_i"}, {"we_i", "w_we_q"}, {"waddr_i", "w_rd_q"}, {"wdata_i", "w_wdata"}, {"raddr_a_i", "rs1_d"}, {"raddr_b_i", "rs2_d"},
              {"rdata_a_o", "rf_a"}, {"rdata_b_o", "rf_b"}});

  m.comment("A load's rd used by the next instruction: one bubble (its data arrive in write-back).");
  m.assign("load_use", "d_valid_q & e_valid_q & e_load_q & (e_rd != 5'd0) & ((d_rs1_used & (rs1_d == e_rd)) | (d_rs2_used & (rs2_d == e_rd)))");
  m.assign("stall_d", std::string(m_ext ? "e_wait | " : "") + "load_use | wfi_q");

  std::vector<Stmt> take{assign("e_valid_q", "d_valid_q"), assign("pc_e_q", "pc_d_q"), assign("link_e_q", "seq_pc"), assign("instr_e_q", "imem_rdata_i"),
                         assign("imm_e_q", "d_imm"), assign("e_fault_q", "d_fault_q"), assign("e_illegal_q", "d_illegal"),
                         assign("e_rs1_used_q", "d_rs1_used"), assign("e_rs2_used_q", "d_rs2_used"), assign("e_rd_we_q", "d_rd_we"),
                         assign("e_a_pc_q", "d_a_pc"), assign("e_a_zero_q", "d_a_zero"), assign("e_b_imm_q", "d_b_imm"), assign("e_sub_q", "d_sub"),
                         assign("e_uns_q", "d_uns"), assign("e_res_q", "d_res"), assign("e_link_q", "d_link"), assign("e_branch_q", "d_branch"),
                         assign("e_jal_q", "d_jal"), assign("e_jalr_q", "d_jalr"), assign("e_load_q", "d_load"), assign("e_store_q", "d_store"),
                         assign("e_csr_q", "d_csr"), assign("e_csr_wr_q", "d_csr_wr"), assign("e_ecall_q", "d_ecall"), assign("e_ebreak_q", "d_ebreak"),
                         assign("e_mret_q", "d_mret"), assign("e_wfi_q", "d_wfi"),
                         assign("fw_a_q", "e_wr_alu & (e_rd == rs1_d)"), assign("fw_b_q", "e_wr_alu & (e_rd == rs2_d)"),
                         assign("bp_a_q", "w_we_q & (w_rd_q == rs1_d)"), assign("bp_b_q", "w_we_q & (w_rd_q == rs2_d)"), assign("bp_data_q", "w_wdata")};
  if (m_ext) take.push_back(assign("e_md_q", "d_md"));
  m.comment("Execute takes the decoded word, or a bubble behind a squash or a stall; it holds while the M unit works.");
  m.ff({if_else("!rst_ni", {assign("e_valid_q", "1'b0")},
                {if_else("redirect", {assign("e_valid_q", "1'b0")},
                         {if_else("!stall_d", take, {if_else(m_ext ? "!e_wait" : "1'b1", {assign("e_valid_q", "1'b0")})})})})});

  m.comment("Operands: the result in write-back, else the value written as the registers were read, else the register file.");
  m.assign("e_rd", "instr_e_q[11:7]").assign("f3e", "instr_e_q[14:12]");
  m.assign("op_a", "fw_a_q ? w_result_q : bp_a_q ? bp_data_q : rf_a");
  m.assign("op_b", "fw_b_q ? w_result_q : bp_b_q ? bp_data_q : rf_b");
  m.instance(alu_m, "u_alu",
             {{"rs1_i", "op_a"}, {"rs2_i", "op_b"}, {"pc_i", "{pc_e_q, 2'b00}"}, {"imm_i", "imm_e_q"}, {"a_pc_i", "e_a_pc_q"}, {"a_zero_i", "e_a_zero_q"},
              {"b_imm_i", "e_b_imm_q"}, {"sub_i", "e_sub_q"}, {"uns_i", "e_uns_q"}, {"res_i", "e_res_q"}, {"f3_i", "f3e"}, {"arith_i", "instr_e_q[30]"},
              {"sum_o", "alu_sum"}, {"result_o", "alu_result"}, {"lt_o", "alu_lt"}, {"eq_o", "alu_eq"}});

  m.comment("Branches and jumps: BEQ/BNE on equality, the others on the comparison; funct3 bit 0 inverts.");
  m.assign("cond", "(f3e[2] ? alu_lt : alu_eq) ^ f3e[0]");
  m.assign("taken", "e_jal_q | e_jalr_q | (e_branch_q & cond)");
  m.assign("btarget", "{pc_e_q, 2'b00} + imm_e_q");
  m.assign("target", "e_jalr_q ? {alu_sum[31:1], 1'b0} : btarget");
  m.assign("tmis", "taken & target[1]");

  m.comment("Loads and stores: lanes, alignment, and the memory map (DMEM, MMIO; anything else faults).");
  m.instance(lsu_m, "u_lsu",
             {{"addr_i", "alu_sum[1:0]"}, {"size_i", "f3e[1:0]"}, {"rs2_i", "op_b"}, {"wdata_o", "ls_wdata"}, {"mask_o", "ls_mask"}, {"misaligned_o", "ls_mis"},
              {"w_rdata_i", "data_rdata_i"}, {"w_addr_i", "w_addr_q"}, {"w_f3_i", "w_f3_q"}, {"w_value_o", "w_load_value"}});
  m.assign("in_dmem", fmt::format("alu_sum[31:{}] == {}'h{:X}", daw + 2, 30 - daw, kDmemBase >> (daw + 2)));
  m.assign("in_mmio", fmt::format("alu_sum[31:5] == 27'h{:X}", kMmioBase >> 5));
  m.assign("acc_fault", "~in_dmem & ~in_mmio");
  m.assign("e_mem", "e_load_q | e_store_q");

  m.comment("Exceptions, by priority: fetch fault, illegal, EBREAK/ECALL, misaligned target, misaligned or faulting access.");
  m.assign("e_exc", "e_fault_q | e_illegal_q | e_ecall_q | e_ebreak_q | tmis | (e_mem & (ls_mis | acc_fault))");
  m.assign("exc_cause",
           "e_fault_q ? 4'd1 : e_illegal_q ? 4'd2 : e_ebreak_q ? 4'd3 : e_ecall_q ? 4'd11 : tmis ? 4'd0 : "
           "{2'b01, e_store_q, ~ls_mis}");
  m.assign("exc_tval", "e_fault_q ? {pc_e_q, 2'b00} : e_illegal_q ? instr_e_q : (e_ebreak_q | e_ecall_q) ? 32'd0 : tmis ? target : alu_sum");
  m.comment("Interrupts are taken before the instruction in execute (never in the middle of an M operation).");
  m.assign("irq_take", std::string("e_valid_q & csr_irq") + (m_ext ? " & ~md_busy" : ""));
  m.assign("e_go", "e_valid_q & ~irq_take");
  if (m_ext) {
    m.assign("e_md", "e_md_q & ~e_fault_q");
    m.assign("md_start", "e_go & e_md & ~md_busy");
    m.assign("e_wait", "e_go & e_md & ~md_done");
  } else {
    m.assign("e_wait", "1'b0");
  }
  m.assign("e_retire", "e_go & ~e_wait");
  m.assign("e_commit", "e_retire & ~e_exc");
  m.assign("trap_enter", "(e_go & e_exc) | irq_take");
  m.assign("redirect", "trap_enter | (e_commit & (taken | e_mret_q | e_wfi_q))");
  m.assign("redirect_pc", "trap_enter ? mtvec : e_mret_q ? mepc : e_wfi_q ? link_e_q : target[31:2]");
  m.assign("data_addr_o", "alu_sum");
  m.assign("data_re_o", "e_go & e_load_q");
  m.assign("data_we_o", "{4{e_go & e_store_q & ~e_fault_q & ~ls_mis & ~acc_fault}} & ls_mask");
  m.assign("data_wdata_o", "ls_wdata");

  m.instance(csr_m, "u_csr",
             {{"clk_i", "clk_i"}, {"rst_ni", "rst_ni"}, {"addr_i", "instr_e_q[31:20]"}, {"rdata_o", "csr_rdata"}, {"wen_i", "e_commit & e_csr_wr_q"},
              {"op_i", "f3e[1:0]"}, {"src_i", "f3e[2] ? {27'd0, instr_e_q[19:15]} : op_a"}, {"trap_i", "trap_enter"},
              {"cause_i", "irq_take ? {1'b1, csr_irq_ext ? 4'd11 : 4'd7} : {1'b0, exc_cause}"}, {"tval_i", "irq_take ? 32'd0 : exc_tval"},
              {"epc_i", "pc_e_q"}, {"mret_i", "e_commit & e_mret_q"}, {"instret_i", "e_commit"}, {"mtip_i", "mtip_i"}, {"meip_i", "meip_i"},
              {"mtvec_o", "mtvec"}, {"mepc_o", "mepc"}, {"irq_o", "csr_irq"}, {"irq_ext_o", "csr_irq_ext"}, {"wake_o", "csr_wake"}, {"mip_o", "csr_mip"}});
  if (m_ext)
    m.instance(md, "u_muldiv",
               {{"clk_i", "clk_i"}, {"rst_ni", "rst_ni"}, {"start_i", "md_start"}, {"op_i", "f3e"}, {"a_i", "op_a"}, {"b_i", "op_b"},
                {"busy_o", "md_busy"}, {"done_o", "md_done"}, {"result_o", "md_result"}});
  m.assign("e_result", std::string("e_link_q ? {link_e_q, 2'b00} : e_csr_q ? csr_rdata : ") + (m_ext ? "e_md_q ? md_result : " : "") + "alu_result");
  m.assign("e_wr_alu", "e_commit & e_rd_we_q & ~e_load_q & (e_rd != 5'd0)");
  m.ff({if_else("!rst_ni", {assign("wfi_q", "1'b0")}, {assign("wfi_q", "wfi_q ? ~csr_wake : (e_commit & e_wfi_q)")})});

  m.comment("Write-back: every cycle takes what execute retires.");
  m.ff({if_else("!rst_ni", {assign("w_valid_q", "1'b0"), assign("w_we_q", "1'b0")},
                {assign("w_valid_q", "e_retire"), assign("w_we_q", "e_commit & e_rd_we_q & (e_rd != 5'd0)")}),
        assign("w_rd_q", "e_rd"), assign("w_load_q", "e_load_q"), assign("w_f3_q", "f3e"), assign("w_addr_q", "alu_sum[1:0]"),
        assign("w_result_q", "e_result")});
  m.assign("w_wdata", "w_load_q ? w_load_value : w_result_q");

  if (r.rvfi) {
    m.comment("RVFI: the retirement of write-back, with what execute saw.");
    m.net("rv_order_q", 64).net("rv_insn_q", 32).net("rv_trap_q").net("rv_intr_q").net("rv_rs1_addr_q", 5).net("rv_rs2_addr_q", 5);
    m.net("rv_rs1_q", 32).net("rv_rs2_q", 32).net("rv_pc_q", 32).net("rv_npc_q", 32).net("rv_mem_addr_q", 32).net("rv_rmask_q", 4).net("rv_wmask_q", 4);
    m.net("rv_wdata_q", 32).net("rv_mip_q", 32).net("intr_pend_q", 1, false, "the next retirement is the first of a handler").net("irq_mip_q", 32);
    m.net("rv_rs1_val", 32).net("rv_rs2_val", 32).net("lane_bits", 32);
    if (m_ext) {
      m.net("md_a_q", 32).net("md_b_q", 32);
      m.ff({if_else("md_start", {assign("md_a_q", "op_a"), assign("md_b_q", "op_b")})});
      m.assign("rv_rs1_val", "e_md ? md_a_q : op_a").assign("rv_rs2_val", "e_md ? md_b_q : op_b");
    } else {
      m.assign("rv_rs1_val", "op_a").assign("rv_rs2_val", "op_b");
    }
    m.assign("lane_bits", "{{8{ls_mask[3]}}, {8{ls_mask[2]}}, {8{ls_mask[1]}}, {8{ls_mask[0]}}}");
    m.ff({if_else("!rst_ni", {assign("rv_order_q", "64'd0"), assign("intr_pend_q", "1'b0")},
                  {if_else("w_valid_q", {assign("rv_order_q", "rv_order_q + 64'd1")}),
                   if_else("trap_enter", {assign("intr_pend_q", "1'b1")}, {if_else("e_retire", {assign("intr_pend_q", "1'b0")})})}),
          if_else("irq_take", {assign("irq_mip_q", "csr_mip")}),
          if_else("e_retire",
                  {assign("rv_insn_q", "instr_e_q"), assign("rv_trap_q", "e_exc"), assign("rv_intr_q", "intr_pend_q"),
                   assign("rv_pc_q", "{pc_e_q, 2'b00}"),
                   assign("rv_npc_q", "e_exc ? {mtvec, 2'b00} : e_mret_q ? {mepc, 2'b00} : taken ? target : {link_e_q, 2'b00}"),
                   assign("rv_rs1_addr_q", "e_rs1_used_q ? instr_e_q[19:15] : 5'd0"), assign("rv_rs2_addr_q", "e_rs2_used_q ? instr_e_q[24:20] : 5'd0"),
                   assign("rv_rs1_q", "e_rs1_used_q ? rv_rs1_val : 32'd0"), assign("rv_rs2_q", "e_rs2_used_q ? rv_rs2_val : 32'd0"),
                   assign("rv_mem_addr_q", "(e_mem & ~e_exc) ? {alu_sum[31:2], 2'b00} : 32'd0"),
                   assign("rv_rmask_q", "(e_load_q & ~e_exc) ? ls_mask : 4'd0"), assign("rv_wmask_q", "(e_store_q & ~e_exc) ? ls_mask : 4'd0"),
                   assign("rv_wdata_q", "(e_store_q & ~e_exc) ? (ls_wdata & lane_bits) : 32'd0"), assign("rv_mip_q", "irq_mip_q")})});
    m.assign("rvfi_valid", "w_valid_q").assign("rvfi_order", "rv_order_q").assign("rvfi_insn", "rv_insn_q").assign("rvfi_trap", "rv_trap_q");
    m.assign("rvfi_halt", "1'b0").assign("rvfi_intr", "rv_intr_q").assign("rvfi_mode", "2'd3").assign("rvfi_ixl", "2'd1");
    m.assign("rvfi_rs1_addr", "rv_rs1_addr_q").assign("rvfi_rs2_addr", "rv_rs2_addr_q").assign("rvfi_rs1_rdata", "rv_rs1_q").assign("rvfi_rs2_rdata", "rv_rs2_q");
    m.assign("rvfi_rd_addr", "w_we_q ? w_rd_q : 5'd0").assign("rvfi_rd_wdata", "w_we_q ? w_wdata : 32'd0");
    m.assign("rvfi_pc_rdata", "rv_pc_q").assign("rvfi_pc_wdata", "rv_npc_q");
    m.assign("rvfi_mem_addr", "rv_mem_addr_q").assign("rvfi_mem_rmask", "rv_rmask_q").assign("rvfi_mem_wmask", "rv_wmask_q");
    m.assign("rvfi_mem_rdata", "rv_rmask_q != 4'd0 ? data_rdata_i : 32'd0").assign("rvfi_mem_wdata", "rv_wdata_q");
    m.assign("rvfi_ext_mip", "rv_mip_q");
  }
  return d.add(std::move(m));
}

}  // namespace strata::rv32
