/* Fails its third check: tohost = (3 << 1) | 1. */
#include "test.h"

TEST_BEGIN
  li a0, 1
  CHECK(1, a0, 1)
  CHECK(2, a0, 1)
  CHECK(3, a0, 2)
TEST_END
