// Golden model of the RV32 control core: an instruction-set simulator (ISS)
// of RV32I / RV32IM with Zicsr, machine mode only, written from the RISC-V
// unprivileged and privileged specifications and docs/blocks/rv32.md, which
// fixes the memory map, the MMIO registers, the traps, the CSRs and the
// lockstep protocol. Every encoding that page does not list is illegal.
//
// One step() is one RVFI retirement: an instruction that executes, or one
// that traps (then it has no other effect). An interrupt is not a
// retirement: it is taken before an instruction, which then is the handler's
// first instruction and carries intr = 1 (as the first instruction after a
// trapping one does).
//
// Two ways to run:
//  - standalone (step()): one clock cycle per retirement. mcycle and mtime
//    advance by one per step, the ISS takes interrupts itself between
//    instructions, and WFI advances mcycle and mtime to the next timer
//    interrupt (or ends the run with an error when no enabled interrupt can
//    ever arrive).
//  - lockstep (step_lockstep(rtl)): after each retirement of the core, with
//    the core's RVFI record. The ISS takes an interrupt only when the core
//    did (rtl.intr = 1 and the ISS's previous step did not trap), checking
//    that mstatus.MIE = 1 and that rtl.ext_mip has an enabled pending bit.
//    Timing-dependent values come from the core: the value read from
//    mcycle/mcycleh and mip (rtl.rd_wdata) and the word loaded from MMIO
//    mtime/mtimeh (rtl.mem_rdata). Then compare(iss, rtl) checks the rest.
//
// Choices the documents leave open, fixed here (the core must agree):
//  - an interrupt writes mtval = 0 (as the privileged spec does);
//  - a write to mcycle(h) or minstret(h) replaces that step's increment of
//    the counter (the next instruction reads the written value); in
//    standalone mode so does a store to MMIO mtime(h);
//  - a fetch outside IMEM retires with insn = 0 and trap = 1;
//  - rs1/rs2 fields are those of the decoded format, also for a legal
//    instruction that traps (an illegal one has them 0); they are not
//    compared.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace strata::golden::rv32 {

// The memory map (docs/blocks/rv32.md).
inline constexpr std::uint32_t kImemBase = 0x0000'0000;
inline constexpr std::uint32_t kDmemBase = 0x1000'0000;
inline constexpr std::uint32_t kMmioBase = 0x2000'0000;
inline constexpr std::uint32_t kMmioBytes = 0x20;
// MMIO register offsets.
inline constexpr std::uint32_t kMmioConsole = 0x00;
inline constexpr std::uint32_t kMmioExit = 0x04;
inline constexpr std::uint32_t kMmioIrq = 0x08;
inline constexpr std::uint32_t kMmioMtime = 0x10;
inline constexpr std::uint32_t kMmioMtimeh = 0x14;
inline constexpr std::uint32_t kMmioMtimecmp = 0x18;
inline constexpr std::uint32_t kMmioMtimecmph = 0x1C;

// Exception causes (mcause) and the two interrupts.
enum class Cause : std::uint32_t {
  insn_misaligned = 0,
  insn_access_fault = 1,
  illegal_insn = 2,
  breakpoint = 3,
  load_misaligned = 4,
  load_access_fault = 5,
  store_misaligned = 6,
  store_access_fault = 7,
  ecall_m = 11,
  timer_interrupt = 0x8000'0007,
  external_interrupt = 0x8000'000B,
};

// CSR addresses.
namespace csr {
inline constexpr std::uint32_t mstatus = 0x300, misa = 0x301, mie = 0x304, mtvec = 0x305, mstatush = 0x310;
inline constexpr std::uint32_t mscratch = 0x340, mepc = 0x341, mcause = 0x342, mtval = 0x343, mip = 0x344;
inline constexpr std::uint32_t mcycle = 0xB00, minstret = 0xB02, mcycleh = 0xB80, minstreth = 0xB82;
inline constexpr std::uint32_t mvendorid = 0xF11, marchid = 0xF12, mimpid = 0xF13, mhartid = 0xF14;
}  // namespace csr
inline constexpr std::uint32_t kMstatusMie = 1u << 3, kMstatusMpie = 1u << 7, kMstatusMpp = 3u << 11;
inline constexpr std::uint32_t kMipMtip = 1u << 7, kMipMeip = 1u << 11;
// mcause keeps the interrupt bit and a 4-bit exception code (WLRL: every
// cause fits; a write keeps bits 31 and 3:0, the others read 0).
inline constexpr std::uint32_t kMcauseBits = 0x8000'000Fu;

