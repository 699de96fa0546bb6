/* Machine external interrupt (mcause 0x8000000b) from MMIO irq bit 0, and
 * its priority over the timer interrupt. */
#include "test.h"

TEST_BEGIN
  li a0, MMIO_BASE
  lw a1, MMIO_IRQ(a0)
  CHECK(1, a1, 0)
  li a1, -1
  sw a1, MMIO_IRQ(a0)
  lw a1, MMIO_IRQ(a0)
  CHECK(2, a1, 1)
  csrr a1, mip
  CHECK(3, a1, 0x800)
  /* enabled: taken */
  li t5, 4
  li s10, 0x8000000b
  li s11, 0
  li s9, 0
  li s8, 0
  li a2, 0x800
  csrw mie, a2
  csrsi mstatus, 8
  li a3, 1000
1: li t6, -1
  beq s10, t6, 2f
  addi a3, a3, -1
  bnez a3, 1b
  j fail
2: sw zero, MMIO_IRQ(a0)
  csrr a1, mip
  CHECK(5, a1, 0)
  /* both pending: external first */
  li t5, 6
  li s10, 0x8000000b
  sw zero, MMIO_MTIMECMP(a0)
  sw zero, MMIO_MTIMECMP+4(a0)
  li a1, 1
  sw a1, MMIO_IRQ(a0)
  csrr a1, mip
  CHECK(7, a1, 0x880)
  li t5, 8
  li a2, 0x880
  csrw mie, a2
  csrsi mstatus, 8
  li a3, 1000
3: li t6, -1
  beq s10, t6, 4f
  addi a3, a3, -1
  bnez a3, 3b
  j fail
4: sw zero, MMIO_IRQ(a0)
TEST_END
