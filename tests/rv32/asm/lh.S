/* lh: directed test written by scripts/gen_rv32_asm_tests.py. */
#include "test.h"

TEST_BEGIN
  TEST_LD(1, lh, 0x00000180, 0, block)
  TEST_LD(2, lh, 0x00007fff, 2, block)
  TEST_LD(3, lh, 0x00001234, 4, block)
  TEST_LD(4, lh, 0xffff8000, 6, block)
  la a1, block + 8
  lh a3, -2(a1)
  CHECK(5, a3, 0xffff8000)
TEST_END

  .data
  .balign 4
block:
  .byte 0x80, 0x01, 0xff, 0x7f, 0x34, 0x12, 0x00, 0x80
