/* sw: directed test written by scripts/gen_rv32_asm_tests.py. */
#include "test.h"

TEST_BEGIN
  TEST_ST(1, sw, 0xa5c3f00f, 0, sblock, 0xa5c3f00f)
  TEST_ST(2, sw, 0xa1c7f40b, 4, sblock, 0xa1c7f40b)
TEST_END

  .data
  .balign 4
sblock:
  .word 0x11223344, 0x55667788
