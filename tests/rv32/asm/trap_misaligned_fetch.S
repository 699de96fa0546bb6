/* Instruction address misaligned (cause 0, mtval the target): raised on the
 * taken branch or jump itself, rd not written; not raised by a branch that
 * is not taken. */
#include "test.h"

TEST_BEGIN
  li ra, 0x77
  EXPECT_TRAP_AT(1, 0, target + 2)
  jal ra, target + 2
  TRAPPED
  CHECK(2, ra, 0x77)
  la a1, target
  EXPECT_TRAP_AT(3, 0, target + 2)
  jalr ra, 2(a1)
  TRAPPED
  CHECK(4, ra, 0x77)
  EXPECT_TRAP_AT(5, 0, target + 2)
  jalr ra, 3(a1)
  TRAPPED
  EXPECT_TRAP_AT(6, 0, target + 2)
  beq zero, zero, target + 2
  TRAPPED
  EXPECT_TRAP_AT(7, 0, target + 2)
  bne a1, zero, target + 2
  TRAPPED
  li t5, 8
  bne zero, zero, target + 2
  /* jalr clears bit 0 only: target + 1 is aligned after it */
  li t5, 9
  jalr ra, 1(a1)
  j fail
target:
  nop
TEST_END
