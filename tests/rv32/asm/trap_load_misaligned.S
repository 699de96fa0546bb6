/* Load address misaligned (cause 4, mtval the address), also outside the map. */
#include "test.h"

TEST_BEGIN
  la a1, block
  li a0, 0x5a
  EXPECT_TRAP_AT(1, 4, block + 1)
  lw a0, 1(a1)
  TRAPPED
  EXPECT_TRAP_AT(2, 4, block + 2)
  lw a0, 2(a1)
  TRAPPED
  EXPECT_TRAP_AT(3, 4, block + 3)
  lw a0, 3(a1)
  TRAPPED
  EXPECT_TRAP_AT(4, 4, block + 1)
  lh a0, 1(a1)
  TRAPPED
  EXPECT_TRAP_AT(5, 4, block + 3)
  lhu a0, 3(a1)
  TRAPPED
  CHECK(6, a0, 0x5a)
  li a2, 0x20000001
  EXPECT_TRAP(7, 4, 0x20000001)
  lh a0, 0(a2)
  TRAPPED
  li a2, 0x30000002
  EXPECT_TRAP(8, 4, 0x30000002)
  lw a0, 0(a2)
  TRAPPED
  /* bytes are never misaligned */
  lb a0, 3(a1)
  CHECK(9, a0, 0x44)
TEST_END

  .data
  .balign 4
block: .word 0x44332211