// What the ISS is built for: the rv32 config section, as plain numbers (the
// golden library does not depend on the config schema).
struct IssParams {
  bool has_m = true;               // rv32im
  std::uint32_t reset_vector = 0;  // inside IMEM, 4-byte aligned
  std::uint32_t imem_bytes = 16384;
  std::uint32_t dmem_bytes = 16384;
};

// One retirement, with riscv-formal's RVFI field names (without `rvfi_`).
struct Retirement {
  std::uint64_t order = 0;
  std::uint32_t insn = 0;
  std::uint32_t pc_rdata = 0, pc_wdata = 0;
  bool trap = false, intr = false;
  std::uint32_t rs1_addr = 0, rs2_addr = 0, rs1_rdata = 0, rs2_rdata = 0;
  std::uint32_t rd_addr = 0, rd_wdata = 0;  // both 0 when no register (or x0) is written
  std::uint32_t mem_addr = 0;               // word aligned
  std::uint32_t mem_rmask = 0, mem_wmask = 0;
  std::uint32_t mem_rdata = 0;  // the whole word read
  std::uint32_t mem_wdata = 0;  // the store data in its lanes, 0 elsewhere
  std::uint32_t ext_mip = 0;    // the mip value used to take the interrupt before this instruction
  bool operator==(const Retirement&) const = default;
};

// How a program ended: a store to the MMIO exit register (exit code, 0 =
// pass), a store to `tohost` (1 = pass, (n << 1) | 1 = fail with code n,
// else unknown), or an error of the ISS itself (WFI that can never wake).
struct Exit {
  enum class Kind { exit_register, tohost, error } kind = Kind::exit_register;
  std::uint32_t value = 0;  // the word stored
  std::string message;      // for Kind::error
  bool pass() const;
  std::string describe() const;  // "pass (tohost = 1)", "fail with code 3 (tohost = 0x00000007)", ...
};

// The lockstep protocol broken by the core (an interrupt the ISS cannot take).
class LockstepError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Iss {
 public:
  explicit Iss(const IssParams& p);

  // Back to the reset state (registers 0, CSRs at reset, pc = reset vector,
  // MMIO at reset, no exit); memories keep their contents.
  void reset();

  // Writes bytes into IMEM or DMEM (a program loader's path, not a store).
  // False, writing nothing, when [addr, addr + bytes.size()) is not inside
  // one of the two memories.
  bool write_memory(std::uint32_t addr, std::span<const std::uint8_t> bytes);
  // Reads one aligned word of IMEM or DMEM, for tests and loaders.
  std::optional<std::uint32_t> read_word(std::uint32_t addr) const;

  // The address of the `tohost` word (none: only the exit register ends a run).
  void set_tohost(std::optional<std::uint32_t> addr) { tohost_ = addr; }
  // The system's irq_ext_i input (standalone runs; ORed with MMIO irq bit 0).
  void set_irq_ext(bool level) { irq_ext_ = level; }

  // Standalone: takes a pending enabled interrupt, then executes one
  // instruction (one cycle).
  Retirement step();
  // Lockstep with the core's record `rtl` of the same retirement (see top).
  // Throws LockstepError when rtl asks for an interrupt the ISS cannot take.
  Retirement step_lockstep(const Retirement& rtl);
  // The lockstep protocol's interrupt entry, for callers that drive it
  // themselves: checks mstatus.MIE and mip & mie for the core's mip, takes
  // the highest-priority pending interrupt (external before timer) before
  // the next instruction. Throws LockstepError when it cannot.
  void take_interrupt(std::uint32_t mip);

  // Set once the program has ended (a store to exit or tohost, or an error);
  // step() keeps executing if called again.
  const std::optional<Exit>& exit() const { return exit_; }

