/* ecall: cause 11, mtval 0, mepc the ecall; mstatus MPIE = MIE, MIE = 0. */
#include "test.h"

TEST_BEGIN
  csrsi mstatus, 8
  EXPECT_TRAP(1, 11, 0)
  ecall
  TRAPPED
  csrr a0, mstatus
  CHECK(2, a0, 0x1888)
  EXPECT_TRAP(3, 11, 0)
  ecall
  TRAPPED
  csrr a0, mstatus
  CHECK(4, a0, 0x1888)
TEST_END
