/* Store address misaligned (cause 6, mtval the address); memory unchanged. */
#include "test.h"

TEST_BEGIN
  la a1, block
  li a0, -1
  EXPECT_TRAP_AT(1, 6, block + 1)
  sw a0, 1(a1)
  TRAPPED
  EXPECT_TRAP_AT(2, 6, block + 2)
  sw a0, 2(a1)
  TRAPPED
  EXPECT_TRAP_AT(3, 6, block + 3)
  sh a0, 3(a1)
  TRAPPED
  EXPECT_TRAP_AT(4, 6, block + 5)
  sh a0, 5(a1)
  TRAPPED
  li a2, 0x00000002
  EXPECT_TRAP(5, 6, 0x00000002)
  sw a0, 0(a2)
  TRAPPED
  lw a3, 0(a1)
  CHECK(6, a3, 0x44332211)
  lw a3, 4(a1)
  CHECK(7, a3, 0x88776655)
TEST_END

  .data
  .balign 4
block: .word 0x44332211, 0x88776655
