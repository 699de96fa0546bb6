#include "rv32_random.h"

#include <algorithm>
#include <random>

#include <fmt/format.h>

#include "golden/rv32_decode.h"

namespace strata::rv32_random {

namespace {

namespace rv = golden::rv32;

constexpr std::uint32_t kWin = 8, kMmio = 9, kLoop = 18, kJump = 19, kScratch = 30, kTraps = 31;
// The registers random instructions write.
constexpr std::uint32_t kPool[] = {1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29};

std::uint32_t r_type(std::uint32_t f7, std::uint32_t rs2, std::uint32_t rs1, std::uint32_t f3, std::uint32_t rd, std::uint32_t op) {
  return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
std::uint32_t i_type(std::int32_t imm, std::uint32_t rs1, std::uint32_t f3, std::uint32_t rd, std::uint32_t op) {
  return (static_cast<std::uint32_t>(imm & 0xFFF) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
std::uint32_t s_type(std::int32_t imm, std::uint32_t rs2, std::uint32_t rs1, std::uint32_t f3) {
  const auto u = static_cast<std::uint32_t>(imm);
  return (((u >> 5) & 0x7F) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((u & 31) << 7) | 0x23;
}
std::uint32_t b_type(std::int32_t imm, std::uint32_t rs2, std::uint32_t rs1, std::uint32_t f3) {
  const auto u = static_cast<std::uint32_t>(imm);
  return (((u >> 12) & 1) << 31) | (((u >> 5) & 0x3F) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (((u >> 1) & 0xF) << 8) |
         (((u >> 11) & 1) << 7) | 0x63;
}
std::uint32_t u_type(std::uint32_t imm20, std::uint32_t rd, std::uint32_t op) { return ((imm20 & 0xFFFFF) << 12) | (rd << 7) | op; }
std::uint32_t j_type(std::int32_t imm, std::uint32_t rd) {
  const auto u = static_cast<std::uint32_t>(imm);
  return (((u >> 20) & 1) << 31) | (((u >> 1) & 0x3FF) << 21) | (((u >> 11) & 1) << 20) | (((u >> 12) & 0xFF) << 12) | (rd << 7) | 0x6F;
}
std::uint32_t csr_type(std::uint32_t f3, std::uint32_t rd, std::uint32_t csr, std::uint32_t rs1) {
  return (csr << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x73;
}

class Generator {
 public:
  Generator(const rv::IssParams& p, const Options& o) : p_(p), o_(o), rng_(o.seed) {}

  Program run() {
    prog_.text_base = p_.reset_vector;
    // The window x8 points into: the lower half of DMEM, at most 4 KiB;
    // tohost is the word after it.
    window_ = std::min<std::uint32_t>(p_.dmem_bytes / 2, 4096);
    prog_.tohost = rv::kDmemBase + window_;
    prog_.data.resize(window_ + 4);
    for (std::uint32_t k = 0; k < window_; ++k) prog_.data[k] = static_cast<std::uint8_t>(rng_());

    // Prologue: the trap handler's address in mtvec, base registers, random registers.
    const std::size_t mtvec_at = prog_.text.size();
    li(kScratch, 0, "mtvec: the trap handler (patched below)");
    emit(csr_type(1, 0, rv::csr::mtvec, kScratch), "");
    li(kWin, rv::kDmemBase + window_ / 2, "x8: the centre of the DMEM window");
    li(kMmio, rv::kMmioBase, "x9: MMIO");
    li(kTraps, 0, "x31: traps taken");
    for (auto r : kPool) li(r, static_cast<std::uint32_t>(rng_()), "");
    const std::size_t jump_at = prog_.text.size();
    emit(0, "jump over the handler (patched below)");
    // The handler: skip the trapping instruction, count it.
    const std::uint32_t handler = pc();
    emit(csr_type(2, kScratch, rv::csr::mepc, 0), "trap handler: skip the instruction, count the trap");
    emit(i_type(4, kScratch, 0, kScratch, 0x13), "");
    emit(csr_type(1, 0, rv::csr::mepc, kScratch), "");
    emit(i_type(1, kTraps, 0, kTraps, 0x13), "");
    emit(0x30200073, "");
    patch_li(mtvec_at, kScratch, handler);
    prog_.text[jump_at] = j_type(static_cast<std::int32_t>(4 * (prog_.text.size() - jump_at)), 0);

    for (int b = 0; b < o_.blocks; ++b) {
      if (uniform(0, 3) == 0)
        loop();
      else
        straight(static_cast<int>(uniform(4, 30)));
    }
    // Epilogue: tohost = 1.
    li(kScratch, prog_.tohost, "the end: tohost = 1");
    emit(i_type(1, 0, 0, kJump, 0x13), "");
    emit(s_type(0, kJump, kScratch, 2), "");
    emit(j_type(0, 0), "");
    return prog_;
  }

 private:
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) { return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_); }
  std::uint32_t pc() const { return prog_.text_base + static_cast<std::uint32_t>(4 * prog_.text.size()); }
  void emit(std::uint32_t w, std::string comment) {
    prog_.text.push_back(w);
    prog_.comments.push_back(std::move(comment));
  }
  void li(std::uint32_t rd, std::uint32_t v, const std::string& comment) {
    emit(0, comment);
    emit(0, "");
    patch_li(prog_.text.size() - 2, rd, v);
  }
  void patch_li(std::size_t at, std::uint32_t rd, std::uint32_t v) {
    const std::uint32_t hi = (v + 0x800) >> 12;
    const auto lo = static_cast<std::int32_t>(v - (hi << 12));
    prog_.text[at] = u_type(hi, rd, 0x37);
    prog_.text[at + 1] = i_type(lo, rd, 0, rd, 0x13);
  }
  std::uint32_t rd() { return kPool[uniform(0, std::size(kPool) - 1)]; }
  std::uint32_t rs() { return static_cast<std::uint32_t>(uniform(0, 31)); }

  // A loop: x18 = n (1..8); body; x18 -= 1; bne x18, x0, body.
  void loop() {
    emit(i_type(static_cast<std::int32_t>(uniform(1, 8)), 0, 0, kLoop, 0x13), "loop");
    const std::size_t body = prog_.text.size();
    straight(static_cast<int>(uniform(2, 12)));
    emit(i_type(-1, kLoop, 0, kLoop, 0x13), "");
    emit(b_type(-static_cast<std::int32_t>(4 * (prog_.text.size() - body)), 0, kLoop, 1), "loop back edge");
  }

  // n slots of random instructions; control flow stays inside them. A
  // jump that would land on the jalr of an auipc/jalr pair (whose x19
  // would then be stale) lands on the instruction after it instead.
  void straight(int n) {
    const std::size_t end = prog_.text.size() + static_cast<std::size_t>(n);
    jumps_.clear();
    jalrs_.clear();
    while (prog_.text.size() < end) one(static_cast<int>(end - prog_.text.size()));
    for (const std::size_t at : jumps_) {
      const std::uint32_t w = prog_.text[at];
      const bool is_jal = (w & 0x7F) == 0x6F;
      const std::int32_t imm = is_jal ? rv::imm_j(w) : rv::imm_b(w);
      const std::size_t target = at + static_cast<std::size_t>(imm / 4);
      if (imm % 4 != 0 || std::find(jalrs_.begin(), jalrs_.end(), target) == jalrs_.end()) continue;
      prog_.text[at] = is_jal ? (w & 0xFFFu) | (j_type(imm + 4, 0) & 0xFFFFF000u) : (w & 0x01FFF07Fu) | (b_type(imm + 4, 0, 0, 0) & 0xFE000F80u);
    }
    for (const std::size_t at : jalrs_) {  // relative to its auipc at at - 1
      const std::uint32_t w = prog_.text[at];
      const std::int32_t imm = rv::imm_i(w);
      const std::size_t target = at - 1 + static_cast<std::size_t>((imm & ~1) / 4);
      if ((imm & 2) != 0 || std::find(jalrs_.begin(), jalrs_.end(), target) == jalrs_.end()) continue;
      prog_.text[at] = (w & 0xFFFFFu) | (static_cast<std::uint32_t>(imm + 4) << 20);
    }
  }

  // One instruction (or a short sequence) with `left` slots to the block's end.
  void one(int left) {
    const auto k = uniform(0, 99);
    if (k < 22) return alu_rr();
    if (k < 40) return alu_imm();
    if (k < 44) return emit(u_type(static_cast<std::uint32_t>(rng_()), rd(), uniform(0, 1) ? 0x37 : 0x17), "");
    if (k < 54) return p_.has_m ? emit(r_type(1, rs(), rs(), static_cast<std::uint32_t>(uniform(0, 7)), rd(), 0x33), "") : alu_rr();
    if (k < 66) return load();
    if (k < 77) return store();
    if (k < 84) return branch(left);
    if (k < 87) return jal(left);
    if (k < 89 && left >= 2) return jalr(left);
    if (k < 93) return csr();
    if (k < 94) return emit(uniform(0, 1) ? 0x0FF0000Fu : 0x0000100Fu, "");  // fence, fence.i
    if (k < 96 && o_.timing) return mmio_load();
    if (o_.traps) return trap();
    alu_imm();
  }

  void alu_rr() {
    static constexpr std::uint32_t kinds[][2] = {{0, 0}, {0x20, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0x20, 5}, {0, 6}, {0, 7}};
    const auto& k = kinds[uniform(0, std::size(kinds) - 1)];
    emit(r_type(k[0], rs(), rs(), k[1], rd(), 0x33), "");
  }
  void alu_imm() {
    const auto f3 = static_cast<std::uint32_t>(uniform(0, 7));
    if (f3 == 1 || f3 == 5) {
      const std::uint32_t f7 = f3 == 5 && uniform(0, 1) ? 0x20 : 0;
      return emit(r_type(f7, static_cast<std::uint32_t>(uniform(0, 31)), rs(), f3, rd(), 0x13), "");
    }
    emit(i_type(static_cast<std::int32_t>(uniform(0, 4095)) - 2048, rs(), f3, rd(), 0x13), "");
  }
  // An offset from x8 inside the window, aligned to `size`.
  std::int32_t offset(std::uint32_t size) {
    const auto half = static_cast<std::int32_t>(window_ / 2);
    const auto off = static_cast<std::int32_t>(uniform(0, window_ - 4)) - half;
    return off & ~static_cast<std::int32_t>(size - 1);
  }
  void load() {
    static constexpr std::uint32_t f3s[] = {0, 1, 2, 4, 5};
    const auto f3 = f3s[uniform(0, 4)];
    const std::uint32_t size = f3 == 2 ? 4 : (f3 & 3) == 1 ? 2 : 1;
    emit(i_type(offset(size), kWin, f3, rd(), 0x03), "");
  }
  void store() {
    const auto f3 = static_cast<std::uint32_t>(uniform(0, 2));
    emit(s_type(offset(1u << f3), rs(), kWin, f3), "");
  }
  void mmio_load() {
    static constexpr std::int32_t regs[] = {0x00, 0x04, 0x08, 0x0C, 0x10, 0x14, 0x18, 0x1C};
    emit(i_type(regs[uniform(0, 7)], kMmio, 2, rd(), 0x03), "MMIO load");
  }
  void branch(int left) {
    static constexpr std::uint32_t f3s[] = {0, 1, 4, 5, 6, 7};
    const auto skip = static_cast<std::int32_t>(uniform(1, static_cast<std::uint64_t>(std::min(left, 8))));
    const std::int32_t mis = o_.traps && uniform(0, 15) == 0 ? 2 : 0;  // misaligned when taken
    jumps_.push_back(prog_.text.size());
    emit(b_type(4 * skip + mis, rs(), rs(), f3s[uniform(0, 5)]), mis ? "branch, misaligned if taken" : "");
  }
  void jal(int left) {
    const auto skip = static_cast<std::int32_t>(uniform(1, static_cast<std::uint64_t>(std::min(left, 8))));
    const std::int32_t mis = o_.traps && uniform(0, 7) == 0 ? 2 : 0;
    jumps_.push_back(prog_.text.size());
    emit(j_type(4 * skip + mis, uniform(0, 3) ? rd() : 0), mis ? "jal, misaligned" : "");
  }
  void jalr(int left) {  // auipc x19, 0; jalr rd, 4 * (1 + skip)(x19)
    const auto skip = static_cast<std::int32_t>(uniform(1, static_cast<std::uint64_t>(std::min(left - 1, 8))));
    const std::int32_t low = static_cast<std::int32_t>(uniform(0, 1));  // bit 0 is cleared by jalr
    const std::int32_t mis = o_.traps && uniform(0, 7) == 0 ? 2 : 0;
    emit(u_type(0, kJump, 0x17), "");
    jalrs_.push_back(prog_.text.size());
    emit(i_type(4 * (1 + skip) + low + mis, kJump, 0, rd(), 0x67), mis ? "jalr, misaligned" : "");
  }
  void csr() {
    static constexpr std::uint32_t writable[] = {rv::csr::mscratch, rv::csr::mcause, rv::csr::mtval, rv::csr::mepc, rv::csr::misa,
                                                 rv::csr::mstatush, rv::csr::minstret, rv::csr::minstreth};
    static constexpr std::uint32_t readable[] = {rv::csr::mstatus, rv::csr::misa, rv::csr::mie, rv::csr::mtvec, rv::csr::mscratch,
                                                 rv::csr::minstret, rv::csr::minstreth, rv::csr::mvendorid, rv::csr::marchid,
                                                 rv::csr::mimpid, rv::csr::mhartid};
    static constexpr std::uint32_t timing[] = {rv::csr::mcycle, rv::csr::mcycleh, rv::csr::mip};
    const auto f3 = static_cast<std::uint32_t>(uniform(0, 5));
    const std::uint32_t funct3 = f3 < 3 ? f3 + 1 : f3 + 2;
    if (uniform(0, 1)) {
      emit(csr_type(funct3, rd(), writable[uniform(0, std::size(writable) - 1)], f3 < 3 ? rs() : static_cast<std::uint32_t>(uniform(0, 31))), "");
    } else {
      // a read: the set/clear forms with x0 / uimm 0
      const std::uint32_t a = o_.timing && uniform(0, 3) == 0 ? timing[uniform(0, 2)] : readable[uniform(0, std::size(readable) - 1)];
      emit(csr_type(uniform(0, 1) ? 2 : 7, rd(), a, 0), "");
    }
  }
  void trap() {
    switch (uniform(0, 7)) {
      case 0: return emit(0x00000073, "ecall");
      case 1: return emit(0x00100073, "ebreak");
      case 2: {
        std::uint32_t w;
        do w = static_cast<std::uint32_t>(rng_());
        while (rv::decode(w, p_.has_m).op != rv::Op::illegal);
        return emit(w, "illegal");
      }
      case 3: {  // a misaligned load or store
        const bool st = uniform(0, 1);
        const std::int32_t off = offset(4) + static_cast<std::int32_t>(uniform(1, 3));
        return emit(st ? s_type(off, rs(), kWin, uniform(0, 1) ? 2 : 1) : i_type(off, kWin, uniform(0, 1) ? 2 : 5, rd(), 0x03),
                    "misaligned");
      }
      case 4: return emit(i_type(static_cast<std::int32_t>(uniform(0, 255)) * 4, 0, 2, rd(), 0x03), "load from IMEM: access fault");
      case 5: return emit(s_type(static_cast<std::int32_t>(uniform(0, 255)) * 4, rs(), 0, 2), "store to IMEM: access fault");
      case 6: return emit(s_type(0x20, rs(), kMmio, 2), "store past MMIO: access fault");
      default: {
        static constexpr std::uint32_t csrs[] = {0xC00, 0xC01, 0xC02, 0x306, 0x7B0, 0x100};
        if (uniform(0, 1)) return emit(csr_type(2, rd(), csrs[uniform(0, std::size(csrs) - 1)], 0), "no such CSR");
        return emit(csr_type(1, rd(), rv::csr::mhartid, rs()), "write to a read-only CSR");
      }
    }
  }

  rv::IssParams p_;
  Options o_;
  std::mt19937_64 rng_;
  std::uint32_t window_ = 0;
  Program prog_;
  std::vector<std::size_t> jumps_, jalrs_;  // of the current block
};

}  // namespace

Program generate(const golden::rv32::IssParams& p, const Options& o) { return Generator(p, o).run(); }

golden::rv32::ElfImage Program::image() const {
  golden::rv32::ElfImage img;
  img.entry = text_base;
  golden::rv32::ElfSegment t;
  t.addr = text_base;
  for (auto w : text)
    for (int k = 0; k < 4; ++k) t.bytes.push_back(static_cast<std::uint8_t>(w >> (8 * k)));
  img.segments.push_back(std::move(t));
  img.segments.push_back({golden::rv32::kDmemBase, data});
  img.tohost = tohost;
  return img;
}

std::string Program::assembly() const {
  std::string s = "/* A random RV32 program (host/firmware/rv32_random.h). */\n";
  s += fmt::format("  .section .text.init, \"ax\", @progbits\n  .globl _start\n_start:\n");
  for (std::size_t k = 0; k < text.size(); ++k) {
    const std::string what = comments[k].empty() ? golden::rv32::disassemble(text[k]) : comments[k] + ": " + golden::rv32::disassemble(text[k]);
    s += fmt::format("  .word 0x{:08x}  /* {:08x}: {} */\n", text[k], text_base + 4 * k, what);
  }
  s += "\n  .data\n";
  for (std::size_t k = 0; k + 4 < data.size(); k += 4)  // the last word is tohost
    s += fmt::format("{}0x{:08x}", k % 32 == 0 ? "\n  .word " : ", ",
                     std::uint32_t{data[k]} | (std::uint32_t{data[k + 1]} << 8) | (std::uint32_t{data[k + 2]} << 16) | (std::uint32_t{data[k + 3]} << 24));
  s += "\n\n  .section .tohost, \"aw\", @progbits\n  .balign 4\n  .globl tohost\ntohost: .word 0\n";
  return s;
}

}  // namespace strata::rv32_random
