/* sh: directed test written by scripts/gen_rv32_asm_tests.py. */
#include "test.h"

TEST_BEGIN
  TEST_ST(1, sh, 0xa5c3f00f, 0, sblock, 0x1122f00f)
  TEST_ST(2, sh, 0xa7c1f20d, 2, sblock, 0xf20df00f)
  TEST_ST(3, sh, 0xa1c7f40b, 4, sblock, 0x5566f40b)
  TEST_ST(4, sh, 0xa3c5f609, 6, sblock, 0xf609f40b)
TEST_END

  .data
  .balign 4
sblock:
  .word 0x11223344, 0x55667788
