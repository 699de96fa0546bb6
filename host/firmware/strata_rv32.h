/* The RV32 control core's system for its firmware: the MMIO registers of
 * docs/blocks/rv32.md and the CSR accessors. */
#ifndef STRATA_RV32_H
#define STRATA_RV32_H

#include <stdint.h>

#define STRATA_MMIO_BASE 0x20000000u
#define STRATA_MMIO(off) (*(volatile uint32_t *)(STRATA_MMIO_BASE + (off)))
#define STRATA_CONSOLE STRATA_MMIO(0x00)   /* a byte stored appears on the simulator's stdout */
#define STRATA_EXIT STRATA_MMIO(0x04)      /* a store ends the run with that exit code (0 = pass) */
#define STRATA_IRQ STRATA_MMIO(0x08)       /* bit 0: software level on the external interrupt line */
#define STRATA_MTIME STRATA_MMIO(0x10)
#define STRATA_MTIMEH STRATA_MMIO(0x14)
#define STRATA_MTIMECMP STRATA_MMIO(0x18)
#define STRATA_MTIMECMPH STRATA_MMIO(0x1C)

#define STRATA_CSR_READ(name)                          \
  ({                                                   \
    uint32_t v_;                                       \
    __asm__ volatile("csrr %0, " #name : "=r"(v_));   \
    v_;                                                \
  })
#define STRATA_CSR_WRITE(name, v) __asm__ volatile("csrw " #name ", %0" ::"r"((uint32_t)(v)))

static inline uint64_t strata_mcycle(void) {
  uint32_t hi, lo, hi2;
  do {
    hi = STRATA_CSR_READ(mcycleh);
    lo = STRATA_CSR_READ(mcycle);
    hi2 = STRATA_CSR_READ(mcycleh);
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}

static inline void strata_putc(char c) { STRATA_CONSOLE = (uint8_t)c; }

#endif
