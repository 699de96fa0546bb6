/* jalr: pc = (rs1 + imm) & ~1, rd = pc + 4 (also rd = rs1). */
#include "test.h"

TEST_BEGIN
  li t5, 1
  la a1, 1f
  jalr ra, 0(a1)
ret1:
  j fail
1: la a0, ret1
  bne ra, a0, fail
  li t5, 2
  la a1, 2f - 8
  jalr ra, 8(a1)
  j fail
2: li t5, 3
  la a1, 3f + 1
  jalr x0, 0(a1)
  j fail
3: li t5, 4
  la a1, 4f
  jalr a1, 0(a1)
ret4:
  j fail
4: la a0, ret4
  bne a1, a0, fail
TEST_END