  // Architectural state, for tests and for printing.
  std::uint32_t pc() const { return pc_; }
  std::uint32_t reg(unsigned i) const { return x_[i & 31]; }
  void set_reg(unsigned i, std::uint32_t v) {
    if ((i & 31) != 0) x_[i & 31] = v;
  }
  void set_pc(std::uint32_t pc) { pc_ = pc; }
  // A CSR's value as a CSR read would see it (nullopt: no such CSR).
  std::optional<std::uint32_t> read_csr(std::uint32_t addr) const;
  std::uint64_t mcycle() const { return mcycle_; }
  std::uint64_t minstret() const { return minstret_; }
  std::uint64_t mtime() const { return mtime_; }
  std::uint64_t mtimecmp() const { return mtimecmp_; }
  std::uint32_t mip() const;  // MTIP and MEIP from the ISS's own timer and lines
  std::uint64_t retirements() const { return order_; }
  // Clock cycles of a standalone run (one per step, plus WFI waits),
  // whatever the program writes to mcycle or mtime.
  std::uint64_t cycles() const { return cycles_; }
  // Retirements that did not trap, whatever the program writes to minstret.
  std::uint64_t instructions() const { return instructions_; }
  const IssParams& params() const { return p_; }
  // Console bytes written so far (also printed to stdout when echo is on).
  const std::string& console() const { return console_; }
  void set_console_echo(bool on) { echo_ = on; }

  // Registers, pc and CSRs, one block of text.
  std::string format_state() const;

 private:
  struct Timing;  // values taken from the core in lockstep
  Retirement execute(const Timing* t);
  void enter_trap(std::uint32_t cause, std::uint32_t tval);
  bool csr_exists(std::uint32_t addr) const;
  // A CSR instruction; false when it is illegal.
  bool csr_op(std::uint32_t insn, Retirement& r, const Timing* t);
  std::uint32_t mmio_load(std::uint32_t off, const Timing* t) const;
  void mmio_store(std::uint32_t off, std::uint32_t data, std::uint32_t wmask);
  void wfi_wait();

  IssParams p_;
  std::vector<std::uint8_t> imem_, dmem_;
  std::array<std::uint32_t, 32> x_{};
  std::uint32_t pc_ = 0;
  std::uint32_t mstatus_ = 0, mie_ = 0, mtvec_ = 0, mscratch_ = 0, mepc_ = 0, mcause_ = 0, mtval_ = 0;
  std::uint64_t mcycle_ = 0, minstret_ = 0, order_ = 0, cycles_ = 0, instructions_ = 0;
  bool cycle_written_ = false, instret_written_ = false, mtime_written_ = false;
  std::uint64_t mtime_ = 0, mtimecmp_ = ~0ull;
  bool irq_sw_ = false, irq_ext_ = false;
  bool intr_next_ = false;      // the next retirement is a handler's first instruction
  std::uint32_t intr_mip_ = 0;  // ext_mip for it
  std::optional<std::uint32_t> tohost_;
  std::optional<Exit> exit_;
  std::string console_;
  bool echo_ = false;
};

// Compares the ISS's record with the core's on what the lockstep protocol
// checks: order, pc_rdata, insn, trap, intr, rd_addr, rd_wdata, pc_wdata and
// the memory access (mem_addr, masks, data). nullopt when they agree, else a
// message naming every differing field with both records side by side (and
// the ISS's state when `iss` is given).
std::optional<std::string> compare(const Retirement& iss_record, const Retirement& rtl_record, const Iss* iss = nullptr);

// One lockstep step: step_lockstep(rtl) then compare(). nullopt when the
// ISS agrees with the core's record, else the message to stop the run with
// (a mismatch with both records and the ISS's state, or the LockstepError).
std::optional<std::string> lockstep_check(Iss& iss, const Retirement& rtl_record);

// One record as text ("order 12 pc 00000040 insn 00a50533 add a0,a0,a0 ...").
std::string format(const Retirement& r);

// The instruction in assembler syntax ("addi a0, zero, 5"; "illegal" for an
// encoding the core does not implement with has_m).
std::string disassemble(std::uint32_t insn, bool has_m = true);

}  // namespace strata::golden::rv32
