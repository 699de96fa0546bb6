/* Ends by the MMIO exit register with 9 (fail). */
#include "test.h"

TEST_BEGIN
  li a0, MMIO_BASE
  li a1, 9
  sw a1, 4(a0)
  j fail
TEST_END
