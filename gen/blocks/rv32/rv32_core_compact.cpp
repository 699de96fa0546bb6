// The compact RV32I core (`rv32.core: compact`, docs/blocks/rv32.md,
// "The compact core"): the architecture of the pipelined core
// on the fewest iCE40 logic cells. A state machine takes each instruction
// through fetch, decode (read rs1), read rs2 and execute, plus a state for a
// load's data, a jump's target, a CSR write or each bit of a shift. One
// adder serves the ALU, the comparisons, every address and every next pc;
// the register file has one read port and also holds mscratch, mepc,
// mcause, mtval and mtvec, which traps and CSR instructions reach in cycles
// of their own. The instruction word stays on IMEM's output (not read again
// until the next fetch), so there is no instruction register.
#include <fmt/format.h>

#include "blocks/rv32/rv32_parts.h"

namespace strata::rv32 {

namespace {
using ir::Dir;
using ir::Stmt;
using ir::assign;
using ir::if_else;

// The states, 4 bits.
enum St { kReset, kFetch, kDecode, kReadRs2, kExecute, kTarget, kShift, kMem, kCsrWrite, kWfi, kTrapTval, kTrapCause, kTrapEpc, kTrapJump };
std::string st(St s) { return fmt::format("4'd{}", static_cast<int>(s)); }

// The register file's entries: x0..x31, then the CSRs by address bits
// [2:0] (0x340 mscratch, 0x341 mepc, 0x342 mcause, 0x343 mtval, 0x305
// mtvec).
constexpr const char* kMepc = "6'd33";
constexpr const char* kMcause = "6'd34";
constexpr const char* kMtval = "6'd35";
constexpr const char* kMtvec = "6'd37";

// Sources of the register file's write data.
enum Wsel { kSum, kLogic, kSlt, kAq, kLoadValue, kCsrOld, kCsrNew, kInsn, kCause };
std::string ws(Wsel w) { return fmt::format("4'd{}", static_cast<int>(w)); }

// What mtval takes on a trap.
enum Tsel { kTvZero, kTvAddr, kTvPc, kTvInsn };
std::string ts(Tsel t) { return fmt::format("2'd{}", static_cast<int>(t)); }

std::string regfile_1r(const SocConfig& c, ir::Design& d) {
  ir::Module m;
  m.name = c.name + "_rv32_regfile_1r";
  m.description = "RV32 register file and CSR store: one 64 x 32-bit block RAM, one synchronous read port (held while not read).";
  m.port(Dir::in, "clk_i")
      .port(Dir::in, "we_i")
      .port(Dir::in, "waddr_i", 6)
      .port(Dir::in, "wdata_i", 32)
      .port(Dir::in, "re_i", 1, false, "read (else the output holds)")
      .port(Dir::in, "raddr_i", 6)
      .port(Dir::out, "rdata_o", 32);
  // The core never reads an entry in the cycle it writes it.
  m.memory("mem", 32, 64).net("rdata_q", 32);
  m.nets[m.nets.size() - 2].attribute = "no_rw_check";
  m.ff({if_else("we_i", {assign("mem[waddr_i]", "wdata_i")}), if_else("re_i", {assign("rdata_q", "mem[raddr_i]")})});
  m.assign("rdata_o", "rdata_q");
  return d.add(std::move(m));
}
}  // namespace

std::string core_compact(const SocConfig& c, ir::Design& d, int mmio_addr_bits) {
  const Rv32Config& r = *c.rv32;
  const int iaw = imem_addr_bits(r), daw = dmem_addr_bits(r);
  const std::string dec = decode(c, d), lsu_m = lsu(c, d), rf = regfile_1r(c, d);

  ir::Module m;
  m.name = c.name + "_rv32_core";
  m.description = fmt::format("RV32I core, compact: a multi-cycle state machine on one adder; machine mode, Zicsr{}.",
                              r.rvfi ? ", RVFI retirement port" : "");
  m.port(Dir::in, "clk_i")
      .port(Dir::in, "rst_ni")
      .port(Dir::out, "imem_re_o", 1, false, "fetch: read IMEM at imem_addr_o (IMEM's output then holds the word until the next fetch)")
      .port(Dir::out, "imem_addr_o", iaw, false, "word address")
      .port(Dir::in, "imem_rdata_i", 32, false, "the word at imem_addr_o of the last fetch")
      .port(Dir::out, "data_re_o", 1, false, "load: read data_raddr_o, data next cycle")
      .port(Dir::out, "data_raddr_o", 32)
      .port(Dir::in, "data_rdata_i", 32, false, "the word loaded, the cycle after data_re_o")
      .port(Dir::out, "data_we_o", 4, false, "store: byte lanes, only inside DMEM or MMIO")
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

  // ---- state
  m.net("st_q", 4).net("st_d", 4).net("pc_q", 30, false, "pc[31:2]").net("a_q", 32, false, "rs1, then the shift register")
      .net("cnt_q", 5, false, "bits still to shift; the entry cleared after reset").net("cause_q", 5, false, "{interrupt, code} of the trap being entered")
      .net("tsel_q", 2, false, "what mtval takes").net("seq_q", 1, false, "the next fetch is at pc + 4 (else at the pc)").net("flag_q", 1, false, "the branch is taken (from execute)")
      .net("mis_q", 1, false, "the access is misaligned (from execute)").net("flt_q", 1, false, "the access is outside DMEM and MMIO (from execute)");
  m.net("mie_q").net("mpie_q").net("mtie_q").net("meie_q").net("mcycle_q", 64).net("minstret_q", 64);
  // ---- the word and its decode
  m.net("ins", 32).net("rd", 5).net("f3", 3).net("csr_a", 12);
  m.net("d_illegal").net("d_rs1_used").net("d_rs2_used").net("d_rd_we").net("d_sub").net("d_uns").net("d_res", 2).net("d_link").net("d_branch");
  m.net("d_jal").net("d_jalr").net("d_load").net("d_store").net("d_csr").net("d_csr_wr").net("d_ecall").net("d_ebreak").net("d_mret").net("d_wfi");
  m.net("o_lui").net("o_auipc").net("o_op", 1, false, "OP: operand b is rs2").net("o_s").net("o_b").net("o_u").net("o_j").net("f_fault", 1, false, "the pc is outside IMEM");
  // ---- control (the state machine's outputs)
  m.net("rf_re").net("rf_raddr", 6).net("rf_we").net("rf_waddr", 6).net("wsel", 4).net("xs", 2, false, "operand x: 0 a_q, 1 pc, 2 zero")
      .net("y_imm", 1, false, "operand y: the immediate, else the register file's output").net("imm_four").net("imm_zero").net("sub").net("uns")
      .net("pc_en", 1, false, "the pc takes the sum").net("pc_seq", 1, false, "the instruction retires to pc + 4 (added by the next fetch)").net("a_ld").net("a_sh").net("cnt_ld").net("retire")
      .net("trap_go").net("cause_d", 5).net("tsel_d", 2).net("trap_enter").net("mret_go").net("csr_go", 1, false, "a CSR instruction writes its CSR")
      .net("clr0", 1, false, "clear bit 0 of the written value (mtval of JALR)").net("ld_go").net("st_go");
  // ---- data path
  m.net("rf_rdata", 32).net("imm_nat", 32).net("imm", 32).net("x", 32).net("yraw", 32).net("y", 32).net("wide", 34).net("wide_unused");
  m.net("sum", 32).net("lt").net("eq").net("cond").net("logic_r", 32).net("ls_wdata", 32).net("ls_mask", 4).net("ls_mis").net("ld_value", 32);
  m.net("in_dmem").net("in_mmio").net("tmis", 1, false, "the jump's target is not 4-byte aligned").net("wmux", 32).net("rf_wdata", 32);
  m.net("csr_old", 32).net("csr_src", 32).net("csr_new", 32).net("csr_ram", 1, false, "the CSR lives in the register file").net("mip_now", 32);
  m.net("wake").net("irq_take").net("irq_ext");

  m.comment("The word stays on IMEM's output from its fetch to the next one.");
  m.assign("ins", "imem_rdata_i").assign("rd", "ins[11:7]").assign("f3", "ins[14:12]").assign("csr_a", "ins[31:20]");
  m.instance(dec, "u_decode",
             {{"instr_i", "ins"}, {"illegal_o", "d_illegal"}, {"rs1_used_o", "d_rs1_used"}, {"rs2_used_o", "d_rs2_used"}, {"rd_we_o", "d_rd_we"},
              {"sub_o", "d_sub"}, {"uns_o", "d_uns"}, {"res_o", "d_res"}, {"link_o", "d_link"}, {"branch_o", "d_branch"}, {"jal_o", "d_jal"},
              {"jalr_o", "d_jalr"}, {"load_o", "d_load"}, {"store_o", "d_store"}, {"csr_o", "d_csr"}, {"csr_wr_o", "d_csr_wr"}, {"ecall_o", "d_ecall"},
              {"ebreak_o", "d_ebreak"}, {"mret_o", "d_mret"}, {"wfi_o", "d_wfi"}});
  m.assign("o_lui", "ins[6:0] == 7'b0110111").assign("o_auipc", "ins[6:0] == 7'b0010111").assign("o_op", "ins[6:0] == 7'b0110011");
  m.assign("o_s", "ins[6:2] == 5'b01000").assign("o_b", "ins[6:2] == 5'b11000").assign("o_u", "ins[4:2] == 3'b101").assign("o_j", "ins[6:2] == 5'b11011");
  m.assign("f_fault", fmt::format("pc_q[29:{}] != {}'d0", iaw, 30 - iaw));

  m.comment("The immediate of the word's format, or 4 (pc + 4), or 0 (a value passed through the adder).");
  m.assign("imm_nat", "o_s ? {{20{ins[31]}}, ins[31:25], ins[11:7]} : o_b ? {{19{ins[31]}}, ins[31], ins[7], ins[30:25], ins[11:8], 1'b0}"
                      " : o_u ? {ins[31:12], 12'd0} : o_j ? {{11{ins[31]}}, ins[31], ins[19:12], ins[20], ins[30:21], 1'b0} : {{20{ins[31]}}, ins[31:20]}");
  m.assign("imm", "imm_four ? 32'd4 : imm_zero ? 32'd0 : imm_nat");

  m.comment("The one adder (34 bits: the carry-in of a subtraction in bit 0, the sign of a comparison in bit 33).");
  m.assign("x", "xs[1] ? 32'd0 : xs[0] ? {pc_q, 2'b00} : a_q");
  m.assign("yraw", "y_imm ? imm : rf_rdata");
  m.assign("y", "yraw ^ {32{sub}}");
  m.assign("wide", "{~uns & x[31], x, 1'b1} + {(~uns & yraw[31]) ^ sub, y, sub}");
  m.assign("{lt, sum, wide_unused}", "wide");
  m.assign("eq", "a_q == rf_rdata");
  m.assign("cond", "(f3[2] ? lt : eq) ^ f3[0]");
  m.assign("logic_r", "f3[1] ? (f3[0] ? (x & yraw) : (x | yraw)) : (x ^ yraw)");
  m.instance(lsu_m, "u_lsu",
             {{"addr_i", "sum[1:0]"}, {"size_i", "f3[1:0]"}, {"rs2_i", "rf_rdata"}, {"wdata_o", "ls_wdata"}, {"mask_o", "ls_mask"}, {"misaligned_o", "ls_mis"},
              {"w_rdata_i", "data_rdata_i"}, {"w_addr_i", "sum[1:0]"}, {"w_f3_i", "f3"}, {"w_value_o", "ld_value"}});
  m.assign("in_dmem", fmt::format("sum[31:{}] == {}'h{:X}", daw + 2, 30 - daw, kDmemBase >> (daw + 2)));
  m.assign("in_mmio", fmt::format("sum[31:{}] == {}'h{:X}", mmio_addr_bits, 32 - mmio_addr_bits, kMmioBase >> mmio_addr_bits));
  m.comment("A jump's target bit 1: the immediate's for JAL (the pc is aligned), rs1 + immediate's for JALR.");
  m.assign("tmis", "ins[21] ^ (d_jalr & (a_q[1] ^ (a_q[0] & ins[20])))");

  m.comment("CSRs: the decoder has made every address not in docs/blocks/rv32.md illegal, so a few bits tell the others apart.");
  const std::string misa = "32'h40000100";
  m.assign("mip_now", "{20'd0, meip_i, 3'd0, mtip_i, 7'd0}");
  m.assign("csr_ram", "~csr_a[11] & (csr_a[6] ? ~csr_a[2] : (~csr_a[4] & csr_a[2] & csr_a[0]))");
  m.assign("csr_old",
           "csr_a[11] ? (csr_a[10] ? 32'd0 : csr_a[7] ? (csr_a[1] ? minstret_q[63:32] : mcycle_q[63:32]) : (csr_a[1] ? minstret_q[31:0] : mcycle_q[31:0]))"
           " : csr_a[6] ? (csr_a[2] ? mip_now : rf_rdata) : csr_a[4] ? 32'd0 : csr_a[2] ? (csr_a[0] ? rf_rdata : {20'd0, meie_q, 3'd0, mtie_q, 7'd0})"
           " : (csr_a[0] ? " + misa + " : {19'd0, 2'b11, 3'd0, mpie_q, 3'd0, mie_q, 3'd0})");
  m.comment("CSRRxI read x0 into a_q: the immediate is ORed in.");
  m.assign("csr_src", "a_q | {27'd0, f3[2] ? ins[19:15] : 5'd0}");
  m.assign("csr_new", "f3[1:0] == 2'b01 ? csr_src : f3[1:0] == 2'b10 ? (csr_old | csr_src) : (csr_old & ~csr_src)");

  m.comment("Interrupts: taken before a fetch (mepc = pc); WFI waits for (mip & mie) != 0.");
  m.assign("wake", "(mtip_i & mtie_q) | (meip_i & meie_q)");
  m.assign("irq_take", "mie_q & wake");
  m.assign("irq_ext", "meip_i & meie_q");

  // The state machine.
  auto trap = [](const std::string& cause, Tsel t) {
    return std::vector<Stmt>{assign("trap_go", "1'b1"), assign("cause_d", cause), assign("tsel_d", ts(t)), assign("st_d", st(kTrapTval))};
  };
  auto seq_retire = [](St next) {
    return std::vector<Stmt>{assign("retire", "1'b1"), assign("pc_seq", "1'b1"), assign("st_d", st(next))};
  };
  auto write_rd = [](Wsel w) { return std::vector<Stmt>{assign("rf_we", "rd != 5'd0"), assign("rf_waddr", "{1'b0, rd}"), assign("wsel", ws(w))}; };
  auto cat = [](std::vector<Stmt> a, const std::vector<Stmt>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  const std::vector<Stmt> addr_cfg{assign("xs", "(d_jal | d_branch) ? 2'd1 : 2'd0"), assign("y_imm", "1'b1")};
  std::vector<Stmt> body{assign("st_d", "st_q"),         assign("rf_re", "1'b0"),       assign("rf_raddr", "{1'b0, ins[19:15]}"),
                         assign("rf_we", "1'b0"),        assign("rf_waddr", "{1'b0, rd}"), assign("wsel", ws(kSum)),
                         assign("xs", "2'd0"),           assign("y_imm", "1'b1"),       assign("imm_four", "1'b0"),
                         assign("imm_zero", "1'b0"),     assign("sub", "1'b0"),         assign("uns", "1'b0"),
                         assign("pc_en", "1'b0"),        assign("pc_seq", "1'b0"),      assign("a_ld", "1'b0"),
                         assign("a_sh", "1'b0"),         assign("cnt_ld", "1'b0"),      assign("retire", "1'b0"),
                         assign("trap_go", "1'b0"),      assign("cause_d", "5'd0"),     assign("tsel_d", ts(kTvZero)),
                         assign("trap_enter", "1'b0"),   assign("mret_go", "1'b0"),     assign("csr_go", "1'b0"),
                         assign("clr0", "1'b0"),         assign("ld_go", "1'b0"),       assign("st_go", "1'b0")};
  // Execute, by the kind of instruction.
  const Stmt exec = if_else(
      "d_load || d_store", cat(addr_cfg, {assign("ld_go", "d_load"), assign("st_d", st(kMem))}),
      {if_else(
          "d_branch", {assign("sub", "1'b1"), assign("uns", "d_uns"), assign("y_imm", "1'b0"), assign("st_d", st(kTarget))},
              {if_else(
                  "d_jal || d_jalr",
                  {if_else("tmis", trap("5'd0", kTvAddr),
                           cat(write_rd(kSum), {assign("xs", "2'd1"), assign("imm_four", "1'b1"), assign("st_d", st(kTarget))}))},
                  {if_else(
                      "d_res == 2'd2",
                      {assign("cnt_ld", "1'b1"), assign("st_d", st(kShift))},
                      {if_else(
                          "d_csr", cat(write_rd(kCsrOld), {assign("st_d", st(kCsrWrite))}),
                          {if_else(
                              "d_mret",
                              {assign("xs", "2'd2"), assign("y_imm", "1'b0"), assign("pc_en", "1'b1"), assign("mret_go", "1'b1"), assign("retire", "1'b1"),
                               assign("st_d", st(kFetch))},
                              {if_else("d_wfi", seq_retire(kWfi),
                                       cat({assign("xs", "o_lui ? 2'd2 : o_auipc ? 2'd1 : 2'd0"), assign("y_imm", "~o_op"), assign("sub", "d_sub"),
                                            assign("uns", "d_uns"), assign("rf_we", "d_rd_we & (rd != 5'd0)"), assign("rf_waddr", "{1'b0, rd}"),
                                            assign("wsel", fmt::format("d_res == 2'd1 ? {} : d_res == 2'd3 ? {} : {}", ws(kLogic), ws(kSlt), ws(kSum)))},
                                           seq_retire(kFetch)))})})})})})});
  body.push_back(ir::case_of(
      "st_q",
      {{st(kReset),
        {assign("rf_we", "1'b1"), assign("rf_waddr", "{3'b100, cnt_q[2:0]}"), assign("xs", "2'd2"), assign("imm_zero", "1'b1"),
         if_else("cnt_q[2:0] == 3'd7", {assign("st_d", st(kFetch))})}},
       {st(kFetch),
        {assign("xs", "2'd1"), assign("imm_four", "seq_q"), assign("imm_zero", "~seq_q"), assign("pc_en", "1'b1"),
         if_else("irq_take", trap("{1'b1, irq_ext ? 4'd11 : 4'd7}", kTvZero), {assign("st_d", st(kDecode))})}},
       {st(kDecode),
        {if_else("f_fault", trap("5'd1", kTvPc),
                 {if_else("d_illegal", trap("5'd2", kTvInsn),
                          {if_else("d_ebreak", trap("5'd3", kTvZero),
                                   {if_else("d_ecall", trap("5'd11", kTvZero),
                                            {assign("rf_re", "1'b1"), assign("rf_raddr", "{1'b0, (d_csr & f3[2]) ? 5'd0 : ins[19:15]}"),
                                             assign("st_d", st(kReadRs2))})})})})}},
       {st(kReadRs2),
        {assign("a_ld", "1'b1"), assign("rf_re", "1'b1"),
         assign("rf_raddr", fmt::format("d_csr ? {{3'b100, csr_a[2:0]}} : d_mret ? {} : {{1'b0, ins[24:20]}}", kMepc)), assign("st_d", st(kExecute))}},
       {st(kExecute), {exec}},
       {st(kTarget),
        cat(addr_cfg, {if_else("d_branch & ~flag_q", seq_retire(kFetch),
                               {if_else("d_branch & ins[8]", trap("5'd0", kTvAddr),
                                        {assign("pc_en", "1'b1"), assign("retire", "1'b1"), assign("st_d", st(kFetch))})})})},
       {st(kShift), {if_else("cnt_q == 5'd0", cat(write_rd(kAq), seq_retire(kFetch)), {assign("a_sh", "1'b1")})}},
       {st(kMem),
        cat(addr_cfg, {if_else("mis_q", trap("d_store ? 5'd6 : 5'd4", kTvAddr),
                               {if_else("flt_q", trap("d_store ? 5'd7 : 5'd5", kTvAddr),
                                        cat({if_else("d_store", {assign("st_go", "1'b1")}, write_rd(kLoadValue))}, seq_retire(kFetch)))})})},
       {st(kCsrWrite),
        cat({assign("csr_go", "d_csr_wr"), assign("rf_we", "d_csr_wr & csr_ram"), assign("rf_waddr", "{3'b100, csr_a[2:0]}"), assign("wsel", ws(kCsrNew))},
            seq_retire(kFetch))},
       {st(kWfi), {if_else("wake", {assign("st_d", st(kFetch))})}},
       {st(kTrapTval),
        {assign("rf_we", "1'b1"), assign("rf_waddr", kMtval), assign("st_d", st(kTrapCause)),
         ir::case_of("tsel_q", {{ts(kTvZero), {assign("xs", "2'd2"), assign("imm_zero", "1'b1")}},
                                {ts(kTvAddr), cat(addr_cfg, {assign("clr0", "d_jalr")})},
                                {ts(kTvPc), {assign("xs", "2'd1"), assign("imm_zero", "1'b1")}},
                                {"default", {assign("wsel", ws(kInsn))}}})}},
       {st(kTrapCause), {assign("rf_we", "1'b1"), assign("rf_waddr", kMcause), assign("wsel", ws(kCause)), assign("st_d", st(kTrapEpc))}},
       {st(kTrapEpc),
        {assign("rf_we", "1'b1"), assign("rf_waddr", kMepc), assign("xs", "2'd1"), assign("imm_zero", "1'b1"), assign("rf_re", "1'b1"),
         assign("rf_raddr", kMtvec), assign("st_d", st(kTrapJump))}},
       {st(kTrapJump),
        {assign("xs", "2'd2"), assign("y_imm", "1'b0"), assign("pc_en", "1'b1"), assign("trap_enter", "1'b1"), assign("st_d", st(kFetch))}},
       {"default", {assign("st_d", st(kFetch))}}}));
  m.comment("The state machine: fetch (pc + 4 after a sequential instruction), decode (read rs1), read rs2, execute, then a state of");
  m.comment("its own for a branch's or jump's target, a load's or store's access, each bit of a shift, a CSR write, WFI's wait, and the");
  m.comment("four steps of a trap (mtval, mcause, mepc with the read of mtvec, the jump).");
  m.comb(body);

  m.comment("The register file's write data; CSR values are kept in the bits that exist (mepc and mtvec 31:2, mcause 31 and 3:0).");
  m.net("csr_lo").net("csr_mc");
  m.assign("csr_lo", "csr_a[0] & ~csr_a[1]").assign("csr_mc", "csr_a[1] & ~csr_a[0]");
  m.comb({ir::case_of("wsel", {{ws(kLogic), {assign("wmux", "logic_r")}},
                               {ws(kSlt), {assign("wmux", "{31'd0, lt}")}},
                               {ws(kAq), {assign("wmux", "a_q")}},
                               {ws(kLoadValue), {assign("wmux", "ld_value")}},
                               {ws(kCsrOld), {assign("wmux", "csr_old")}},
                               {ws(kCsrNew), {assign("wmux", "{csr_new[31], csr_new[30:4] & {27{~csr_mc}}, csr_new[3:2], csr_new[1:0] & {2{~csr_lo}}}")}},
                               {ws(kInsn), {assign("wmux", "ins")}},
                               {ws(kCause), {assign("wmux", "{cause_q[4], 27'd0, cause_q[3:0]}")}},
                               {"default", {assign("wmux", "sum")}}})});
  m.assign("rf_wdata", "{wmux[31:1], wmux[0] & ~clr0}");
  m.comment("The write is registered (off the adder's path); no state reads an entry in the cycle after writing it.");
  m.net("rf_we_q").net("rf_waddr_q", 6).net("rf_wdata_q", 32);
  m.ff({if_else("!rst_ni", {assign("rf_we_q", "1'b0")}, {assign("rf_we_q", "rf_we")}), assign("rf_waddr_q", "rf_waddr"), assign("rf_wdata_q", "rf_wdata")});
  m.instance(rf, "u_regfile",
             {{"clk_i", "clk_i"}, {"we_i", "rf_we_q"}, {"waddr_i", "rf_waddr_q"}, {"wdata_i", "rf_wdata_q"}, {"re_i", "rf_re"}, {"raddr_i", "rf_raddr"},
              {"rdata_o", "rf_rdata"}});

  m.comment("Memories: the fetch at the sum (pc + 4 after a sequential instruction, else the pc a jump or trap set); loads and");
  m.comment("stores at the sum (stores only inside DMEM or MMIO, aligned).");
  m.assign("imem_re_o", fmt::format("st_q == {}", st(kFetch)));
  m.assign("imem_addr_o", fmt::format("sum[{}:2]", iaw + 1));
  m.assign("data_re_o", "ld_go").assign("data_raddr_o", "sum");
  m.assign("data_we_o", "{4{st_go}} & ls_mask").assign("data_waddr_o", "sum").assign("data_wdata_o", "ls_wdata");

  m.comment("CSR writes to flip-flops (the decoder lets no write to a read-only CSR through).");
  const std::vector<std::pair<const char*, const char*>> wr{
      {"300", "~csr_a[11] & ~csr_a[6] & ~csr_a[4] & ~csr_a[2] & ~csr_a[0]"}, {"304", "~csr_a[11] & ~csr_a[6] & csr_a[2] & ~csr_a[0]"},
      {"B00", "csr_a[11] & ~csr_a[7] & ~csr_a[1]"}, {"B80", "csr_a[11] & csr_a[7] & ~csr_a[1]"},
      {"B02", "csr_a[11] & ~csr_a[7] & csr_a[1]"}, {"B82", "csr_a[11] & csr_a[7] & csr_a[1]"}};
  for (const auto& [name, cond] : wr) {
    m.net(fmt::format("wr_{}", name));
    m.assign(fmt::format("wr_{}", name), fmt::format("csr_go & {}", cond));
  }
  m.net("cycle_next", 64).net("instret_next", 64);
  m.assign("cycle_next", "mcycle_q + 64'd1");
  m.comment("minstret counts the retirements; a write to minstret(h) replaces the writing instruction's own.");
  m.comment("It counts one cycle late (off the path of the retirement decision); no CSR instruction reads it in that cycle.");
  m.net("inc_q");
  m.assign("instret_next", "minstret_q + {63'd0, inc_q}");

  m.ff({if_else("!rst_ni",
                {assign("st_q", st(kReset)), assign("cnt_q", "5'd0"),
                 assign("pc_q", fmt::format("30'd{}", r.reset_vector >> 2)), assign("seq_q", "1'b0"), assign("mie_q", "1'b0"), assign("mpie_q", "1'b0"),
                 assign("mtie_q", "1'b0"), assign("meie_q", "1'b0"), assign("mcycle_q", "64'd0"), assign("minstret_q", "64'd0"), assign("inc_q", "1'b0")},
                {assign("st_q", "st_d"), assign("inc_q", "retire & ~wr_B02 & ~wr_B82"),
                 if_else("pc_en", {assign("pc_q", "sum[31:2]")}),
                 if_else("pc_seq", {assign("seq_q", "1'b1")}, {if_else(fmt::format("st_q == {}", st(kFetch)), {assign("seq_q", "1'b0")})}),
                 if_else(fmt::format("st_q == {}", st(kReset)), {assign("cnt_q", "cnt_q + 5'd1")},
                         {if_else("cnt_ld", {assign("cnt_q", "o_op ? rf_rdata[4:0] : ins[24:20]")},
                                  {if_else("a_sh", {assign("cnt_q", "cnt_q - 5'd1")})})}),
                 assign("mcycle_q", "{wr_B80 ? csr_new : cycle_next[63:32], wr_B00 ? csr_new : cycle_next[31:0]}"),
                 assign("minstret_q", "{wr_B82 ? csr_new : instret_next[63:32], wr_B02 ? csr_new : instret_next[31:0]}"),
                 if_else("trap_enter", {assign("mpie_q", "mie_q"), assign("mie_q", "1'b0")},
                         {if_else("mret_go", {assign("mie_q", "mpie_q"), assign("mpie_q", "1'b1")}),
                          if_else("wr_300", {assign("mie_q", "csr_new[3]"), assign("mpie_q", "csr_new[7]")}),
                          if_else("wr_304", {assign("mtie_q", "csr_new[7]"), assign("meie_q", "csr_new[11]")})})}),
        if_else("a_ld", {assign("a_q", "rf_rdata")},
                {if_else("a_sh", {assign("a_q", "f3[2] ? {ins[30] & a_q[31], a_q[31:1]} : {a_q[30:0], 1'b0}")})}),
        if_else("trap_go", {assign("cause_q", "cause_d"), assign("tsel_q", "tsel_d")}),
        if_else(fmt::format("st_q == {}", st(kExecute)), {assign("flag_q", "cond"), assign("mis_q", "ls_mis"), assign("flt_q", "~in_dmem & ~in_mmio")})});

  if (r.rvfi) {
    m.comment("RVFI: the record of each retirement, registered (one cycle after the instruction's last state).");
    m.net("rv_now", 1, false, "an instruction retires or traps in this cycle").net("rv_trap").net("rv_in_exec", 1, false, "it retires in execute");
    m.net("rv_valid_q").net("rv_order_q", 64).net("rv_next_order_q", 64).net("rv_intr_pend_q").net("rv_irq_mip_q", 32);
    m.net("rv_rs1_q", 32).net("rv_rs2_q", 32).net("rv_rd_q", 1, false, "rd was written by this instruction").net("rv_rd_addr_q", 5).net("rv_rd_wdata_q", 32);
    m.net("rv_rd_now").net("rv_mem_ld").net("rv_mem_st").net("lane_bits", 32);
    m.net("r_insn", 32).net("r_trap").net("r_intr").net("r_rs1_addr", 5).net("r_rs2_addr", 5).net("r_rs1_rdata", 32).net("r_rs2_rdata", 32)
        .net("r_rd_addr", 5).net("r_rd_wdata", 32).net("r_pc_rdata", 32).net("r_pc_wdata", 32).net("r_mem_addr", 32).net("r_mem_rmask", 4)
        .net("r_mem_wmask", 4).net("r_mem_rdata", 32).net("r_mem_wdata", 32).net("r_ext_mip", 32);
    m.assign("rv_trap", fmt::format("st_q == {} & ~cause_q[4]", st(kTrapJump)));
    m.assign("rv_now", "retire | rv_trap");
    m.assign("rv_in_exec", fmt::format("st_q == {}", st(kExecute)));
    m.assign("rv_rd_now", "rf_we & ~rf_waddr[5]");
    m.assign("rv_mem_ld", fmt::format("st_q == {} & d_load", st(kMem))).assign("rv_mem_st", "st_go");
    m.assign("lane_bits", "{{8{ls_mask[3]}}, {8{ls_mask[2]}}, {8{ls_mask[1]}}, {8{ls_mask[0]}}}");
    m.ff({if_else("!rst_ni", {assign("rv_valid_q", "1'b0"), assign("rv_next_order_q", "64'd0"), assign("rv_intr_pend_q", "1'b0")},
                  {assign("rv_valid_q", "rv_now"), if_else("rv_now", {assign("rv_next_order_q", "rv_next_order_q + 64'd1")}),
                   if_else(fmt::format("st_q == {}", st(kTrapJump)), {assign("rv_intr_pend_q", "1'b1")},
                           {if_else("rv_now", {assign("rv_intr_pend_q", "1'b0")})})}),
          if_else(fmt::format("st_q == {} & irq_take", st(kFetch)), {assign("rv_irq_mip_q", "mip_now")}),
          if_else("rv_in_exec", {assign("rv_rs1_q", "a_q"), assign("rv_rs2_q", "rf_rdata")}),
          if_else(fmt::format("st_q == {}", st(kDecode)), {assign("rv_rd_q", "1'b0")},
                  {if_else("rv_rd_now", {assign("rv_rd_q", "1'b1"), assign("rv_rd_addr_q", "rf_waddr[4:0]"), assign("rv_rd_wdata_q", "rf_wdata")})}),
          if_else("rv_now",
                  {assign("rv_order_q", "rv_next_order_q"), assign("rvfi_insn", "r_insn"), assign("rvfi_trap", "r_trap"), assign("rvfi_intr", "r_intr"),
                   assign("rvfi_rs1_addr", "r_rs1_addr"), assign("rvfi_rs2_addr", "r_rs2_addr"), assign("rvfi_rs1_rdata", "r_rs1_rdata"),
                   assign("rvfi_rs2_rdata", "r_rs2_rdata"), assign("rvfi_rd_addr", "r_rd_addr"), assign("rvfi_rd_wdata", "r_rd_wdata"),
                   assign("rvfi_pc_rdata", "r_pc_rdata"), assign("rvfi_pc_wdata", "r_pc_wdata"), assign("rvfi_mem_addr", "r_mem_addr"),
                   assign("rvfi_mem_rmask", "r_mem_rmask"), assign("rvfi_mem_wmask", "r_mem_wmask"), assign("rvfi_mem_rdata", "r_mem_rdata"),
                   assign("rvfi_mem_wdata", "r_mem_wdata"), assign("rvfi_ext_mip", "r_ext_mip")})});
    m.assign("r_insn", "(rv_trap && cause_q == 5'd1) ? 32'd0 : ins").assign("r_trap", "rv_trap").assign("r_intr", "rv_intr_pend_q");
    m.assign("r_rs1_addr", "d_rs1_used ? ins[19:15] : 5'd0").assign("r_rs2_addr", "d_rs2_used ? ins[24:20] : 5'd0");
    m.assign("r_rs1_rdata", "d_rs1_used ? (rv_in_exec ? a_q : rv_rs1_q) : 32'd0");
    m.assign("r_rs2_rdata", "d_rs2_used ? (rv_in_exec ? rf_rdata : rv_rs2_q) : 32'd0");
    m.assign("r_rd_addr", "rv_rd_now ? rf_waddr[4:0] : rv_rd_q ? rv_rd_addr_q : 5'd0");
    m.assign("r_rd_wdata", "rv_rd_now ? rf_wdata : rv_rd_q ? rv_rd_wdata_q : 32'd0");
    m.assign("r_pc_rdata", "{pc_q, 2'b00}").assign("r_pc_wdata", "pc_seq ? {pc_q + 30'd1, 2'b00} : {sum[31:2], 2'b00}");
    m.assign("r_mem_addr", "(rv_mem_ld | rv_mem_st) ? {sum[31:2], 2'b00} : 32'd0");
    m.assign("r_mem_rmask", "rv_mem_ld ? ls_mask : 4'd0").assign("r_mem_wmask", "rv_mem_st ? ls_mask : 4'd0");
    m.assign("r_mem_rdata", "rv_mem_ld ? data_rdata_i : 32'd0").assign("r_mem_wdata", "rv_mem_st ? (ls_wdata & lane_bits) : 32'd0");
    m.assign("r_ext_mip", "rv_irq_mip_q");
    m.assign("rvfi_valid", "rv_valid_q").assign("rvfi_order", "rv_order_q").assign("rvfi_halt", "1'b0").assign("rvfi_mode", "2'd3").assign("rvfi_ixl", "2'd1");
  }
  m.net("unused", r.rvfi ? 6 : 8, false, "what this core does not need (the operands' use only RVFI reports)");
  m.assign("unused", std::string("{d_link, wide_unused, csr_a[9:8], csr_a[5], csr_a[3]") + (r.rvfi ? "}" : ", d_rs1_used, d_rs2_used}"));
  return d.add(std::move(m));
}

}  // namespace strata::rv32
