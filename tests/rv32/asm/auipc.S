/* auipc: rd = pc + (imm << 12). */
#include "test.h"

TEST_BEGIN
  li t5, 1
1: auipc a0, 0
  la a1, 1b
  bne a0, a1, fail
  li t5, 2
2: auipc a0, 0x10
  la a1, 2b
  li a2, 0x10000
  add a1, a1, a2
  bne a0, a1, fail
  li t5, 3
3: auipc a0, 0xfffff
  la a1, 3b
  li a2, -0x1000
  add a1, a1, a2
  bne a0, a1, fail
TEST_END
