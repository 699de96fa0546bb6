// ELF32 RISC-V executables for the RV32 core (read with libelf): each
// loadable segment goes into the memory that contains it (docs/blocks/rv32.md,
// "Memory map"), and the `tohost` symbol, when present, is the word a
// program stores its result to.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "golden/rv32_iss.h"

namespace strata::golden::rv32 {

// A file that is not a loadable program for the configured core. what() is
// "FILE: error: PROBLEM".
class ElfError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ElfSegment {
  std::uint32_t addr = 0;           // physical address (p_paddr)
  std::vector<std::uint8_t> bytes;  // p_filesz bytes of the file, then zeros up to p_memsz
};

struct ElfImage {
  std::uint32_t entry = 0;
  std::vector<ElfSegment> segments;     // non-empty PT_LOAD segments, in file order
  std::optional<std::uint32_t> tohost;  // address of the `tohost` symbol
};

// Reads and checks `file`: an ELF32 little-endian RISC-V executable without
// the compressed extension, whose entry point is the reset vector and whose
// every loadable segment lies inside IMEM or DMEM; `tohost`, when present,
// is a 4-byte aligned word in DMEM. Throws ElfError naming the problem.
ElfImage read_elf(const std::filesystem::path& file, const IssParams& p);

// The contents of IMEM and DMEM (imem_bytes / dmem_bytes bytes, zero where
// no segment is), for a memory initialisation of the core.
struct MemoryImage {
  std::vector<std::uint8_t> imem, dmem;
};
MemoryImage memory_image(const ElfImage& image, const IssParams& p);

// Writes `image` as an ELF32 RISC-V executable: one PT_LOAD segment and one
// section (.text in IMEM, .data in DMEM) per segment, and a symbol table
// with `tohost` when it is set. Throws ElfError when the file cannot be written.
void write_elf(const std::filesystem::path& file, const ElfImage& image);

// Writes the segments into the ISS's memories and sets its tohost address;
// then resets it.
void load(Iss& iss, const ElfImage& image);

}  // namespace strata::golden::rv32
