/* lui: rd = imm << 12. */
#include "test.h"

TEST_BEGIN
  lui a0, 0
  CHECK(1, a0, 0)
  lui a0, 0xfffff
  CHECK(2, a0, 0xfffff000)
  lui a0, 0x80000
  CHECK(3, a0, 0x80000000)
  lui a0, 0x12345
  CHECK(4, a0, 0x12345000)
  lui x0, 0x12345
  CHECK(5, x0, 0)
TEST_END
