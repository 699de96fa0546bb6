// The RV32 ISS against directed encodings, with the expected results taken
// from the RISC-V specifications and docs/blocks/rv32.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "golden/rv32_decode.h"
#include "golden/rv32_iss.h"

namespace {

using namespace strata::golden::rv32;

// Encoders for the test programs (the formats of the unprivileged spec).
constexpr std::uint32_t r_type(std::uint32_t f7, std::uint32_t rs2, std::uint32_t rs1, std::uint32_t f3, std::uint32_t rd, std::uint32_t op) {
  return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
constexpr std::uint32_t i_type(std::int32_t imm, std::uint32_t rs1, std::uint32_t f3, std::uint32_t rd, std::uint32_t op) {
  return (static_cast<std::uint32_t>(imm & 0xFFF) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
constexpr std::uint32_t s_type(std::int32_t imm, std::uint32_t rs2, std::uint32_t rs1, std::uint32_t f3) {
  const auto u = static_cast<std::uint32_t>(imm);
  return (((u >> 5) & 0x7F) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((u & 31) << 7) | 0x23;
}
constexpr std::uint32_t b_type(std::int32_t imm, std::uint32_t rs2, std::uint32_t rs1, std::uint32_t f3) {
  const auto u = static_cast<std::uint32_t>(imm);
  return (((u >> 12) & 1) << 31) | (((u >> 5) & 0x3F) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (((u >> 1) & 0xF) << 8) |
         (((u >> 11) & 1) << 7) | 0x63;
}
constexpr std::uint32_t u_type(std::uint32_t imm20, std::uint32_t rd, std::uint32_t op) { return (imm20 << 12) | (rd << 7) | op; }
constexpr std::uint32_t j_type(std::int32_t imm, std::uint32_t rd) {
  const auto u = static_cast<std::uint32_t>(imm);
  return (((u >> 20) & 1) << 31) | (((u >> 1) & 0x3FF) << 21) | (((u >> 11) & 1) << 20) | (((u >> 12) & 0xFF) << 12) | (rd << 7) | 0x6F;
}
constexpr std::uint32_t addi(std::uint32_t rd, std::uint32_t rs1, std::int32_t imm) { return i_type(imm, rs1, 0, rd, 0x13); }
constexpr std::uint32_t lui(std::uint32_t rd, std::uint32_t imm20) { return u_type(imm20, rd, 0x37); }
constexpr std::uint32_t op(std::uint32_t f7, std::uint32_t f3, std::uint32_t rd, std::uint32_t rs1, std::uint32_t rs2) {
  return r_type(f7, rs2, rs1, f3, rd, 0x33);
}
constexpr std::uint32_t csr_i(std::uint32_t f3, std::uint32_t rd, std::uint32_t csr, std::uint32_t rs1) {
  return (csr << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x73;
}
constexpr std::uint32_t kEcall = 0x00000073, kEbreak = 0x00100073, kMret = 0x30200073, kWfi = 0x10500073;

struct Machine {
  explicit Machine(std::vector<std::uint32_t> prog, IssParams p = {}) : iss(p) {
    load(0, prog);
    iss.reset();
  }
  void load(std::uint32_t addr, const std::vector<std::uint32_t>& words) {
    std::vector<std::uint8_t> bytes;
    for (auto w : words)
      for (int k = 0; k < 4; ++k) bytes.push_back(static_cast<std::uint8_t>(w >> (8 * k)));
    ASSERT_TRUE(iss.write_memory(addr, bytes));
  }
  Retirement run(int n) {
    Retirement r;
    for (int k = 0; k < n; ++k) r = iss.step();
    return r;
  }
  Iss iss;
};

TEST(Rv32Iss, AluImmediatesAndRegisters) {
  Machine m({addi(1, 0, -1), addi(2, 0, 5), op(0, 0, 3, 1, 2), op(0x20, 0, 4, 2, 1), op(0, 2, 5, 1, 2), op(0, 3, 6, 1, 2),
             i_type(-1, 2, 3, 7, 0x13), i_type(0x7FF, 1, 4, 8, 0x13), lui(9, 0x80000), u_type(1, 10, 0x17)});
  m.run(10);
  EXPECT_EQ(m.iss.reg(1), 0xFFFFFFFFu);
  EXPECT_EQ(m.iss.reg(3), 4u);              // -1 + 5
  EXPECT_EQ(m.iss.reg(4), 6u);              // 5 - (-1)
  EXPECT_EQ(m.iss.reg(5), 1u);              // slt -1 < 5
  EXPECT_EQ(m.iss.reg(6), 0u);              // sltu 0xffffffff < 5
  EXPECT_EQ(m.iss.reg(7), 1u);              // sltiu 5 < 0xffffffff (imm sign-extended)
  EXPECT_EQ(m.iss.reg(8), 0xFFFFF800u);     // xori -1 ^ 0x7ff
  EXPECT_EQ(m.iss.reg(9), 0x80000000u);
  EXPECT_EQ(m.iss.reg(10), 0x1000u + 36u);  // auipc at pc 36
}

TEST(Rv32Iss, Shifts) {
  Machine m({lui(1, 0x80000), addi(2, 0, 33), i_type(31, 1, 5, 3, 0x13), i_type(0x400 | 31, 1, 5, 4, 0x13), i_type(4, 1, 1, 5, 0x13),
             op(0, 1, 6, 2, 2), op(0, 5, 7, 1, 2), op(0x20, 5, 8, 1, 2)});
  m.run(8);
  EXPECT_EQ(m.iss.reg(3), 1u);            // srli 31
  EXPECT_EQ(m.iss.reg(4), 0xFFFFFFFFu);   // srai 31
  EXPECT_EQ(m.iss.reg(5), 0u);            // slli 4 of 0x80000000
  EXPECT_EQ(m.iss.reg(6), 66u);           // sll by 33 & 31 = 1
  EXPECT_EQ(m.iss.reg(7), 0x40000000u);   // srl by 1
  EXPECT_EQ(m.iss.reg(8), 0xC0000000u);   // sra by 1
}

TEST(Rv32Iss, MultiplyDivideAsTheMExtensionDefines) {
  Machine m({lui(1, 0x80000), addi(2, 0, -1), addi(3, 0, 7), addi(4, 0, -2),
             op(1, 0, 5, 2, 2),   // mul -1*-1 = 1
             op(1, 1, 6, 1, 2),   // mulh INT_MIN * -1 = 2^31 -> high 0
             op(1, 2, 7, 2, 3),   // mulhsu -1 * 7 -> high -1
             op(1, 3, 8, 2, 2),   // mulhu 0xffffffff^2 -> 0xfffffffe
             op(1, 4, 9, 3, 0),   // div by 0 -> -1
             op(1, 5, 10, 3, 0),  // divu by 0 -> 2^32-1
             op(1, 6, 11, 3, 0),  // rem by 0 -> dividend
             op(1, 7, 12, 3, 0),  // remu by 0 -> dividend
             op(1, 4, 13, 1, 2),  // div overflow -> INT_MIN
             op(1, 6, 14, 1, 2),  // rem overflow -> 0
             op(1, 4, 15, 3, 4),  // 7 / -2 = -3 (toward zero)
             op(1, 6, 16, 3, 4)}); // 7 % -2 = 1
  m.run(16);
  EXPECT_EQ(m.iss.reg(5), 1u);
  EXPECT_EQ(m.iss.reg(6), 0u);
  EXPECT_EQ(m.iss.reg(7), 0xFFFFFFFFu);
  EXPECT_EQ(m.iss.reg(8), 0xFFFFFFFEu);
  EXPECT_EQ(m.iss.reg(9), 0xFFFFFFFFu);
  EXPECT_EQ(m.iss.reg(10), 0xFFFFFFFFu);
  EXPECT_EQ(m.iss.reg(11), 7u);
  EXPECT_EQ(m.iss.reg(12), 7u);
  EXPECT_EQ(m.iss.reg(13), 0x80000000u);
  EXPECT_EQ(m.iss.reg(14), 0u);
  EXPECT_EQ(m.iss.reg(15), static_cast<std::uint32_t>(-3));
  EXPECT_EQ(m.iss.reg(16), 1u);
}

TEST(Rv32Iss, MExtensionIsIllegalOnRv32i) {
  IssParams p;
  p.has_m = false;
  Machine m({op(1, 0, 5, 2, 2)}, p);
  const auto r = m.iss.step();
  EXPECT_TRUE(r.trap);
  EXPECT_EQ(*m.iss.read_csr(csr::mcause), 2u);
  EXPECT_EQ(*m.iss.read_csr(csr::mtval), op(1, 0, 5, 2, 2));
  EXPECT_EQ(*m.iss.read_csr(csr::misa), (1u << 30) | (1u << 8));
}

TEST(Rv32Iss, LoadsAndStoresWithRvfiMasks) {
  Machine m({lui(1, 0x10000), addi(2, 0, -128), s_type(5, 2, 1, 0), i_type(5, 1, 0, 3, 0x03), i_type(5, 1, 4, 4, 0x03),
             lui(5, 0x12345), addi(5, 5, 0x678), s_type(2, 5, 1, 1), i_type(0, 1, 2, 6, 0x03), i_type(2, 1, 1, 7, 0x03)});
  m.run(2);
  auto r = m.iss.step();  // sb -128 at 0x10000005
  EXPECT_EQ(r.mem_addr, 0x10000004u);
  EXPECT_EQ(r.mem_wmask, 0x2u);
  EXPECT_EQ(r.mem_wdata, 0x8000u);
  EXPECT_EQ(r.rd_addr, 0u);
  r = m.iss.step();  // lb
  EXPECT_EQ(r.mem_rmask, 0x2u);
  EXPECT_EQ(r.mem_rdata, 0x8000u);
  EXPECT_EQ(r.rd_wdata, 0xFFFFFF80u);
  r = m.iss.step();  // lbu
  EXPECT_EQ(r.rd_wdata, 0x80u);
  m.run(2);
  r = m.iss.step();  // sh 0x5678 at 0x10000002
  EXPECT_EQ(r.mem_addr, 0x10000000u);
  EXPECT_EQ(r.mem_wmask, 0xCu);
  EXPECT_EQ(r.mem_wdata, 0x56780000u);
  r = m.iss.step();  // lw
  EXPECT_EQ(r.rd_wdata, 0x56780000u);
  EXPECT_EQ(r.mem_rmask, 0xFu);
  r = m.iss.step();  // lh sign-extends 0x5678
  EXPECT_EQ(r.rd_wdata, 0x5678u);
}

TEST(Rv32Iss, BranchesAndJumps) {
  Machine m({addi(1, 0, 1), b_type(8, 0, 1, 1), addi(2, 0, 99), j_type(8, 3), addi(4, 0, 99), i_type(4, 3, 0, 5, 0x67), addi(6, 0, 1)});
  auto r = m.run(2);  // bne taken: 4 -> 12
  EXPECT_EQ(r.pc_wdata, 12u);
  r = m.iss.step();  // jal x3, +8 at 12
  EXPECT_EQ(r.rd_wdata, 16u);
  EXPECT_EQ(r.pc_wdata, 20u);
  r = m.iss.step();  // jalr x5, 4(x3) = 20 at 20
  EXPECT_EQ(r.pc_wdata, 20u);
  EXPECT_EQ(r.rd_wdata, 24u);
  EXPECT_EQ(m.iss.reg(2), 0u);
}

// Every trap cause with its mtval, and that the trapping instruction has no effect.
struct TrapCase {
  const char* name;
  std::vector<std::uint32_t> prog;  // after the prefix (mtvec = 0x100, x29 = DMEM base); its last instruction traps
  std::uint32_t cause, tval;
  std::uint32_t epc = ~0u;  // the trapping pc, when not the last instruction's
};

class Rv32Trap : public ::testing::TestWithParam<TrapCase> {};

// The prefix is 3 instructions: the case's program starts at pc 12.
TEST_P(Rv32Trap, CauseTvalAndNoEffect) {
  const TrapCase& tc = GetParam();
  std::vector<std::uint32_t> prog = {addi(30, 0, 0x100), csr_i(1, 0, csr::mtvec, 30), lui(29, 0x10000)};
  prog.insert(prog.end(), tc.prog.begin(), tc.prog.end());
  Machine m(prog);
  m.load(0x100, {addi(0, 0, 0)});
  const std::uint32_t epc = tc.epc != ~0u ? tc.epc : static_cast<std::uint32_t>(4 * (prog.size() - 1));
  Retirement r;
  std::uint64_t steps = 0;
  do {
    r = m.iss.step();
    ++steps;
  } while (!r.trap && steps <= prog.size());
  ASSERT_TRUE(r.trap) << tc.name;
  EXPECT_EQ(r.pc_rdata, epc);
  EXPECT_EQ(r.pc_wdata, 0x100u);
  EXPECT_EQ(r.rd_addr, 0u);
  EXPECT_EQ(r.mem_wmask | r.mem_rmask, 0u);
  EXPECT_EQ(m.iss.reg(7), 0u) << "no register write";
  EXPECT_EQ(*m.iss.read_csr(csr::mcause), tc.cause) << tc.name;
  EXPECT_EQ(*m.iss.read_csr(csr::mtval), tc.tval) << tc.name;
  EXPECT_EQ(*m.iss.read_csr(csr::mepc), epc);
  EXPECT_EQ(*m.iss.read_csr(csr::mstatus), 0x1800u);
  EXPECT_EQ(m.iss.minstret(), steps - 1) << "a trapping instruction does not count in minstret";
  EXPECT_TRUE(m.iss.step().intr) << "the handler's first instruction";
}

INSTANTIATE_TEST_SUITE_P(
    Causes, Rv32Trap,
    ::testing::Values(
        TrapCase{"jal_misaligned", {j_type(6, 7)}, 0, 12 + 6},
        TrapCase{"jalr_misaligned", {addi(1, 0, 2), i_type(0, 1, 0, 7, 0x67)}, 0, 2},
        TrapCase{"jalr_clears_bit0_only", {addi(1, 0, 3), i_type(0, 1, 0, 7, 0x67)}, 0, 2},
        TrapCase{"branch_misaligned", {b_type(2, 0, 0, 0)}, 0, 12 + 2},
        TrapCase{"fetch_outside_imem", {lui(1, 0x10000), i_type(0, 1, 0, 0, 0x67)}, 1, 0x10000000, 0x10000000},
        TrapCase{"illegal_zero", {0u}, 2, 0},
        TrapCase{"illegal_ones", {0xFFFFFFFFu}, 2, 0xFFFFFFFF},
        TrapCase{"illegal_slli_funct7", {i_type(0x401, 1, 1, 7, 0x13)}, 2, i_type(0x401, 1, 1, 7, 0x13)},
        TrapCase{"illegal_srai_funct7", {i_type(0x201, 1, 5, 7, 0x13)}, 2, i_type(0x201, 1, 5, 7, 0x13)},
        TrapCase{"illegal_no_such_csr", {csr_i(2, 7, 0xC00, 0)}, 2, csr_i(2, 7, 0xC00, 0)},
        TrapCase{"illegal_write_read_only_csr", {csr_i(1, 7, csr::mhartid, 0)}, 2, csr_i(1, 7, csr::mhartid, 0)},
        TrapCase{"illegal_ecall_fields", {kEcall | (1u << 7)}, 2, kEcall | (1u << 7)},
        TrapCase{"illegal_fence_i_fields", {0x0000100Fu | (1u << 7)}, 2, 0x0000100Fu | (1u << 7)},
        TrapCase{"illegal_compressed", {0x00000001u}, 2, 1},
        TrapCase{"breakpoint", {kEbreak}, 3, 0},
        TrapCase{"load_misaligned", {i_type(1, 29, 2, 7, 0x03)}, 4, 0x10000001},
        TrapCase{"load_half_misaligned", {i_type(3, 29, 5, 7, 0x03)}, 4, 0x10000003},
        TrapCase{"load_from_imem", {i_type(0, 0, 2, 7, 0x03)}, 5, 0},
        TrapCase{"load_past_dmem", {lui(1, 0x10004), i_type(0, 1, 2, 7, 0x03)}, 5, 0x10004000},
        TrapCase{"load_misaligned_and_outside", {i_type(2, 0, 2, 7, 0x03)}, 4, 2},
        TrapCase{"store_misaligned", {s_type(2, 7, 29, 2)}, 6, 0x10000002},
        TrapCase{"store_to_imem", {s_type(0, 7, 0, 0)}, 7, 0},
        TrapCase{"store_past_mmio", {lui(1, 0x20000), s_type(0x20, 7, 1, 2)}, 7, 0x20000020},
        TrapCase{"ecall", {kEcall}, 11, 0}),
    [](const ::testing::TestParamInfo<TrapCase>& p) { return std::string(p.param.name); });

TEST(Rv32Iss, ReadOnlyCsrReadsWithoutWritingAreLegal) {
  Machine m({csr_i(2, 1, csr::mhartid, 0), csr_i(7, 2, csr::marchid, 0), csr_i(2, 3, csr::misa, 0)});
  for (int k = 0; k < 3; ++k) EXPECT_FALSE(m.iss.step().trap);
  EXPECT_EQ(m.iss.reg(3), (1u << 30) | (1u << 12) | (1u << 8));
}

TEST(Rv32Iss, CsrWarlFields) {
  Machine m({addi(1, 0, -1), csr_i(1, 0, csr::mtvec, 1), csr_i(1, 0, csr::mepc, 1), csr_i(1, 0, csr::mstatus, 1), csr_i(1, 0, csr::mie, 1),
             csr_i(1, 0, csr::misa, 1), csr_i(1, 0, csr::mip, 1), csr_i(1, 0, csr::mstatush, 1), csr_i(1, 2, csr::mscratch, 1),
             csr_i(2, 3, csr::mscratch, 0)});
  for (int k = 0; k < 10; ++k) EXPECT_FALSE(m.iss.step().trap);
  EXPECT_EQ(*m.iss.read_csr(csr::mtvec), 0xFFFFFFFCu);
  EXPECT_EQ(*m.iss.read_csr(csr::mepc), 0xFFFFFFFCu);
  EXPECT_EQ(*m.iss.read_csr(csr::mstatus), 0x1888u);
  EXPECT_EQ(*m.iss.read_csr(csr::mie), 0x880u);
  EXPECT_EQ(*m.iss.read_csr(csr::misa), (1u << 30) | (1u << 12) | (1u << 8));
  EXPECT_EQ(*m.iss.read_csr(csr::mstatush), 0u);
  EXPECT_EQ(m.iss.reg(2), 0u);
  EXPECT_EQ(m.iss.reg(3), 0xFFFFFFFFu);
  EXPECT_EQ(*Iss({}).read_csr(csr::mstatus), 0x1800u) << "reset: MPP = 11";
}

TEST(Rv32Iss, CountersAndMinstretWriteReplacesIncrement) {
  Machine m({addi(0, 0, 0), csr_i(2, 1, csr::mcycle, 0), csr_i(2, 2, csr::minstret, 0), addi(3, 0, 100), csr_i(1, 0, csr::minstret, 3),
             csr_i(2, 4, csr::minstret, 0), csr_i(2, 5, csr::minstreth, 0)});
  m.run(7);
  EXPECT_EQ(m.iss.reg(1), 1u);
  EXPECT_EQ(m.iss.reg(2), 2u);
  EXPECT_EQ(m.iss.reg(4), 100u);
  EXPECT_EQ(m.iss.reg(5), 0u);
  EXPECT_EQ(m.iss.mcycle(), 7u);
}

TEST(Rv32Iss, TrapAndMret) {
  // mtvec = 0x40; mie enabled; ecall; handler: mepc += 4; mret.
  Machine m({addi(1, 0, 0x40), csr_i(1, 0, csr::mtvec, 1), csr_i(6, 0, csr::mstatus, 8), kEcall, addi(7, 0, 7)});
  m.load(0x40, {csr_i(2, 2, csr::mepc, 0), addi(2, 2, 4), csr_i(1, 0, csr::mepc, 2), kMret});
  m.run(3);
  auto r = m.iss.step();
  EXPECT_TRUE(r.trap);
  EXPECT_EQ(*m.iss.read_csr(csr::mstatus), 0x1880u) << "MPIE = old MIE, MIE = 0";
  m.run(3);
  r = m.iss.step();
  EXPECT_EQ(r.pc_wdata, 16u);
  EXPECT_EQ(*m.iss.read_csr(csr::mstatus), 0x1888u) << "MIE = MPIE, MPIE = 1";
  m.iss.step();
  EXPECT_EQ(m.iss.reg(7), 7u);
}

TEST(Rv32Iss, TimerInterruptStandalone) {
  // mtimecmp = 20 (high word 0), mie.MTIE, mstatus.MIE, then a loop.
  Machine m({lui(1, 0x20000), addi(2, 0, 20), s_type(0x1C, 0, 1, 2), s_type(0x18, 2, 1, 2), addi(3, 0, 0x80), csr_i(1, 0, csr::mie, 3),
             addi(4, 0, 0x100), csr_i(1, 0, csr::mtvec, 4), csr_i(6, 0, csr::mstatus, 8), j_type(0, 0)});
  m.load(0x100, {addi(5, 0, 1)});
  Retirement r;
  int steps = 0;
  do {
    r = m.iss.step();
    ++steps;
  } while (!r.intr && steps < 100);
  ASSERT_TRUE(r.intr);
  EXPECT_EQ(r.pc_rdata, 0x100u);
  EXPECT_EQ(r.ext_mip, kMipMtip);
  EXPECT_EQ(*m.iss.read_csr(csr::mcause), 0x80000007u);
  EXPECT_EQ(*m.iss.read_csr(csr::mepc), 36u);
  EXPECT_EQ(*m.iss.read_csr(csr::mtval), 0u);
  EXPECT_EQ(steps, 21) << "taken before the instruction at mtime 20";
}

TEST(Rv32Iss, ExternalBeforeTimer) {
  Machine m({lui(1, 0x20000), s_type(0x18, 0, 1, 2), s_type(0x1C, 0, 1, 2), addi(2, 0, 1), s_type(8, 2, 1, 2), lui(3, 1),
             addi(3, 3, -0x780), csr_i(1, 0, csr::mie, 3), addi(4, 0, 0x100), csr_i(1, 0, csr::mtvec, 4), csr_i(6, 0, csr::mstatus, 8),
             addi(0, 0, 0)});
  m.load(0x100, {addi(5, 0, 1)});
  const auto r = m.run(12);
  EXPECT_TRUE(r.intr);
  EXPECT_EQ(*m.iss.read_csr(csr::mcause), 0x8000000Bu);
  EXPECT_EQ(*m.iss.read_csr(csr::mip), 0x880u);
}

TEST(Rv32Iss, WfiWaitsForTheTimerOrEndsTheRun) {
  Machine m({lui(1, 0x20000), addi(2, 0, 1000), s_type(0x1C, 0, 1, 2), s_type(0x18, 2, 1, 2), addi(3, 0, 0x80), csr_i(1, 0, csr::mie, 3),
             kWfi, addi(5, 0, 5)});
  m.run(7);
  EXPECT_EQ(m.iss.mtime(), 1000u);
  EXPECT_EQ(m.iss.mcycle(), 1000u);
  EXPECT_FALSE(m.iss.exit());
  Machine n({kWfi});
  n.iss.step();
  ASSERT_TRUE(n.iss.exit());
  EXPECT_EQ(n.iss.exit()->kind, Exit::Kind::error);
}

TEST(Rv32Iss, ConsoleExitAndTohost) {
  Machine m({lui(1, 0x20000), addi(2, 0, 'h'), s_type(0, 2, 1, 0), addi(2, 0, 'i'), s_type(0, 2, 1, 2), i_type(0, 1, 2, 3, 0x03),
             addi(2, 0, 6), s_type(4, 2, 1, 2)});
  m.run(8);
  EXPECT_EQ(m.iss.console(), "hi");
  EXPECT_EQ(m.iss.reg(3), 0u);
  ASSERT_TRUE(m.iss.exit());
  EXPECT_FALSE(m.iss.exit()->pass());
  EXPECT_EQ(m.iss.exit()->value, 6u);

  Machine t({lui(1, 0x10000), addi(2, 0, (3 << 1) | 1), s_type(8, 2, 1, 2)});
  t.iss.set_tohost(0x10000008);
  t.run(3);
  ASSERT_TRUE(t.iss.exit());
  EXPECT_EQ(t.iss.exit()->kind, Exit::Kind::tohost);
  EXPECT_EQ(t.iss.exit()->describe(), "fail with code 3 (tohost = 0x00000007)");
  EXPECT_TRUE((Exit{Exit::Kind::tohost, 1, {}}.pass()));
  EXPECT_FALSE((Exit{Exit::Kind::tohost, 2, {}}.pass()));
}

TEST(Rv32Iss, MtimeRegistersReadWrite) {
  Machine m({lui(1, 0x20000), addi(2, 0, 50), s_type(0x10, 2, 1, 2), i_type(0x10, 1, 2, 3, 0x03), i_type(0x1C, 1, 2, 4, 0x03)});
  m.run(5);
  EXPECT_EQ(m.iss.reg(3), 50u) << "the store replaces that cycle's increment";
  EXPECT_EQ(m.iss.reg(4), 0xFFFFFFFFu) << "mtimecmph resets to all ones";
}

TEST(Rv32Lockstep, TimingValuesComeFromTheCore) {
  Machine m({csr_i(2, 1, csr::mcycle, 0), csr_i(2, 2, csr::mip, 0), lui(3, 0x20000), i_type(0x10, 3, 2, 4, 0x03)});
  Retirement core;
  core.order = 0;
  core.rd_wdata = 1234;
  auto r = m.iss.step_lockstep(core);
  EXPECT_EQ(r.rd_wdata, 1234u);
  core.order = 1;
  core.rd_wdata = kMipMtip;
  r = m.iss.step_lockstep(core);
  EXPECT_EQ(r.rd_wdata, kMipMtip);
  core = {};
  m.iss.step_lockstep(core);
  core.mem_rdata = 777;
  r = m.iss.step_lockstep(core);
  EXPECT_EQ(r.rd_wdata, 777u);
  EXPECT_EQ(r.mem_rdata, 777u);
}

TEST(Rv32Lockstep, InterruptInjection) {
  Machine m({addi(1, 0, 0x80), csr_i(1, 0, csr::mie, 1), addi(2, 0, 0x100), csr_i(1, 0, csr::mtvec, 2), addi(0, 0, 0), addi(0, 0, 0)});
  m.load(0x100, {addi(5, 0, 1)});
  Retirement core;
  for (int k = 0; k < 4; ++k) m.iss.step_lockstep(core);
  core.intr = true;
  core.ext_mip = kMipMtip;
  EXPECT_THROW(m.iss.step_lockstep(core), LockstepError) << "mstatus.MIE = 0";
  Machine n({addi(1, 0, 0x80), csr_i(1, 0, csr::mie, 1), addi(2, 0, 0x100), csr_i(1, 0, csr::mtvec, 2), csr_i(6, 0, csr::mstatus, 8),
             addi(0, 0, 0)});
  n.load(0x100, {addi(5, 0, 1)});
  core = {};
  for (int k = 0; k < 5; ++k) n.iss.step_lockstep(core);
  core.intr = true;
  core.ext_mip = kMipMeip;
  EXPECT_THROW(n.iss.step_lockstep(core), LockstepError) << "MEIP pending but not enabled";
  core.ext_mip = kMipMtip | kMipMeip;
  const auto r = n.iss.step_lockstep(core);
  EXPECT_TRUE(r.intr);
  EXPECT_EQ(r.pc_rdata, 0x100u);
  EXPECT_EQ(*n.iss.read_csr(csr::mcause), 0x80000007u);
  EXPECT_EQ(*n.iss.read_csr(csr::mepc), 20u);
}

TEST(Rv32Lockstep, CompareNamesTheFirstDifference) {
  Machine m({addi(1, 0, 5)});
  const auto r = m.iss.step();
  EXPECT_FALSE(compare(r, r));
  Retirement core = r;
  core.rd_wdata = 4;
  const auto msg = compare(r, core, &m.iss);
  ASSERT_TRUE(msg);
  EXPECT_NE(msg->find("rd_wdata"), std::string::npos) << *msg;
  EXPECT_NE(msg->find("addi ra, zero, 5"), std::string::npos) << *msg;
  EXPECT_EQ(msg->find("pc_wdata "), std::string::npos) << *msg;
  core = r;
  core.rs1_rdata = 9;  // not compared
  EXPECT_FALSE(compare(r, core));
}

// The legal (opcode, funct3, funct7) combinations, written out from the spec
// tables independently of the decoder, against decode() over every
// combination (rs/rd fields zero, other fields chosen to be legal).
TEST(Rv32Decode, LegalFormatsExactly) {
  for (bool has_m : {false, true}) {
    for (std::uint32_t opc = 0; opc < 128; ++opc) {
      for (std::uint32_t f3 = 0; f3 < 8; ++f3) {
        for (std::uint32_t f7 : {0u, 1u, 0x20u, 0x7Fu}) {
          const std::uint32_t insn = (f7 << 25) | (f3 << 12) | opc;
          bool legal = false;
          switch (opc) {
            case 0x37: case 0x17: case 0x6F: legal = true; break;
            case 0x67: legal = f3 == 0; break;
            case 0x63: legal = f3 != 2 && f3 != 3; break;
            case 0x03: legal = f3 != 3 && f3 < 6; break;
            case 0x23: legal = f3 < 3; break;
            case 0x13: legal = f3 == 1 ? f7 == 0 : f3 == 5 ? (f7 == 0 || f7 == 0x20) : true; break;
            case 0x33: legal = f7 == 0 || (f7 == 0x20 && (f3 == 0 || f3 == 5)) || (f7 == 1 && has_m); break;
            case 0x0F: legal = f3 == 0 || (f3 == 1 && f7 == 0); break;
            case 0x73: legal = (f3 == 0 && f7 == 0) || (f3 != 0 && f3 != 4 && f7 == 0x18) ; break;  // ecall; f7 0x18 = mstatus 0x300
            default: break;
          }
          EXPECT_EQ(decode(insn, has_m).op != Op::illegal, legal) << std::hex << "insn " << insn << " has_m " << has_m;
        }
      }
    }
  }
}

// Every CSR address: exactly the CSRs of docs/blocks/rv32.md exist, and
// the read-only ones (bits [11:10] = 11) trap only when written.
TEST(Rv32Decode, CsrAddressesExactly) {
  const std::vector<std::uint32_t> exist = {0x300, 0x301, 0x304, 0x305, 0x310, 0x340, 0x341, 0x342, 0x343,
                                            0x344, 0xB00, 0xB02, 0xB80, 0xB82, 0xF11, 0xF12, 0xF13, 0xF14};
  for (std::uint32_t a = 0; a < 4096; ++a) {
    const bool e = std::find(exist.begin(), exist.end(), a) != exist.end();
    const bool ro = (a >> 10) == 3;
    EXPECT_EQ(decode(csr_i(2, 1, a, 0), true).op != Op::illegal, e) << std::hex << a;         // csrrs x1, a, x0
    EXPECT_EQ(decode(csr_i(7, 1, a, 0), true).op != Op::illegal, e) << std::hex << a;         // csrrci x1, a, 0
    EXPECT_EQ(decode(csr_i(2, 1, a, 5), true).op != Op::illegal, e && !ro) << std::hex << a;  // csrrs x1, a, x5
    EXPECT_EQ(decode(csr_i(1, 0, a, 0), true).op != Op::illegal, e && !ro) << std::hex << a;  // csrrw x0, a, x0
    EXPECT_EQ(decode(csr_i(5, 1, a, 0), true).op != Op::illegal, e && !ro) << std::hex << a;  // csrrwi x1, a, 0
  }
}

// Random words (seed printed) against a second legality predicate written
// from the spec's tables, field by field.
TEST(Rv32Decode, RandomWordsAgreeWithTheSpecTables) {
  const std::uint64_t seed = 20261203;
  std::mt19937 rng(static_cast<std::uint32_t>(seed));
  const auto legal = [](std::uint32_t w, bool m) {
    const std::uint32_t op = w & 0x7F, f3 = (w >> 12) & 7, f7 = w >> 25, csr = w >> 20;
    switch (op) {
      case 0x37: case 0x17: case 0x6F: return true;
      case 0x67: return f3 == 0;
      case 0x63: return f3 != 2 && f3 != 3;
      case 0x03: return f3 == 0 || f3 == 1 || f3 == 2 || f3 == 4 || f3 == 5;
      case 0x23: return f3 <= 2;
      case 0x13: return f3 == 1 ? f7 == 0 : f3 == 5 ? (f7 == 0 || f7 == 0x20) : true;
      case 0x33: return f7 == 0 || (f7 == 0x20 && (f3 == 0 || f3 == 5)) || (m && f7 == 1);
      case 0x0F: return f3 == 0 || w == 0x0000100F;
      case 0x73: {
        if (f3 == 0) return w == 0x73 || w == 0x00100073 || w == 0x30200073 || w == 0x10500073;
        if (f3 == 4) return false;
        const bool e = (csr >= 0x300 && csr <= 0x305 && csr != 0x302 && csr != 0x303) || csr == 0x310 || (csr >= 0x340 && csr <= 0x344) ||
                       csr == 0xB00 || csr == 0xB02 || csr == 0xB80 || csr == 0xB82 || (csr >= 0xF11 && csr <= 0xF14);
        const bool writes = f3 == 1 || f3 == 5 || ((w >> 15) & 31) != 0;
        return e && !((csr >> 10) == 3 && writes);
      }
      default: return false;
    }
  };
  std::uint64_t legal_count = 0;
  for (int k = 0; k < 2'000'000; ++k) {
    std::uint32_t w = static_cast<std::uint32_t>(rng());
    if (k % 2) w = (w & ~0x7Fu) | std::array<std::uint32_t, 9>{0x37, 0x17, 0x6F, 0x67, 0x63, 0x03, 0x23, 0x13, 0x33}[w % 9];
    if (k % 5 == 0) {  // SYSTEM with the CSRs and their neighbours, random other fields
      static constexpr std::uint32_t near[] = {0x300, 0x301, 0x302, 0x303, 0x304, 0x305, 0x306, 0x310, 0x311, 0x33F, 0x340, 0x341,
                                               0x342, 0x343, 0x344, 0x345, 0xB00, 0xB01, 0xB02, 0xB03, 0xB80, 0xB82, 0xC00, 0xF10,
                                               0xF11, 0xF12, 0xF13, 0xF14, 0xF15, 0x000, 0x105, 0x302};
      w = (near[(w >> 20) % std::size(near)] << 20) | (w & 0x000FFF80u) | 0x73;
      if (k % 7 == 0) w &= ~(31u << 15);  // rs1 / uimm = 0: the read forms
    }
    const bool m = k % 3 != 0;
    const bool want = legal(w, m);
    legal_count += want;
    ASSERT_EQ(decode(w, m).op != Op::illegal, want) << std::hex << "insn " << w << " has_m " << m << " seed " << std::dec << seed;
  }
  EXPECT_GT(legal_count, 500'000u);
}

}  // namespace
