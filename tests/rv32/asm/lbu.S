/* lbu: directed test written by scripts/gen_rv32_asm_tests.py. */
#include "test.h"

TEST_BEGIN
  TEST_LD(1, lbu, 0x00000080, 0, block)
  TEST_LD(2, lbu, 0x00000001, 1, block)
  TEST_LD(3, lbu, 0x000000ff, 2, block)
  TEST_LD(4, lbu, 0x0000007f, 3, block)
  TEST_LD(5, lbu, 0x00000034, 4, block)
  TEST_LD(6, lbu, 0x00000012, 5, block)
  TEST_LD(7, lbu, 0x00000000, 6, block)
  TEST_LD(8, lbu, 0x00000080, 7, block)
  la a1, block + 8
  lbu a3, -1(a1)
  CHECK(9, a3, 0x00000080)
TEST_END

  .data
  .balign 4
block:
  .byte 0x80, 0x01, 0xff, 0x7f, 0x34, 0x12, 0x00, 0x80
