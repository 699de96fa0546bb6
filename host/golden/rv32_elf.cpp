#include "golden/rv32_elf.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace strata::golden::rv32 {

namespace {

constexpr unsigned kEmRiscv = 243;        // EM_RISCV
constexpr std::uint32_t kEfRiscvRvc = 1;  // EF_RISCV_RVC: compressed instructions used

// The file descriptor and libelf handle of one open file.
class ElfFile {
 public:
  explicit ElfFile(const std::filesystem::path& file) : name_(file.string()) {
    if (elf_version(EV_CURRENT) == EV_NONE) fail(fmt::format("libelf cannot be initialised: {}", elf_errmsg(-1)));
    fd_ = ::open(file.c_str(), O_RDONLY);
    if (fd_ < 0) fail(fmt::format("cannot open: {}", std::strerror(errno)));
    elf_ = elf_begin(fd_, ELF_C_READ, nullptr);
    if (!elf_) fail(fmt::format("cannot read: {}", elf_errmsg(-1)));
  }
  ~ElfFile() {
    if (elf_) elf_end(elf_);
    if (fd_ >= 0) ::close(fd_);
  }
  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;
  Elf* get() const { return elf_; }
  [[noreturn]] void fail(const std::string& problem) const { throw ElfError(fmt::format("{}: error: {}", name_, problem)); }

 private:
  std::string name_;
  int fd_ = -1;
  Elf* elf_ = nullptr;
};

const char* region_of(std::uint64_t addr, std::uint64_t size, const IssParams& p) {
  if (addr >= kImemBase && addr + size <= kImemBase + std::uint64_t{p.imem_bytes}) return "imem";
  if (addr >= kDmemBase && addr + size <= kDmemBase + std::uint64_t{p.dmem_bytes}) return "dmem";
  return nullptr;
}

std::string memory_map(const IssParams& p) {
  return fmt::format("IMEM [0x{:08x}, 0x{:08x}), DMEM [0x{:08x}, 0x{:08x})", kImemBase, kImemBase + p.imem_bytes, kDmemBase,
                     kDmemBase + p.dmem_bytes);
}

std::optional<std::uint32_t> find_tohost(const ElfFile& f) {
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(f.get(), scn)) != nullptr) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data) f.fail(fmt::format("cannot read the symbol table: {}", elf_errmsg(-1)));
    const auto count = sh.sh_size / sh.sh_entsize;
    for (std::uint64_t k = 0; k < count; ++k) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(k), &sym)) continue;
      const char* name = elf_strptr(f.get(), sh.sh_link, sym.st_name);
      if (name && std::strcmp(name, "tohost") == 0) return static_cast<std::uint32_t>(sym.st_value);
    }
  }
  return std::nullopt;
}

}  // namespace

ElfImage read_elf(const std::filesystem::path& file, const IssParams& p) {
  const ElfFile f(file);
  if (elf_kind(f.get()) != ELF_K_ELF) f.fail("not an ELF file");
  if (gelf_getclass(f.get()) != ELFCLASS32) f.fail("an ELF64 file; need ELF32 (riscv64-unknown-elf-gcc -march=rv32i(m) -mabi=ilp32)");
  GElf_Ehdr eh;
  if (!gelf_getehdr(f.get(), &eh)) f.fail(fmt::format("bad ELF header: {}", elf_errmsg(-1)));
  if (eh.e_ident[EI_DATA] != ELFDATA2LSB) f.fail("big-endian ELF; need little-endian RISC-V");
  if (eh.e_machine != kEmRiscv) f.fail(fmt::format("machine {} is not RISC-V ({})", eh.e_machine, kEmRiscv));
  if (eh.e_type != ET_EXEC) f.fail(fmt::format("ELF type {} is not an executable (ET_EXEC)", eh.e_type));
  if (eh.e_flags & kEfRiscvRvc) f.fail("uses compressed instructions (EF_RISCV_RVC); the core has none: build with -march=rv32i or rv32im");

  ElfImage image;
  image.entry = static_cast<std::uint32_t>(eh.e_entry);
  if (image.entry != p.reset_vector)
    f.fail(fmt::format("entry point 0x{:08x} is not the core's reset vector 0x{:08x}", image.entry, p.reset_vector));
  std::size_t phnum = 0;
  if (elf_getphdrnum(f.get(), &phnum) != 0) f.fail(fmt::format("bad program headers: {}", elf_errmsg(-1)));
  for (std::size_t k = 0; k < phnum; ++k) {
    GElf_Phdr ph;
    if (!gelf_getphdr(f.get(), static_cast<int>(k), &ph)) f.fail(fmt::format("bad program header {}: {}", k, elf_errmsg(-1)));
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_filesz > ph.p_memsz) f.fail(fmt::format("segment {} has a file size larger than its memory size", k));
    if (!region_of(ph.p_paddr, ph.p_memsz, p))
      f.fail(fmt::format("segment {} at [0x{:08x}, 0x{:08x}) is outside the core's memories; allowed: {}", k, ph.p_paddr,
                         ph.p_paddr + ph.p_memsz, memory_map(p)));
    ElfSegment seg;
    seg.addr = static_cast<std::uint32_t>(ph.p_paddr);
    seg.bytes.assign(ph.p_memsz, 0);
    if (ph.p_filesz) {
      Elf_Data* d = elf_getdata_rawchunk(f.get(), static_cast<off_t>(ph.p_offset), ph.p_filesz, ELF_T_BYTE);
      if (!d || d->d_size != ph.p_filesz) f.fail(fmt::format("segment {} lies past the end of the file (truncated?)", k));
      std::memcpy(seg.bytes.data(), d->d_buf, ph.p_filesz);
    }
    image.segments.push_back(std::move(seg));
  }
  if (image.segments.empty()) f.fail("no loadable segment");
  bool entry_loaded = false;
  for (const auto& s : image.segments)
    if (image.entry >= s.addr && image.entry - s.addr < s.bytes.size() && std::string(region_of(s.addr, 1, p)) == "imem") entry_loaded = true;
  if (!entry_loaded) f.fail(fmt::format("no segment in IMEM holds the entry point 0x{:08x}", image.entry));
  image.tohost = find_tohost(f);
  if (image.tohost) {
    const auto* r = region_of(*image.tohost, 4, p);
    if ((*image.tohost & 3) || !r || std::string(r) != "dmem")
      f.fail(fmt::format("the tohost symbol at 0x{:08x} is not an aligned word in DMEM [0x{:08x}, 0x{:08x})", *image.tohost, kDmemBase,
                         kDmemBase + p.dmem_bytes));
  }
  return image;
}

