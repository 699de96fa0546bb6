/* sb: directed test written by scripts/gen_rv32_asm_tests.py. */
#include "test.h"

TEST_BEGIN
  TEST_ST(1, sb, 0xa5c3f00f, 0, sblock, 0x1122330f)
  TEST_ST(2, sb, 0xa4c2f10e, 1, sblock, 0x11220e0f)
  TEST_ST(3, sb, 0xa7c1f20d, 2, sblock, 0x110d0e0f)
  TEST_ST(4, sb, 0xa6c0f30c, 3, sblock, 0x0c0d0e0f)
  TEST_ST(5, sb, 0xa1c7f40b, 4, sblock, 0x5566770b)
  TEST_ST(6, sb, 0xa0c6f50a, 5, sblock, 0x55660a0b)
  TEST_ST(7, sb, 0xa3c5f609, 6, sblock, 0x55090a0b)
  TEST_ST(8, sb, 0xa2c4f708, 7, sblock, 0x08090a0b)
TEST_END

  .data
  .balign 4
sblock:
  .word 0x11223344, 0x55667788
