/* lw: directed test written by scripts/gen_rv32_asm_tests.py. */
#include "test.h"

TEST_BEGIN
  TEST_LD(1, lw, 0x7fff0180, 0, block)
  TEST_LD(2, lw, 0x80001234, 4, block)
  la a1, block + 8
  lw a3, -4(a1)
  CHECK(3, a3, 0x80001234)
TEST_END

  .data
  .balign 4
block:
  .byte 0x80, 0x01, 0xff, 0x7f, 0x34, 0x12, 0x00, 0x80