MemoryImage memory_image(const ElfImage& image, const IssParams& p) {
  MemoryImage m{std::vector<std::uint8_t>(p.imem_bytes, 0), std::vector<std::uint8_t>(p.dmem_bytes, 0)};
  for (const auto& s : image.segments) {
    const bool imem = std::string(region_of(s.addr, s.bytes.size(), p)) == "imem";
    auto& mem = imem ? m.imem : m.dmem;
    const std::uint32_t base = imem ? kImemBase : kDmemBase;
    std::memcpy(mem.data() + (s.addr - base), s.bytes.data(), s.bytes.size());
  }
  return m;
}

void load(Iss& iss, const ElfImage& image) {
  for (const auto& s : image.segments)
    if (!iss.write_memory(s.addr, s.bytes))
      throw ElfError(fmt::format("segment at 0x{:08x} ({} bytes) does not fit the ISS's memories", s.addr, s.bytes.size()));
  iss.set_tohost(image.tohost);
  iss.reset();
}

}  // namespace strata::golden::rv32

namespace strata::golden::rv32 {

namespace {
void put16(std::vector<std::uint8_t>& v, std::size_t at, std::uint32_t x) {
  v[at] = static_cast<std::uint8_t>(x);
  v[at + 1] = static_cast<std::uint8_t>(x >> 8);
}
void put32(std::vector<std::uint8_t>& v, std::size_t at, std::uint32_t x) {
  put16(v, at, x & 0xFFFF);
  put16(v, at + 2, x >> 16);
}
}  // namespace

void write_elf(const std::filesystem::path& file, const ElfImage& image) {
  // Layout: ELF header (52), program headers (32 each), segment bytes,
  // .symtab, .strtab, .shstrtab, section headers (40 each).
  const std::size_t nseg = image.segments.size();
  std::vector<std::uint8_t> out(52 + 32 * nseg, 0);
  std::vector<std::size_t> seg_offset;
  for (const auto& s : image.segments) {
    while (out.size() % 4) out.push_back(0);
    seg_offset.push_back(out.size());
    out.insert(out.end(), s.bytes.begin(), s.bytes.end());
  }
  std::string shstrtab(1, '\0');
  const auto name = [&](const std::string& n) {
    const auto at = static_cast<std::uint32_t>(shstrtab.size());
    shstrtab += n + '\0';
    return at;
  };
  struct Section {
    std::uint32_t name, type, flags, addr, offset, size, link, info, align, entsize;
  };
  std::vector<Section> sections{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}};
  std::uint32_t tohost_section = 0;
  for (std::size_t k = 0; k < nseg; ++k) {
    const auto& s = image.segments[k];
    const bool text = s.addr < kDmemBase;
    if (!text && image.tohost && *image.tohost >= s.addr && *image.tohost - s.addr < s.bytes.size())
      tohost_section = static_cast<std::uint32_t>(sections.size());
    sections.push_back({name(text ? ".text" : fmt::format(".data{}", k)), 1 /* PROGBITS */, text ? 6u : 3u /* AX : WA */, s.addr,
                        static_cast<std::uint32_t>(seg_offset[k]), static_cast<std::uint32_t>(s.bytes.size()), 0, 0, 4, 0});
  }
  if (image.tohost) {
    while (out.size() % 4) out.push_back(0);
    const std::string strtab = std::string(1, '\0') + "tohost" + '\0';
    const auto symtab_at = static_cast<std::uint32_t>(out.size());
    out.resize(out.size() + 32, 0);  // the null symbol, then tohost
    put32(out, symtab_at + 16, 1);                               // st_name
    put32(out, symtab_at + 20, *image.tohost);                   // st_value
    put32(out, symtab_at + 24, 4);                               // st_size
    out[symtab_at + 28] = (1 << 4) | 1;                          // STB_GLOBAL, STT_OBJECT
    put16(out, symtab_at + 30, tohost_section ? tohost_section : 0xFFF1 /* SHN_ABS */);
    const auto strtab_at = static_cast<std::uint32_t>(out.size());
    out.insert(out.end(), strtab.begin(), strtab.end());
    const auto symtab_index = static_cast<std::uint32_t>(sections.size());
    sections.push_back({name(".symtab"), 2 /* SYMTAB */, 0, 0, symtab_at, 32, symtab_index + 1, 1, 4, 16});
    sections.push_back({name(".strtab"), 3 /* STRTAB */, 0, 0, strtab_at, static_cast<std::uint32_t>(strtab.size()), 0, 0, 1, 0});
  }
  const std::uint32_t shstr_name = name(".shstrtab");
  const auto shstr_at = static_cast<std::uint32_t>(out.size());
  out.insert(out.end(), shstrtab.begin(), shstrtab.end());
  sections.push_back({shstr_name, 3, 0, 0, shstr_at, static_cast<std::uint32_t>(shstrtab.size()), 0, 0, 1, 0});
  while (out.size() % 4) out.push_back(0);
  const auto shoff = static_cast<std::uint32_t>(out.size());
  for (const auto& s : sections) {
    const std::size_t at = out.size();
    out.resize(at + 40, 0);
    const std::uint32_t f[10] = {s.name, s.type, s.flags, s.addr, s.offset, s.size, s.link, s.info, s.align, s.entsize};
    for (int k = 0; k < 10; ++k) put32(out, at + 4 * static_cast<std::size_t>(k), f[k]);
  }
  // ELF header.
  const std::uint8_t ident[16] = {0x7F, 'E', 'L', 'F', 1 /* ELFCLASS32 */, 1 /* LSB */, 1 /* EV_CURRENT */};
  std::memcpy(out.data(), ident, 16);
  put16(out, 16, 2);            // ET_EXEC
  put16(out, 18, kEmRiscv);     // EM_RISCV
  put32(out, 20, 1);            // EV_CURRENT
  put32(out, 24, image.entry);  // e_entry
  put32(out, 28, 52);           // e_phoff
  put32(out, 32, shoff);        // e_shoff
  put32(out, 36, 0);            // e_flags: soft float, no RVC
  put16(out, 40, 52);
  put16(out, 42, 32);
  put16(out, 44, static_cast<std::uint32_t>(nseg));
  put16(out, 46, 40);
  put16(out, 48, static_cast<std::uint32_t>(sections.size()));
  put16(out, 50, static_cast<std::uint32_t>(sections.size() - 1));  // .shstrtab is last
  for (std::size_t k = 0; k < nseg; ++k) {
    const auto& s = image.segments[k];
    const std::size_t at = 52 + 32 * k;
    const auto size = static_cast<std::uint32_t>(s.bytes.size());
    const std::uint32_t f[8] = {1 /* PT_LOAD */, static_cast<std::uint32_t>(seg_offset[k]), s.addr, s.addr, size, size,
                                s.addr < kDmemBase ? 5u : 6u /* R+X : R+W */, 4};
    for (int j = 0; j < 8; ++j) put32(out, at + 4 * static_cast<std::size_t>(j), f[j]);
  }
  std::FILE* f = std::fopen(file.c_str(), "wb");
  if (!f) throw ElfError(fmt::format("{}: error: cannot write: {}", file.string(), std::strerror(errno)));
  const bool ok = std::fwrite(out.data(), 1, out.size(), f) == out.size();
  if (std::fclose(f) != 0 || !ok) throw ElfError(fmt::format("{}: error: cannot write", file.string()));
}

}  // namespace strata::golden::rv32
