#include "golden/rv32_iss.h"

#include <cstdio>

#include <fmt/format.h>

#include "golden/rv32_decode.h"

namespace strata::golden::rv32 {

struct Iss::Timing {
  std::uint32_t csr_rdata;   // the core's rd_wdata: mcycle(h) and mip reads
  std::uint32_t mmio_rdata;  // the core's mem_rdata: MMIO mtime(h) loads
};

bool Exit::pass() const {
  switch (kind) {
    case Kind::exit_register: return value == 0;
    case Kind::tohost: return value == 1;
    case Kind::error: return false;
  }
  return false;
}

std::string Exit::describe() const {
  switch (kind) {
    case Kind::exit_register:
      return value == 0 ? "pass (exit register)" : fmt::format("fail with exit code {} (exit register)", value);
    case Kind::tohost:
      if (value == 1) return "pass (tohost = 1)";
      if (value & 1) return fmt::format("fail with code {} (tohost = 0x{:08x})", value >> 1, value);
      return fmt::format("fail: unknown tohost value 0x{:08x}", value);
    case Kind::error: return "error: " + message;
  }
  return {};
}

Iss::Iss(const IssParams& p) : p_(p), imem_(p.imem_bytes, 0), dmem_(p.dmem_bytes, 0) { reset(); }

void Iss::reset() {
  x_.fill(0);
  pc_ = p_.reset_vector;
  mstatus_ = mie_ = mtvec_ = mscratch_ = mepc_ = mcause_ = mtval_ = 0;
  mcycle_ = minstret_ = order_ = cycles_ = instructions_ = 0;
  cycle_written_ = instret_written_ = mtime_written_ = false;
  mtime_ = 0;
  mtimecmp_ = ~0ull;
  irq_sw_ = false;
  intr_next_ = false;
  intr_mip_ = 0;
  exit_.reset();
  console_.clear();
}

bool Iss::write_memory(std::uint32_t addr, std::span<const std::uint8_t> bytes) {
  const std::uint64_t a = addr, n = bytes.size();
  std::vector<std::uint8_t>* mem = nullptr;
  std::uint64_t base = 0;
  if (a >= kImemBase && a + n <= kImemBase + std::uint64_t{p_.imem_bytes}) {
    mem = &imem_;
    base = kImemBase;
  } else if (a >= kDmemBase && a + n <= kDmemBase + std::uint64_t{p_.dmem_bytes}) {
    mem = &dmem_;
    base = kDmemBase;
  } else {
    return false;
  }
  for (std::uint64_t k = 0; k < n; ++k) (*mem)[a - base + k] = bytes[k];
  return true;
}

namespace {
std::uint32_t word_at(const std::vector<std::uint8_t>& m, std::uint32_t off) {
  return std::uint32_t{m[off]} | (std::uint32_t{m[off + 1]} << 8) | (std::uint32_t{m[off + 2]} << 16) | (std::uint32_t{m[off + 3]} << 24);
}
bool inside(std::uint32_t addr, std::uint32_t base, std::uint32_t bytes) {
  return addr >= base && addr - base < bytes;
}
std::uint32_t lanes(std::uint32_t mask) {  // byte mask -> bit mask
  std::uint32_t m = 0;
  for (int b = 0; b < 4; ++b)
    if (mask & (1u << b)) m |= 0xFFu << (8 * b);
  return m;
}
std::uint64_t set_half(std::uint64_t v, bool high, std::uint32_t word) {
  return high ? (v & 0xFFFF'FFFFull) | (std::uint64_t{word} << 32) : (v & ~0xFFFF'FFFFull) | word;
}
}  // namespace

std::optional<std::uint32_t> Iss::read_word(std::uint32_t addr) const {
  if (addr & 3) return std::nullopt;
  if (inside(addr, kImemBase, p_.imem_bytes)) return word_at(imem_, addr - kImemBase);
  if (inside(addr, kDmemBase, p_.dmem_bytes)) return word_at(dmem_, addr - kDmemBase);
  return std::nullopt;
}

std::uint32_t Iss::mip() const {
  return (mtime_ >= mtimecmp_ ? kMipMtip : 0) | (irq_sw_ || irq_ext_ ? kMipMeip : 0);
}

bool Iss::csr_exists(std::uint32_t addr) const { return rv32::csr_exists(addr); }

std::optional<std::uint32_t> Iss::read_csr(std::uint32_t a) const {
  switch (a) {
    case csr::mstatus: return (mstatus_ & (kMstatusMie | kMstatusMpie)) | kMstatusMpp;
    case csr::misa: return (1u << 30) | (1u << 8) | (p_.has_m ? 1u << 12 : 0);
    case csr::mie: return mie_;
    case csr::mtvec: return mtvec_;
    case csr::mstatush: return 0;
    case csr::mscratch: return mscratch_;
    case csr::mepc: return mepc_;
    case csr::mcause: return mcause_;
    case csr::mtval: return mtval_;
    case csr::mip: return mip();
    case csr::mcycle: return static_cast<std::uint32_t>(mcycle_);
    case csr::mcycleh: return static_cast<std::uint32_t>(mcycle_ >> 32);
    case csr::minstret: return static_cast<std::uint32_t>(minstret_);
    case csr::minstreth: return static_cast<std::uint32_t>(minstret_ >> 32);
    case csr::mvendorid: case csr::marchid: case csr::mimpid: case csr::mhartid: return 0;
    default: return std::nullopt;
  }
}

bool Iss::csr_op(std::uint32_t insn, Retirement& r, const Timing* t) {
  const Decoded d = decode(insn, p_.has_m);
  const std::uint32_t a = d.csr;
  if (!csr_exists(a)) return false;
  std::uint32_t old = *read_csr(a);
  if (t && (a == csr::mcycle || a == csr::mcycleh || a == csr::mip)) old = t->csr_rdata;
  const std::uint32_t src = d.uses_rs1 ? x_[d.rs1] : static_cast<std::uint32_t>(d.imm);
  std::uint32_t v = src;
  if (d.op == Op::csrrs || d.op == Op::csrrsi) v = old | src;
  if (d.op == Op::csrrc || d.op == Op::csrrci) v = old & ~src;
  if (csr_writes(insn)) {
    switch (a) {
      case csr::mstatus: mstatus_ = v & (kMstatusMie | kMstatusMpie); break;
      case csr::mie: mie_ = v & (kMipMtip | kMipMeip); break;
      case csr::mtvec: mtvec_ = v & ~3u; break;
      case csr::mscratch: mscratch_ = v; break;
      case csr::mepc: mepc_ = v & ~3u; break;
      case csr::mcause: mcause_ = v & kMcauseBits; break;
      case csr::mtval: mtval_ = v; break;
      case csr::mcycle: mcycle_ = set_half(mcycle_, false, v); cycle_written_ = true; break;
      case csr::mcycleh: mcycle_ = set_half(mcycle_, true, v); cycle_written_ = true; break;
      case csr::minstret: minstret_ = set_half(minstret_, false, v); instret_written_ = true; break;
      case csr::minstreth: minstret_ = set_half(minstret_, true, v); instret_written_ = true; break;
      default: break;  // misa, mstatush, mip: writes ignored
    }
  }
  if (d.rd != 0) {
    x_[d.rd] = old;
    r.rd_addr = d.rd;
    r.rd_wdata = old;
  }
  return true;
}

std::uint32_t Iss::mmio_load(std::uint32_t off, const Timing* t) const {
  switch (off) {
    case kMmioIrq: return irq_sw_ ? 1u : 0u;
    case kMmioMtime: return t ? t->mmio_rdata : static_cast<std::uint32_t>(mtime_);
    case kMmioMtimeh: return t ? t->mmio_rdata : static_cast<std::uint32_t>(mtime_ >> 32);
    case kMmioMtimecmp: return static_cast<std::uint32_t>(mtimecmp_);
    case kMmioMtimecmph: return static_cast<std::uint32_t>(mtimecmp_ >> 32);
    default: return 0;  // console, exit, 0x0C
  }
}

void Iss::mmio_store(std::uint32_t off, std::uint32_t data, std::uint32_t wmask) {
  const std::uint32_t m = lanes(wmask);
  const auto merge = [&](std::uint32_t old) { return (old & ~m) | (data & m); };
  switch (off) {
    case kMmioConsole:
      if (wmask & 1) {
        const char ch = static_cast<char>(data & 0xFF);
        console_ += ch;
        if (echo_) std::fputc(ch, stdout);
      }
      break;
    case kMmioExit:
      if (!exit_) exit_ = Exit{Exit::Kind::exit_register, merge(0), {}};
      break;
    case kMmioIrq:
      if (wmask & 1) irq_sw_ = (data & 1) != 0;
      break;
    case kMmioMtime:
    case kMmioMtimeh:
      mtime_ = set_half(mtime_, off == kMmioMtimeh, merge(mmio_load(off, nullptr)));
      mtime_written_ = true;
      break;
    case kMmioMtimecmp:
    case kMmioMtimecmph:
      mtimecmp_ = set_half(mtimecmp_, off == kMmioMtimecmph, merge(mmio_load(off, nullptr)));
      break;
    default: break;
  }
}

void Iss::enter_trap(std::uint32_t cause, std::uint32_t tval) {
  mepc_ = pc_;
  mcause_ = cause;
  mtval_ = tval;
  mstatus_ = (mstatus_ & kMstatusMie ? kMstatusMpie : 0);
  pc_ = mtvec_;
}

void Iss::take_interrupt(std::uint32_t mip_value) {
  if (!(mstatus_ & kMstatusMie))
    throw LockstepError(fmt::format("the core took an interrupt before pc 0x{:08x} with mstatus.MIE = 0", pc_));
  const std::uint32_t pending = mip_value & mie_ & (kMipMtip | kMipMeip);
  if (!pending)
    throw LockstepError(fmt::format("the core took an interrupt before pc 0x{:08x} with mip 0x{:08x} and mie 0x{:08x}: none is pending and enabled",
                                    pc_, mip_value, mie_));
  enter_trap(static_cast<std::uint32_t>(pending & kMipMeip ? Cause::external_interrupt : Cause::timer_interrupt), 0);
  intr_next_ = true;
  intr_mip_ = mip_value;
}

Retirement Iss::step() {
  if (mstatus_ & kMstatusMie) {
    const std::uint32_t m = mip();
    if (m & mie_) take_interrupt(m);
  }
  Retirement r = execute(nullptr);
  if (r.insn == 0x10500073 && !r.trap) wfi_wait();
  return r;
}

Retirement Iss::step_lockstep(const Retirement& rtl) {
  if (rtl.intr && !intr_next_) take_interrupt(rtl.ext_mip);
  const Timing t{rtl.rd_wdata, rtl.mem_rdata};
  return execute(&t);
}

void Iss::wfi_wait() {
  if (mip() & mie_) return;
  if ((mie_ & kMipMtip) && mtimecmp_ > mtime_) {
    const std::uint64_t wait = mtimecmp_ - mtime_;
    mtime_ += wait;
    mcycle_ += wait;
    cycles_ += wait;
    return;
  }
  if (!exit_)
    exit_ = Exit{Exit::Kind::error, 0,
                 fmt::format("WFI at pc 0x{:08x} with mie 0x{:08x}: no enabled interrupt can arrive", pc_ - 4, mie_)};
}

Retirement Iss::execute(const Timing* t) {
  Retirement r;
  r.order = order_++;
  r.pc_rdata = pc_;
  r.intr = intr_next_;
  r.ext_mip = intr_next_ ? intr_mip_ : 0;
  intr_next_ = false;
  intr_mip_ = 0;
  cycle_written_ = instret_written_ = mtime_written_ = false;

  const auto trap = [&](Cause c, std::uint32_t tval) {
    r.rd_addr = r.rd_wdata = 0;
    r.mem_addr = r.mem_rmask = r.mem_wmask = r.mem_rdata = r.mem_wdata = 0;
    r.trap = true;
    enter_trap(static_cast<std::uint32_t>(c), tval);
    r.pc_wdata = pc_;
    intr_next_ = true;
  };
  const auto finish = [&]() {
    if (!cycle_written_) ++mcycle_;
    if (!mtime_written_) ++mtime_;
    if (!instret_written_ && !r.trap) ++minstret_;
    ++cycles_;
    if (!r.trap) ++instructions_;
  };

  if (!inside(pc_, kImemBase, p_.imem_bytes) || p_.imem_bytes - (pc_ - kImemBase) < 4) {
    trap(Cause::insn_access_fault, pc_);
    finish();
    return r;
  }
  const std::uint32_t insn = word_at(imem_, pc_ - kImemBase);
  r.insn = insn;
  const Decoded d = decode(insn, p_.has_m);
  if (d.op == Op::illegal) {
    trap(Cause::illegal_insn, insn);
    finish();
    return r;
  }
  if (d.uses_rs1) {
    r.rs1_addr = d.rs1;
    r.rs1_rdata = x_[d.rs1];
  }
  if (d.uses_rs2) {
    r.rs2_addr = d.rs2;
    r.rs2_rdata = x_[d.rs2];
  }
  const std::uint32_t a = x_[d.rs1], b = x_[d.rs2];
  const auto sa = static_cast<std::int32_t>(a), sb = static_cast<std::int32_t>(b);
  const auto imm = static_cast<std::uint32_t>(d.imm);
  std::uint32_t next = pc_ + 4;
  std::optional<std::uint32_t> result;  // the rd value
  const auto jump = [&](std::uint32_t target) -> bool {
    if (target & 3) {
      trap(Cause::insn_misaligned, target);
      return false;
    }
    next = target;
    return true;
  };
  const auto mulh = [](std::int64_t x, std::int64_t y) { return static_cast<std::uint32_t>(static_cast<std::uint64_t>(x * y) >> 32); };

  switch (d.op) {
    case Op::lui: result = imm; break;
    case Op::auipc: result = pc_ + imm; break;
    case Op::jal:
      if (!jump(pc_ + imm)) break;
      result = pc_ + 4;
      break;
    case Op::jalr:
      if (!jump((a + imm) & ~1u)) break;
      result = pc_ + 4;
      break;
    case Op::beq: if (a == b) jump(pc_ + imm); break;
    case Op::bne: if (a != b) jump(pc_ + imm); break;
    case Op::blt: if (sa < sb) jump(pc_ + imm); break;
    case Op::bge: if (sa >= sb) jump(pc_ + imm); break;
    case Op::bltu: if (a < b) jump(pc_ + imm); break;
    case Op::bgeu: if (a >= b) jump(pc_ + imm); break;
    case Op::lb: case Op::lh: case Op::lw: case Op::lbu: case Op::lhu: {
      const std::uint32_t addr = a + imm;
      const std::uint32_t size = d.op == Op::lw ? 4 : (d.op == Op::lh || d.op == Op::lhu) ? 2 : 1;
      if (addr & (size - 1)) {
        trap(Cause::load_misaligned, addr);
        break;
      }
      const std::uint32_t word_addr = addr & ~3u, sh = 8 * (addr & 3);
      std::uint32_t word;
      if (inside(addr, kDmemBase, p_.dmem_bytes)) word = word_at(dmem_, word_addr - kDmemBase);
      else if (inside(addr, kMmioBase, kMmioBytes)) word = mmio_load(word_addr - kMmioBase, t);
      else {
        trap(Cause::load_access_fault, addr);
        break;
      }
      r.mem_addr = word_addr;
      r.mem_rmask = ((1u << size) - 1) << (addr & 3);
      r.mem_rdata = word;
      const std::uint32_t v = word >> sh;
      switch (d.op) {
        case Op::lb: result = static_cast<std::uint32_t>(static_cast<std::int32_t>(v << 24) >> 24); break;
        case Op::lh: result = static_cast<std::uint32_t>(static_cast<std::int32_t>(v << 16) >> 16); break;
        case Op::lbu: result = v & 0xFF; break;
        case Op::lhu: result = v & 0xFFFF; break;
        default: result = v; break;
      }
      break;
    }
    case Op::sb: case Op::sh: case Op::sw: {
      const std::uint32_t addr = a + imm;
      const std::uint32_t size = d.op == Op::sw ? 4 : d.op == Op::sh ? 2 : 1;
      if (addr & (size - 1)) {
        trap(Cause::store_misaligned, addr);
        break;
      }
      const bool dmem = inside(addr, kDmemBase, p_.dmem_bytes), mmio = inside(addr, kMmioBase, kMmioBytes);
      if (!dmem && !mmio) {
        trap(Cause::store_access_fault, addr);
        break;
      }
      const std::uint32_t word_addr = addr & ~3u;
      r.mem_addr = word_addr;
      r.mem_wmask = ((1u << size) - 1) << (addr & 3);
      r.mem_wdata = (b << (8 * (addr & 3))) & lanes(r.mem_wmask);
      if (mmio) {
        mmio_store(word_addr - kMmioBase, r.mem_wdata, r.mem_wmask);
        break;
      }
      for (std::uint32_t k = 0; k < 4; ++k)
        if (r.mem_wmask & (1u << k)) dmem_[word_addr - kDmemBase + k] = static_cast<std::uint8_t>(r.mem_wdata >> (8 * k));
      if (tohost_ && (*tohost_ & ~3u) == word_addr && !exit_)
        exit_ = Exit{Exit::Kind::tohost, word_at(dmem_, word_addr - kDmemBase), {}};
      break;
    }
    case Op::addi: result = a + imm; break;
    case Op::slti: result = sa < d.imm ? 1 : 0; break;
    case Op::sltiu: result = a < imm ? 1 : 0; break;
    case Op::xori: result = a ^ imm; break;
    case Op::ori: result = a | imm; break;
    case Op::andi: result = a & imm; break;
    case Op::slli: result = a << (imm & 31); break;
    case Op::srli: result = a >> (imm & 31); break;
    case Op::srai: result = static_cast<std::uint32_t>(sa >> (imm & 31)); break;
    case Op::add: result = a + b; break;
    case Op::sub: result = a - b; break;
    case Op::sll: result = a << (b & 31); break;
    case Op::slt: result = sa < sb ? 1 : 0; break;
    case Op::sltu: result = a < b ? 1 : 0; break;
    case Op::xor_: result = a ^ b; break;
    case Op::srl: result = a >> (b & 31); break;
    case Op::sra: result = static_cast<std::uint32_t>(sa >> (b & 31)); break;
    case Op::or_: result = a | b; break;
    case Op::and_: result = a & b; break;
    case Op::mul: result = a * b; break;
    case Op::mulh: result = mulh(sa, sb); break;
    case Op::mulhsu: result = mulh(sa, static_cast<std::int64_t>(b)); break;
    case Op::mulhu: result = static_cast<std::uint32_t>((std::uint64_t{a} * b) >> 32); break;
    // Division by zero and overflow as the M extension defines them.
    case Op::div:
      result = b == 0 ? ~0u : (a == 0x8000'0000u && b == ~0u) ? a : static_cast<std::uint32_t>(sa / sb);
      break;
    case Op::divu: result = b == 0 ? ~0u : a / b; break;
    case Op::rem:
      result = b == 0 ? a : (a == 0x8000'0000u && b == ~0u) ? 0 : static_cast<std::uint32_t>(sa % sb);
      break;
    case Op::remu: result = b == 0 ? a : a % b; break;
    case Op::fence: case Op::fence_i: case Op::wfi: break;
    case Op::ecall: trap(Cause::ecall_m, 0); break;
    case Op::ebreak: trap(Cause::breakpoint, 0); break;
    case Op::mret:
      next = mepc_;
      mstatus_ = kMstatusMpie | (mstatus_ & kMstatusMpie ? kMstatusMie : 0);
      break;
    case Op::csrrw: case Op::csrrs: case Op::csrrc: case Op::csrrwi: case Op::csrrsi: case Op::csrrci:
      csr_op(insn, r, t);
      break;
    case Op::illegal: break;
  }
  if (!r.trap) {
    if (result && d.rd != 0) {
      x_[d.rd] = *result;
      r.rd_addr = d.rd;
      r.rd_wdata = *result;
    }
    pc_ = next;
    r.pc_wdata = next;
  }
  finish();
  return r;
}

}  // namespace strata::golden::rv32
