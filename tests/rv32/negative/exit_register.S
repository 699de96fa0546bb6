/* Ends by the MMIO exit register with 0 (pass). */
#include "test.h"

TEST_BEGIN
  li a0, MMIO_BASE
  sw zero, 4(a0)
  j fail
TEST_END
