// Machine-mode CSRs (docs/blocks/rv32.md, "CSRs"): the status and trap
// registers, the 64-bit cycle and retirement counters, the interrupt lines.
// A CSR instruction reads before it writes; trap entry and MRET update
// mstatus, mepc, mcause and mtval.
#include <fmt/format.h>

#include <utility>
#include <vector>

#include "blocks/rv32/rv32_parts.h"

namespace strata::rv32 {

std::string csr(const SocConfig& c, ir::Design& d) {
  using ir::Dir;
  using ir::assign;
  using ir::if_else;
  const bool m_ext = c.rv32->isa == Rv32Isa::rv32im;
  ir::Module m;
  m.name = c.name + "_rv32_csr";
  m.description = "RV32 machine-mode CSRs, counters and interrupt decision.";
  m.port(Dir::in, "clk_i")
      .port(Dir::in, "rst_ni")
      .port(Dir::in, "addr_i", 12, false, "CSR of the instruction in execute")
      .port(Dir::out, "rdata_o", 32, false, "its value before the instruction")
      .port(Dir::in, "wen_i", 1, false, "the CSR instruction commits and writes")
      .port(Dir::in, "op_i", 2, false, "funct3[1:0]: 01 write, 10 set, 11 clear")
      .port(Dir::in, "src_i", 32, false, "rs1 or the zero-extended uimm")
      .port(Dir::in, "trap_i", 1, false, "enter the trap handler (exception or interrupt)")
      .port(Dir::in, "cause_i", 5, false, "{interrupt, exception code}")
      .port(Dir::in, "tval_i", 32)
      .port(Dir::in, "epc_i", 30, false, "pc[31:2] of the trapping or first unexecuted instruction")
      .port(Dir::in, "mret_i")
      .port(Dir::in, "instret_i", 1, false, "an instruction retires without trapping")
      .port(Dir::out, "instret_pend_o", 1, false, "minstret is one behind (its increment is applied next cycle)")
      .port(Dir::in, "mtip_i")
      .port(Dir::in, "meip_i")
      .port(Dir::out, "mtvec_o", 30, false, "mtvec[31:2]")
      .port(Dir::out, "mepc_o", 30, false, "mepc[31:2]")
      .port(Dir::out, "irq_o", 1, false, "take an interrupt before the instruction in write-back")
      .port(Dir::out, "irq_ext_o", 1, false, "the interrupt to take is the external one")
      .port(Dir::out, "wake_o", 1, false, "(mip & mie) != 0: WFI ends")
      .port(Dir::out, "mip_o", 32, false, "the lines as the interrupt decision saw them (one cycle before)");
  m.net("mip_now", 32, false, "mip as a CSR read sees it");
  m.net("wdata", 32);
  m.net("mie_q").net("mpie_q").net("mtie_q").net("meie_q").net("mtvec_q", 30).net("mscratch_q", 32).net("mepc_q", 30);
  m.net("mcause_q", 5, false, "{interrupt, exception code}: the other bits read 0").net("mtval_q", 32).net("mcycle_q", 64).net("minstret_q", 64).net("cycle_next", 64).net("instret_next", 64);
  m.net("instret_inc").net("pending_t").net("pending_e");
  m.assign("wdata", "op_i == 2'b01 ? src_i : op_i == 2'b10 ? (rdata_o | src_i) : (rdata_o & ~src_i)");
  // The decoder lets only the CSRs of docs/blocks/rv32.md through (any other
  // address is illegal and never reaches here), so the address is decoded
  // from the few bits that tell those apart: [11] 3xx or Bxx/Fxx, [10] Fxx
  // (read-only, reads 0), [6] 34x, [4] 310, [7] Bx0/B8x, [2:0]. The write
  // decode does not wait for wen_i (which comes late, from the commit
  // decision): one AND per written CSR.
  m.net("a", 12).net("a_unused", 4);
  m.assign("a", "addr_i").assign("a_unused", "{a[9:8], a[5], a[3]}");
  const std::vector<std::pair<const char*, const char*>> wr{
      {"300", "~a[11] & ~a[6] & ~a[4] & ~a[2] & ~a[0]"}, {"304", "~a[11] & ~a[6] & a[2] & ~a[0]"}, {"305", "~a[11] & ~a[6] & a[2] & a[0]"},
      {"340", "~a[11] & a[6] & ~a[2] & a[1:0] == 2'd0"},  {"341", "~a[11] & a[6] & ~a[2] & a[1:0] == 2'd1"},
      {"342", "~a[11] & a[6] & ~a[2] & a[1:0] == 2'd2"},  {"343", "~a[11] & a[6] & ~a[2] & a[1:0] == 2'd3"},
      {"B00", "a[11] & ~a[7] & ~a[1]"}, {"B80", "a[11] & a[7] & ~a[1]"}, {"B02", "a[11] & ~a[7] & a[1]"}, {"B82", "a[11] & a[7] & a[1]"}};
  for (const auto& [name, cond] : wr) {
    m.net(fmt::format("wr_{}", name));
    m.assign(fmt::format("wr_{}", name), fmt::format("wen_i & {}", cond));
  }
  m.comment("Read before write; fields without storage read as their fixed values.");
  const std::string misa = fmt::format("32'h{:08X}", 0x40000100u | (m_ext ? 0x1000u : 0u));
  m.assign("rdata_o",
           "a[11] ? (a[10] ? 32'd0 : a[7] ? (a[1] ? minstret_q[63:32] : mcycle_q[63:32]) : (a[1] ? minstret_q[31:0] : mcycle_q[31:0]))"
           " : a[6] ? (a[2] ? mip_now : a[1] ? (a[0] ? mtval_q : {mcause_q[4], 27'd0, mcause_q[3:0]}) : (a[0] ? {mepc_q, 2'b00} : mscratch_q))"
           " : a[4] ? 32'd0 : a[2] ? (a[0] ? {mtvec_q, 2'b00} : {20'd0, meie_q, 3'd0, mtie_q, 7'd0})"
           " : (a[0] ? " + misa + " : {19'd0, 2'b11, 3'd0, mpie_q, 3'd0, mie_q, 3'd0})");
  m.comment("The interrupt decision is registered (off the path to the fetch address): the lines of this cycle with mstatus.MIE and");
  m.comment("mie as this cycle leaves them, so the decision agrees with the CSRs of the cycle that uses it.");
  m.net("mie_next").net("mtie_next").net("meie_next").net("irq_q").net("irq_ext_q").net("mtip_q").net("meip_q");
  m.assign("mie_next", "trap_i ? 1'b0 : mret_i ? mpie_q : wr_300 ? wdata[3] : mie_q");
  m.assign("mtie_next", "(!trap_i && wr_304) ? wdata[7] : mtie_q").assign("meie_next", "(!trap_i && wr_304) ? wdata[11] : meie_q");
  m.assign("mip_o", "{20'd0, meip_q, 3'd0, mtip_q, 7'd0}");
  m.assign("mip_now", "{20'd0, meip_i, 3'd0, mtip_i, 7'd0}");
  m.assign("pending_t", "mtip_i & mtie_q").assign("pending_e", "meip_i & meie_q");
  m.assign("wake_o", "pending_t | pending_e");
  m.assign("irq_o", "irq_q").assign("irq_ext_o", "irq_ext_q");
  m.ff({if_else("!rst_ni", {assign("irq_q", "1'b0"), assign("irq_ext_q", "1'b0"), assign("mtip_q", "1'b0"), assign("meip_q", "1'b0")},
                {assign("irq_q", "mie_next & ((mtip_i & mtie_next) | (meip_i & meie_next))"), assign("irq_ext_q", "meip_i & meie_next"),
                 assign("mtip_q", "mtip_i"), assign("meip_q", "meip_i")})});
  m.assign("mtvec_o", "mtvec_q").assign("mepc_o", "mepc_q");
  m.comment("Counters: mcycle counts every cycle, minstret every retirement; a write replaces the increment.");
  m.assign("cycle_next", "mcycle_q + 64'd1");
  m.assign("instret_inc", "instret_i & ~wr_B02 & ~wr_B82");
  m.comment("minstret counts one cycle late (off the commit path); a read waits while an increment is pending (the pipeline sees to it).");
  m.net("inc_q");
  m.assign("instret_next", "inc_q ? minstret_q + 64'd1 : minstret_q");
  m.assign("instret_pend_o", "inc_q");
  m.ff({if_else(
      "!rst_ni",
      {assign("mie_q", "1'b0"), assign("mpie_q", "1'b0"), assign("mtie_q", "1'b0"), assign("meie_q", "1'b0"), assign("mtvec_q", "30'd0"),
       assign("mscratch_q", "32'd0"), assign("mepc_q", "30'd0"), assign("mcause_q", "5'd0"), assign("mtval_q", "32'd0"),
       assign("mcycle_q", "64'd0"), assign("minstret_q", "64'd0"), assign("inc_q", "1'b0")},
      {assign("mcycle_q", "{wr_B80 ? wdata : cycle_next[63:32], wr_B00 ? wdata : cycle_next[31:0]}"),
       assign("minstret_q", "{wr_B82 ? wdata : instret_next[63:32], wr_B02 ? wdata : instret_next[31:0]}"),
       assign("inc_q", "instret_inc"),
       if_else("trap_i",
               {assign("mpie_q", "mie_q"), assign("mie_q", "1'b0"), assign("mepc_q", "epc_i"),
                assign("mcause_q", "cause_i"), assign("mtval_q", "tval_i")},
               {if_else("mret_i", {assign("mie_q", "mpie_q"), assign("mpie_q", "1'b1")}),
                if_else("wr_300", {assign("mie_q", "wdata[3]"), assign("mpie_q", "wdata[7]")}),
                if_else("wr_304", {assign("mtie_q", "wdata[7]"), assign("meie_q", "wdata[11]")}),
                if_else("wr_305", {assign("mtvec_q", "wdata[31:2]")}),
                if_else("wr_340", {assign("mscratch_q", "wdata")}),
                if_else("wr_341", {assign("mepc_q", "wdata[31:2]")}),
                if_else("wr_342", {assign("mcause_q", "{wdata[31], wdata[3:0]}")}),
                if_else("wr_343", {assign("mtval_q", "wdata")})})})});
  return d.add(std::move(m));
}

}  // namespace strata::rv32
