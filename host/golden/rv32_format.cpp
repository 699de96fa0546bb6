// Text forms of the ISS's records and state: the disassembler, one record
// per line, the lockstep comparator's report.
#include <fmt/format.h>

#include "golden/rv32_decode.h"
#include "golden/rv32_iss.h"

namespace strata::golden::rv32 {

namespace {

constexpr const char* kRegNames[32] = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
                                       "a1",   "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
                                       "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

const char* op_name(Op op) {
  switch (op) {
    case Op::illegal: return "illegal";
    case Op::lui: return "lui"; case Op::auipc: return "auipc"; case Op::jal: return "jal"; case Op::jalr: return "jalr";
    case Op::beq: return "beq"; case Op::bne: return "bne"; case Op::blt: return "blt"; case Op::bge: return "bge";
    case Op::bltu: return "bltu"; case Op::bgeu: return "bgeu";
    case Op::lb: return "lb"; case Op::lh: return "lh"; case Op::lw: return "lw"; case Op::lbu: return "lbu"; case Op::lhu: return "lhu";
    case Op::sb: return "sb"; case Op::sh: return "sh"; case Op::sw: return "sw";
    case Op::addi: return "addi"; case Op::slti: return "slti"; case Op::sltiu: return "sltiu"; case Op::xori: return "xori";
    case Op::ori: return "ori"; case Op::andi: return "andi"; case Op::slli: return "slli"; case Op::srli: return "srli";
    case Op::srai: return "srai";
    case Op::add: return "add"; case Op::sub: return "sub"; case Op::sll: return "sll"; case Op::slt: return "slt";
    case Op::sltu: return "sltu"; case Op::xor_: return "xor"; case Op::srl: return "srl"; case Op::sra: return "sra";
    case Op::or_: return "or"; case Op::and_: return "and";
    case Op::fence: return "fence"; case Op::fence_i: return "fence.i";
    case Op::ecall: return "ecall"; case Op::ebreak: return "ebreak"; case Op::mret: return "mret"; case Op::wfi: return "wfi";
    case Op::csrrw: return "csrrw"; case Op::csrrs: return "csrrs"; case Op::csrrc: return "csrrc";
    case Op::csrrwi: return "csrrwi"; case Op::csrrsi: return "csrrsi"; case Op::csrrci: return "csrrci";
    case Op::mul: return "mul"; case Op::mulh: return "mulh"; case Op::mulhsu: return "mulhsu"; case Op::mulhu: return "mulhu";
    case Op::div: return "div"; case Op::divu: return "divu"; case Op::rem: return "rem"; case Op::remu: return "remu";
  }
  return "?";
}

}  // namespace

std::string disassemble(std::uint32_t insn, bool has_m) {
  const Decoded d = decode(insn, has_m);
  const char* n = op_name(d.op);
  const char* rd = kRegNames[d.rd];
  const char* r1 = kRegNames[d.rs1];
  const char* r2 = kRegNames[d.rs2];
  switch (d.op) {
    case Op::illegal: return "illegal";
    case Op::lui: case Op::auipc: return fmt::format("{} {}, 0x{:x}", n, rd, static_cast<std::uint32_t>(d.imm) >> 12);
    case Op::jal: return fmt::format("{} {}, {}", n, rd, d.imm);
    case Op::jalr: case Op::lb: case Op::lh: case Op::lw: case Op::lbu: case Op::lhu:
      return fmt::format("{} {}, {}({})", n, rd, d.imm, r1);
    case Op::sb: case Op::sh: case Op::sw: return fmt::format("{} {}, {}({})", n, r2, d.imm, r1);
    case Op::beq: case Op::bne: case Op::blt: case Op::bge: case Op::bltu: case Op::bgeu:
      return fmt::format("{} {}, {}, {}", n, r1, r2, d.imm);
    case Op::addi: case Op::slti: case Op::sltiu: case Op::xori: case Op::ori: case Op::andi:
    case Op::slli: case Op::srli: case Op::srai:
      return fmt::format("{} {}, {}, {}", n, rd, r1, d.imm);
    case Op::fence: case Op::fence_i: case Op::ecall: case Op::ebreak: case Op::mret: case Op::wfi: return n;
    case Op::csrrw: case Op::csrrs: case Op::csrrc: return fmt::format("{} {}, 0x{:03x}, {}", n, rd, d.csr, r1);
    case Op::csrrwi: case Op::csrrsi: case Op::csrrci: return fmt::format("{} {}, 0x{:03x}, {}", n, rd, d.csr, d.imm);
    default: return fmt::format("{} {}, {}, {}", n, rd, r1, r2);
  }
}

std::string format(const Retirement& r) {
  return fmt::format(
      "order {} pc {:08x} insn {:08x} ({}) trap {} intr {} next {:08x} rd x{} = {:08x} rs1 x{} = {:08x} rs2 x{} = {:08x} "
      "mem {:08x} rmask {:x} rdata {:08x} wmask {:x} wdata {:08x}",
      r.order, r.pc_rdata, r.insn, disassemble(r.insn), r.trap ? 1 : 0, r.intr ? 1 : 0, r.pc_wdata, r.rd_addr, r.rd_wdata, r.rs1_addr,
      r.rs1_rdata, r.rs2_addr, r.rs2_rdata, r.mem_addr, r.mem_rmask, r.mem_rdata, r.mem_wmask, r.mem_wdata);
}

std::string Iss::format_state() const {
  std::string s = fmt::format("pc {:08x}\n", pc_);
  for (unsigned i = 0; i < 32; ++i)
    s += fmt::format("x{:<2} {:>4} {:08x}{}", i, kRegNames[i], x_[i], i % 4 == 3 ? "\n" : "   ");
  s += fmt::format("mstatus {:08x} mie {:08x} mip {:08x} mtvec {:08x} mepc {:08x} mcause {:08x} mtval {:08x} mscratch {:08x}\n",
                   *read_csr(csr::mstatus), mie_, mip(), mtvec_, mepc_, mcause_, mtval_, mscratch_);
  s += fmt::format("mcycle {} minstret {} mtime {} mtimecmp {}\n", mcycle_, minstret_, mtime_, mtimecmp_);
  return s;
}

std::optional<std::string> compare(const Retirement& i, const Retirement& c, const Iss* iss) {
  std::string diff;
  const auto field = [&](const char* name, std::uint64_t a, std::uint64_t b) {
    if (a != b) diff += fmt::format("  {:<9} iss {:#010x}  core {:#010x}\n", name, a, b);
  };
  field("order", i.order, c.order);
  field("pc_rdata", i.pc_rdata, c.pc_rdata);
  field("insn", i.insn, c.insn);
  field("trap", i.trap, c.trap);
  field("intr", i.intr, c.intr);
  field("rd_addr", i.rd_addr, c.rd_addr);
  field("rd_wdata", i.rd_wdata, c.rd_wdata);
  field("pc_wdata", i.pc_wdata, c.pc_wdata);
  field("mem_addr", i.mem_addr, c.mem_addr);
  field("mem_rmask", i.mem_rmask, c.mem_rmask);
  field("mem_wmask", i.mem_wmask, c.mem_wmask);
  field("mem_rdata", i.mem_rdata, c.mem_rdata);
  field("mem_wdata", i.mem_wdata, c.mem_wdata);
  if (diff.empty()) return std::nullopt;
  std::string s = fmt::format("lockstep mismatch at retirement {} (pc {:08x}):\n{}  iss:  {}\n  core: {}\n", c.order, c.pc_rdata, diff,
                              format(i), format(c));
  if (iss) s += "ISS state after the instruction:\n" + iss->format_state();
  return s;
}

std::optional<std::string> lockstep_check(Iss& iss, const Retirement& rtl) {
  try {
    const Retirement mine = iss.step_lockstep(rtl);
    return compare(mine, rtl, &iss);
  } catch (const LockstepError& e) {
    return fmt::format("lockstep error at retirement {} (pc {:08x}): {}\n  core: {}\nISS state:\n{}", rtl.order, rtl.pc_rdata, e.what(),
                       format(rtl), iss.format_state());
  }
}

}  // namespace strata::golden::rv32
