/* jal: rd = pc + 4, pc = pc + offset (forward, backward, rd = x0). */
#include "test.h"

TEST_BEGIN
  li t5, 1
  jal ra, 1f
ret1:
  j fail
1: la a0, ret1
  bne ra, a0, fail
  li t5, 2
  j 3f
2: la a0, ret3
  bne s1, a0, fail
  j 4f
3: jal s1, 2b
ret3:
  j fail
4: li t5, 3
  li a0, 7
  jal x0, 5f
  li a0, 0
5: CHECK(4, a0, 7)
  CHECK(5, x0, 0)
TEST_END
