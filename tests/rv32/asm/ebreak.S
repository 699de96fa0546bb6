/* ebreak: cause 3, mtval 0. */
#include "test.h"

TEST_BEGIN
  li a0, 3
  EXPECT_TRAP(1, 3, 0)
  ebreak
  TRAPPED
  CHECK(2, a0, 3)
  csrr a1, mepc
  li t5, 3
  beqz a1, fail
TEST_END
