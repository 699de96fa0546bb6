// The ELF loader on hand-made files: a good one, and one bad file per check.
#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "golden/rv32_elf.h"

namespace {

using namespace strata::golden::rv32;
namespace fs = std::filesystem;

struct Seg {
  std::uint32_t addr;
  std::vector<std::uint8_t> data;
  std::uint32_t memsz;
};

// An ELF32 executable with the given segments (no sections).
std::vector<std::uint8_t> make_elf(const std::vector<Seg>& segs, std::uint16_t machine = EM_RISCV, std::uint32_t entry = 0,
                                   std::uint32_t flags = 0, std::uint16_t type = ET_EXEC) {
  Elf32_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS32;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = type;
  eh.e_machine = machine;
  eh.e_version = EV_CURRENT;
  eh.e_entry = entry;
  eh.e_phoff = sizeof(Elf32_Ehdr);
  eh.e_flags = flags;
  eh.e_ehsize = sizeof(Elf32_Ehdr);
  eh.e_phentsize = sizeof(Elf32_Phdr);
  eh.e_phnum = static_cast<std::uint16_t>(segs.size());
  std::vector<std::uint8_t> out(sizeof eh);
  std::memcpy(out.data(), &eh, sizeof eh);
  std::uint32_t offset = static_cast<std::uint32_t>(sizeof eh + segs.size() * sizeof(Elf32_Phdr));
  for (const auto& s : segs) {
    Elf32_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_offset = offset;
    ph.p_vaddr = ph.p_paddr = s.addr;
    ph.p_filesz = static_cast<std::uint32_t>(s.data.size());
    ph.p_memsz = s.memsz;
    ph.p_flags = PF_R;
    offset += ph.p_filesz;
    const auto* p = reinterpret_cast<const std::uint8_t*>(&ph);
    out.insert(out.end(), p, p + sizeof ph);
  }
  for (const auto& s : segs) out.insert(out.end(), s.data.begin(), s.data.end());
  return out;
}

fs::path write(const std::string& name, const std::vector<std::uint8_t>& bytes) {
  const fs::path p = fs::temp_directory_path() / ("strata_rv32_elf_" + name);
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return p;
}

std::string error_of(const fs::path& file, const IssParams& p = {}) {
  try {
    (void)read_elf(file, p);
  } catch (const ElfError& e) {
    return e.what();
  }
  return "no error";
}

const std::vector<std::uint8_t> kCode = {0x13, 0x05, 0x50, 0x00};  // addi a0, zero, 5

TEST(Rv32Elf, LoadsSegmentsIntoTheirMemories) {
  const auto f = write("good", make_elf({{0, kCode, 4}, {kDmemBase + 8, {1, 2, 3, 4}, 16}}));
  const auto image = read_elf(f, {});
  ASSERT_EQ(image.segments.size(), 2u);
  EXPECT_EQ(image.segments[1].bytes.size(), 16u) << "zero-filled to p_memsz";
  EXPECT_FALSE(image.tohost);
  const auto m = memory_image(image, {});
  EXPECT_EQ(m.imem[0], 0x13);
  EXPECT_EQ(m.dmem[8], 1);
  Iss iss({});
  load(iss, image);
  EXPECT_EQ(*iss.read_word(kDmemBase + 8), 0x04030201u);
  iss.step();
  EXPECT_EQ(iss.reg(10), 5u);
}

TEST(Rv32Elf, BadFiles) {
  EXPECT_NE(error_of(write("text", {'h', 'e', 'l', 'l', 'o', '\n'})).find("not an ELF file"), std::string::npos);
  EXPECT_NE(error_of("/nonexistent/strata.elf").find("cannot open"), std::string::npos);
  auto elf64 = make_elf({{0, kCode, 4}});
  elf64[EI_CLASS] = ELFCLASS64;
  EXPECT_NE(error_of(write("elf64", elf64)).find("ELF64"), std::string::npos);
  EXPECT_NE(error_of(write("x86", make_elf({{0, kCode, 4}}, EM_386))).find("is not RISC-V"), std::string::npos);
  EXPECT_NE(error_of(write("rvc", make_elf({{0, kCode, 4}}, EM_RISCV, 0, 1))).find("compressed"), std::string::npos);
  EXPECT_NE(error_of(write("rel", make_elf({{0, kCode, 4}}, EM_RISCV, 0, 0, ET_REL))).find("not an executable"), std::string::npos);
  EXPECT_NE(error_of(write("entry", make_elf({{0, kCode, 4}}, EM_RISCV, 8))).find("reset vector"), std::string::npos);
  const auto outside = error_of(write("outside", make_elf({{0, kCode, 4}, {kDmemBase + 16380, {}, 8}})));
  EXPECT_NE(outside.find("outside the core's memories"), std::string::npos) << outside;
  EXPECT_NE(outside.find("DMEM [0x10000000, 0x10004000)"), std::string::npos) << outside;
  EXPECT_NE(error_of(write("gap", make_elf({{0x8000'0000, kCode, 4}}))).find("outside"), std::string::npos);
  EXPECT_NE(error_of(write("dataonly", make_elf({{kDmemBase, kCode, 4}}))).find("entry point"), std::string::npos);
  auto truncated = make_elf({{0, kCode, 4}});
  truncated.resize(truncated.size() - 2);
  EXPECT_NE(error_of(write("truncated", truncated)).find("past the end"), std::string::npos);
  IssParams small;
  small.imem_bytes = 1024;
  EXPECT_NE(error_of(write("big", make_elf({{0, std::vector<std::uint8_t>(2048, 0), 2048}})), small).find("outside"), std::string::npos);
}

TEST(Rv32Elf, WrittenFilesReadBackWithTohost) {
  ElfImage image;
  image.segments.push_back({0, kCode});
  image.segments.push_back({kDmemBase, {9, 8, 7, 6, 0, 0, 0, 0}});
  image.tohost = kDmemBase + 4;
  const fs::path f = fs::temp_directory_path() / "strata_rv32_elf_written";
  write_elf(f, image);
  const auto back = read_elf(f, {});
  EXPECT_EQ(back.entry, 0u);
  ASSERT_EQ(back.segments.size(), 2u);
  EXPECT_EQ(back.segments[0].bytes, kCode);
  EXPECT_EQ(back.segments[1].bytes, image.segments[1].bytes);
  EXPECT_EQ(back.tohost, image.tohost);
}

TEST(Rv32Elf, TohostMustBeAWordInDmem) {
  ElfImage image;
  image.segments.push_back({0, kCode});
  image.tohost = 0x100;
  const fs::path f = fs::temp_directory_path() / "strata_rv32_elf_tohost_imem";
  write_elf(f, image);
  EXPECT_NE(error_of(f).find("tohost symbol at 0x00000100 is not an aligned word in DMEM"), std::string::npos) << error_of(f);
}

}  // namespace
