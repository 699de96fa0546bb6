#include "golden/rv32_decode.h"

#include "golden/rv32_iss.h"

namespace strata::golden::rv32 {

bool csr_exists(std::uint32_t a) {
  switch (a) {
    case csr::mstatus: case csr::misa: case csr::mie: case csr::mtvec: case csr::mstatush:
    case csr::mscratch: case csr::mepc: case csr::mcause: case csr::mtval: case csr::mip:
    case csr::mcycle: case csr::mcycleh: case csr::minstret: case csr::minstreth:
    case csr::mvendorid: case csr::marchid: case csr::mimpid: case csr::mhartid:
      return true;
    default:
      return false;
  }
}

bool csr_writes(std::uint32_t insn) {
  const std::uint32_t f3 = funct3(insn);
  return (f3 & 3) == 1 || rs1_of(insn) != 0;  // CSRRW(I) always, set/clear with a nonzero source field
}

namespace {

Decoded r_type(Op op, std::uint32_t i) {
  return {op, rd_of(i), rs1_of(i), rs2_of(i), 0, 0, true, true, true};
}
Decoded i_type(Op op, std::uint32_t i, std::int32_t imm) {
  return {op, rd_of(i), rs1_of(i), 0, imm, 0, true, false, true};
}

Decoded decode_op(std::uint32_t i, bool has_m) {
  static constexpr Op base[8] = {Op::add, Op::sll, Op::slt, Op::sltu, Op::xor_, Op::srl, Op::or_, Op::and_};
  static constexpr Op mext[8] = {Op::mul, Op::mulh, Op::mulhsu, Op::mulhu, Op::div, Op::divu, Op::rem, Op::remu};
  const std::uint32_t f3 = funct3(i), f7 = funct7(i);
  if (f7 == 0) return r_type(base[f3], i);
  if (f7 == 0x20 && f3 == 0) return r_type(Op::sub, i);
  if (f7 == 0x20 && f3 == 5) return r_type(Op::sra, i);
  if (f7 == 1 && has_m) return r_type(mext[f3], i);
  return {};
}

Decoded decode_op_imm(std::uint32_t i) {
  static constexpr Op ops[8] = {Op::addi, Op::slli, Op::slti, Op::sltiu, Op::xori, Op::srli, Op::ori, Op::andi};
  const std::uint32_t f3 = funct3(i), f7 = funct7(i);
  if (f3 == 1 || f3 == 5) {  // shifts: shamt in rs2's field, funct7 selects the kind
    if (f3 == 1 && f7 != 0) return {};
    if (f3 == 5 && f7 != 0 && f7 != 0x20) return {};
    return i_type(f3 == 1 ? Op::slli : f7 == 0x20 ? Op::srai : Op::srli, i, static_cast<std::int32_t>(rs2_of(i)));
  }
  return i_type(ops[f3], i, imm_i(i));
}

Decoded decode_system(std::uint32_t i) {
  const std::uint32_t f3 = funct3(i);
  if (f3 == 0) {
    switch (i) {
      case 0x00000073: return {Op::ecall};
      case 0x00100073: return {Op::ebreak};
      case 0x30200073: return {Op::mret};
      case 0x10500073: return {Op::wfi};
      default: return {};
    }
  }
  if (f3 == 4) return {};
  const std::uint32_t a = i >> 20;
  if (!csr_exists(a)) return {};
  if ((a >> 10) == 3 && csr_writes(i)) return {};  // read-only CSR
  static constexpr Op ops[8] = {Op::illegal, Op::csrrw, Op::csrrs, Op::csrrc, Op::illegal, Op::csrrwi, Op::csrrsi, Op::csrrci};
  const bool reg = f3 < 4;
  Decoded d{ops[f3], rd_of(i), reg ? rs1_of(i) : 0, 0, reg ? 0 : static_cast<std::int32_t>(rs1_of(i)), a, reg, false, true};
  return d;
}

}  // namespace

Decoded decode(std::uint32_t i, bool has_m) {
  if ((i & 3) != 3) return {};
  const std::uint32_t f3 = funct3(i);
  switch (opcode(i)) {
    case 0x37: return {Op::lui, rd_of(i), 0, 0, imm_u(i), 0, false, false, true};
    case 0x17: return {Op::auipc, rd_of(i), 0, 0, imm_u(i), 0, false, false, true};
    case 0x6F: return {Op::jal, rd_of(i), 0, 0, imm_j(i), 0, false, false, true};
    case 0x67: return f3 == 0 ? i_type(Op::jalr, i, imm_i(i)) : Decoded{};
    case 0x63: {
      static constexpr Op ops[8] = {Op::beq, Op::bne, Op::illegal, Op::illegal, Op::blt, Op::bge, Op::bltu, Op::bgeu};
      if (ops[f3] == Op::illegal) return {};
      return {ops[f3], 0, rs1_of(i), rs2_of(i), imm_b(i), 0, true, true, false};
    }
    case 0x03: {
      static constexpr Op ops[8] = {Op::lb, Op::lh, Op::lw, Op::illegal, Op::lbu, Op::lhu, Op::illegal, Op::illegal};
      if (ops[f3] == Op::illegal) return {};
      return i_type(ops[f3], i, imm_i(i));
    }
    case 0x23: {
      static constexpr Op ops[8] = {Op::sb, Op::sh, Op::sw, Op::illegal, Op::illegal, Op::illegal, Op::illegal, Op::illegal};
      if (ops[f3] == Op::illegal) return {};
      return {ops[f3], 0, rs1_of(i), rs2_of(i), imm_s(i), 0, true, true, false};
    }
    case 0x13: return decode_op_imm(i);
    case 0x33: return decode_op(i, has_m);
    case 0x0F:
      if (f3 == 0) return {Op::fence};
      if (f3 == 1 && (i >> 7) == (1u << 5)) return {Op::fence_i};  // rd = rs1 = imm = 0
      return {};
    case 0x73: return decode_system(i);
    default: return {};
  }
}

}  // namespace strata::golden::rv32
