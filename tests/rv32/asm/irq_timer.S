/* Machine timer interrupt (mcause 0x80000007, mtval 0): mip.MTIP while
 * mtime >= mtimecmp, taken only with mie.MTIE and mstatus.MIE. */
#include "test.h"

TEST_BEGIN
  li a0, MMIO_BASE
  lw a1, MMIO_MTIMECMP+4(a0)
  CHECK(1, a1, 0xffffffff)
  lw a1, MMIO_MTIMECMP(a0)
  CHECK(2, a1, 0xffffffff)
  csrr a1, mip
  CHECK(3, a1, 0)
  /* mtimecmp 100 cycles ahead, MTIE, MIE */
  li t5, 4
  li s10, 0x80000007
  li s11, 0
  li s9, 0
  li s8, 0
  lw a1, MMIO_MTIME(a0)
  addi a1, a1, 100
  sw a1, MMIO_MTIMECMP(a0)
  sw zero, MMIO_MTIMECMP+4(a0)
  lw a2, MMIO_MTIMECMP(a0)
  bne a2, a1, fail
  li a2, 0x80
  csrw mie, a2
  csrsi mstatus, 8
  li a3, 10000
1: li t6, -1
  beq s10, t6, 2f
  addi a3, a3, -1
  bnez a3, 1b
  j fail
2: csrr a1, mstatus
  CHECK(5, a1, 0x1888)
  csrr a1, mip
  CHECK(6, a1, 0x80)
  csrr a1, mie
  CHECK(7, a1, 0)
  /* moving mtimecmp ahead clears MTIP */
  li a1, -1
  sw a1, MMIO_MTIMECMP(a0)
  sw a1, MMIO_MTIMECMP+4(a0)
  csrr a1, mip
  CHECK(8, a1, 0)
  /* MTIP without MTIE is not taken */
  sw zero, MMIO_MTIMECMP(a0)
  sw zero, MMIO_MTIMECMP+4(a0)
  nop
  nop
  csrr a1, mip
  CHECK(9, a1, 0x80)
  /* mtime is writable */
  li a1, 0x1000
  sw a1, MMIO_MTIME(a0)
  lw a2, MMIO_MTIME(a0)
  li t5, 10
  bltu a2, a1, fail
  addi a1, a1, 0x100
  bgeu a2, a1, fail
TEST_END
