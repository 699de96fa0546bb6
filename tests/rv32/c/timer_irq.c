/* Timer interrupts in C: a machine-mode handler (GCC's interrupt
 * attribute saves what it uses and returns with mret) moves mtimecmp
 * 500 cycles ahead and counts ticks; main sleeps in WFI until 8 ticks. */
#include <stdint.h>
#include <stdio.h>

#include "strata_rv32.h"

static volatile uint32_t ticks;

static void next_tick(void) {
  const uint32_t lo = STRATA_MTIME, hi = STRATA_MTIMEH;
  const uint64_t due = (((uint64_t)hi << 32) | lo) + 500;
  STRATA_MTIMECMPH = 0xFFFFFFFFu; /* no spurious interrupt while the halves change */
  STRATA_MTIMECMP = (uint32_t)due;
  STRATA_MTIMECMPH = (uint32_t)(due >> 32);
}

__attribute__((interrupt("machine"))) void trap_handler(void) {
  const uint32_t cause = STRATA_CSR_READ(mcause);
  if (cause != 0x80000007u) {
    printf("unexpected trap %lx\n", (unsigned long)cause);
    STRATA_EXIT = 1;
  }
  ++ticks;
  next_tick();
}

int main(void) {
  next_tick();
  STRATA_CSR_WRITE(mie, 1u << 7);
  __asm__ volatile("csrsi mstatus, 8");
  while (ticks < 8) __asm__ volatile("wfi");
  __asm__ volatile("csrci mstatus, 8");
  const uint64_t now = strata_mcycle();
  printf("%lu ticks\n", (unsigned long)ticks);
  return ticks == 8 && now >= 8 * 500 ? 0 : 1;
}
