/* mret: pc = mepc, MIE = MPIE, MPIE = 1. */
#include "test.h"

TEST_BEGIN
  li t5, 1
  la a0, 1f
  csrw mepc, a0
  li a0, 0x80
  csrw mstatus, a0
  mret
  j fail
1: csrr a0, mstatus
  CHECK(2, a0, 0x1888)
  li t5, 3
  la a0, 2f
  csrw mepc, a0
  csrw mstatus, zero
  mret
  j fail
2: csrr a0, mstatus
  CHECK(4, a0, 0x1880)
TEST_END
