#include "rv32_link.h"

#include <algorithm>

#include <fmt/format.h>

namespace strata {

std::string rv32_linker_script(const Rv32Config& rv, const std::string& header, std::uint32_t dmem_reserved) {
  const int stack = std::min(rv.dmem_bytes / 4, 4096);
  return fmt::format(R"(/* {}
 * Memory map of docs/blocks/rv32.md; start-up code host/firmware/crt0.S. */
OUTPUT_ARCH("riscv")
ENTRY(_start)

MEMORY
{{
  imem (rx) : ORIGIN = 0x00000000, LENGTH = 0x{:x}
  dmem (rw) : ORIGIN = 0x{:08x}, LENGTH = 0x{:x}{}
}}

PROVIDE(__stack_size = 0x{:x});

SECTIONS
{{
  .text ORIGIN(imem) + 0x{:x} : {{
    KEEP(*(.text.init))
    *(.text .text.* .gnu.linkonce.t.*)
  }} > imem

  .rodata : {{
    *(.rodata .rodata.* .gnu.linkonce.r.*)
    *(.srodata .srodata.*)
  }} > dmem
  .init_array : {{
    PROVIDE_HIDDEN(__preinit_array_start = .);
    KEEP(*(.preinit_array))
    PROVIDE_HIDDEN(__preinit_array_end = .);
    PROVIDE_HIDDEN(__init_array_start = .);
    KEEP(*(SORT_BY_INIT_PRIORITY(.init_array.*)))
    KEEP(*(.init_array))
    PROVIDE_HIDDEN(__init_array_end = .);
    PROVIDE_HIDDEN(__fini_array_start = .);
    KEEP(*(SORT_BY_INIT_PRIORITY(.fini_array.*)))
    KEEP(*(.fini_array))
    PROVIDE_HIDDEN(__fini_array_end = .);
  }} > dmem
  .data : ALIGN(4) {{
    *(.data .data.* .gnu.linkonce.d.*)
    *(.sdata .sdata.* .gnu.linkonce.s.*)
  }} > dmem
  .tohost : ALIGN(4) {{
    KEEP(*(.tohost))
  }} > dmem

  /* Thread-local data for picolibc (errno): tp = __tls_base. */
  .tdata : ALIGN(8) {{
    *(.tdata .tdata.* .gnu.linkonce.td.*)
  }} > dmem
  PROVIDE(__tls_base = ADDR(.tdata));
  .tbss : {{
    *(.tbss .tbss.* .gnu.linkonce.tb.*)
  }} > dmem
  .tbss_space (NOLOAD) : {{
    . = ADDR(.tbss) + SIZEOF(.tbss);
  }} > dmem

  /* Zeroed by crt0 from __bss_start to __bss_end (with .tbss). */
  __bss_start = ADDR(.tbss);
  .bss (NOLOAD) : ALIGN(4) {{
    *(.sbss .sbss.* .gnu.linkonce.sb.*)
    *(.bss .bss.* .gnu.linkonce.b.*)
    *(COMMON)
    . = ALIGN(4);
  }} > dmem
  __bss_end = .;

  __global_pointer$ = ORIGIN(dmem) + 0x800;
  __stack_top = ORIGIN(dmem) + LENGTH(dmem);
  __heap_start = ALIGN(__bss_end, 8);
  __heap_end = __stack_top - __stack_size;
  __end = __heap_start;
  ASSERT(__heap_end >= __heap_start, "the program's data and its stack do not fit in DMEM")
}}
)",
                     header, rv.imem_bytes, 0x10000000u + dmem_reserved, static_cast<std::uint32_t>(rv.dmem_bytes) - dmem_reserved,
                     dmem_reserved ? fmt::format("  /* DMEM from 0x10000000; its first 0x{:x} bytes are the SoC's mailbox */", dmem_reserved) : "", stack,
                     rv.reset_vector);
}

}  // namespace strata
