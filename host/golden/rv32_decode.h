// The RV32 instruction decoder shared by the ISS, its disassembler and the
// random program generator: the one place that says which encodings are
// legal (docs/blocks/rv32.md, "Instruction set"). Everything not listed in
// Op is illegal, including CSR accesses to CSRs that do not exist and
// writes to read-only ones.
#pragma once

#include <cstdint>

namespace strata::golden::rv32 {

enum class Op : std::uint8_t {
  illegal,
  lui, auipc, jal, jalr,
  beq, bne, blt, bge, bltu, bgeu,
  lb, lh, lw, lbu, lhu,
  sb, sh, sw,
  addi, slti, sltiu, xori, ori, andi, slli, srli, srai,
  add, sub, sll, slt, sltu, xor_, srl, sra, or_, and_,
  fence, fence_i,
  ecall, ebreak, mret, wfi,
  csrrw, csrrs, csrrc, csrrwi, csrrsi, csrrci,
  mul, mulh, mulhsu, mulhu, div, divu, rem, remu,
};

struct Decoded {
  Op op = Op::illegal;
  std::uint32_t rd = 0, rs1 = 0, rs2 = 0;  // register fields of the format (0 where the format has none)
  std::int32_t imm = 0;                    // the sign-extended immediate (U: already shifted; CSR: the uimm in rs1)
  std::uint32_t csr = 0;                   // CSR address (CSR instructions)
  bool uses_rs1 = false, uses_rs2 = false;
  bool writes_rd = false;                  // the format has an rd (also when rd = x0)
};

// Whether a CSR address exists (docs/blocks/rv32.md, "CSRs").
bool csr_exists(std::uint32_t addr);
// Whether a CSR instruction writes its CSR (CSRRW/CSRRWI always; the set and
// clear forms only with rs1 != x0 / uimm != 0).
bool csr_writes(std::uint32_t insn);

Decoded decode(std::uint32_t insn, bool has_m);

// Field extractors.
constexpr std::uint32_t opcode(std::uint32_t i) { return i & 0x7F; }
constexpr std::uint32_t rd_of(std::uint32_t i) { return (i >> 7) & 31; }
constexpr std::uint32_t funct3(std::uint32_t i) { return (i >> 12) & 7; }
constexpr std::uint32_t rs1_of(std::uint32_t i) { return (i >> 15) & 31; }
constexpr std::uint32_t rs2_of(std::uint32_t i) { return (i >> 20) & 31; }
constexpr std::uint32_t funct7(std::uint32_t i) { return i >> 25; }
constexpr std::int32_t imm_i(std::uint32_t i) { return static_cast<std::int32_t>(i) >> 20; }
constexpr std::int32_t imm_s(std::uint32_t i) {
  return static_cast<std::int32_t>(((static_cast<std::int32_t>(i) >> 25) * 32) | static_cast<std::int32_t>((i >> 7) & 31));
}
constexpr std::int32_t imm_b(std::uint32_t i) {
  const std::uint32_t u = ((i >> 31) << 12) | (((i >> 7) & 1) << 11) | (((i >> 25) & 0x3F) << 5) | (((i >> 8) & 0xF) << 1);
  return static_cast<std::int32_t>(u << 19) >> 19;
}
constexpr std::int32_t imm_u(std::uint32_t i) { return static_cast<std::int32_t>(i & 0xFFFFF000u); }
constexpr std::int32_t imm_j(std::uint32_t i) {
  const std::uint32_t u = ((i >> 31) << 20) | (((i >> 12) & 0xFF) << 12) | (((i >> 20) & 1) << 11) | (((i >> 21) & 0x3FF) << 1);
  return static_cast<std::int32_t>(u << 11) >> 11;
}

}  // namespace strata::golden::rv32
