/* fence and fence.i execute as no-ops (any fence fields). */
#include "test.h"

TEST_BEGIN
  li a0, 5
  fence
  fence rw, rw
  fence iorw, iorw
  fence.i
  .word 0x8330000f  /* fence.tso */
  .word 0x0ff5828f  /* fence with rs1 and rd fields set */
  CHECK(1, a0, 5)
  la a1, word
  sw a0, 0(a1)
  fence
  lw a2, 0(a1)
  CHECK(2, a2, 5)
TEST_END

  .data
word: .word 0
