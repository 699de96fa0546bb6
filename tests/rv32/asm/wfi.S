/* wfi: retires as a no-op, then waits for (mip & mie) != 0; with
 * mstatus.MIE = 1 the interrupt is taken after it. */
#include "test.h"

TEST_BEGIN
  li a0, MMIO_BASE
  /* timer 200 cycles ahead; MTIE; MIE = 0: wakes without a trap */
  lw a1, MMIO_MTIME(a0)
  addi a1, a1, 200
  sw a1, MMIO_MTIMECMP(a0)
  sw zero, MMIO_MTIMECMP+4(a0)
  li a2, 0x80
  csrw mie, a2
  wfi
  csrr a3, mip
  CHECK(1, a3, 0x80)
  lw a3, MMIO_MTIME(a0)
  li t5, 2
  bltu a3, a1, fail
  /* again with MIE = 1: the handler runs, mepc is after the wfi */
  li t5, 3
  li s10, 0x80000007
  li s11, 0
  la s9, 1f
  li s8, 0
  lw a1, MMIO_MTIME(a0)
  addi a1, a1, 200
  sw a1, MMIO_MTIMECMP(a0)
  csrw mie, a2
  csrsi mstatus, 8
  wfi
1: li t6, -1
  bne s10, t6, fail
TEST_END
