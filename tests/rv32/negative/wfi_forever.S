/* WFI with no interrupt enabled: can never wake. */
#include "test.h"

TEST_BEGIN
  csrw mie, zero
  wfi
TEST_END
