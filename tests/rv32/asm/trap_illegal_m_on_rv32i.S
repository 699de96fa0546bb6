/* On rv32i every M-extension encoding (funct7 0000001) is illegal, and
 * misa has no M. Runs on the rv32i config. */
#include "test.h"

TEST_BEGIN
  li a0, 0x55
  /* mul a0, a1, a2 */
  EXPECT_TRAP(1, 2, 0x02c58533)
  .word 0x02c58533
  TRAPPED
  /* mulh a0, a1, a2 */
  EXPECT_TRAP(2, 2, 0x02c59533)
  .word 0x02c59533
  TRAPPED
  /* mulhsu a0, a1, a2 */
  EXPECT_TRAP(3, 2, 0x02c5a533)
  .word 0x02c5a533
  TRAPPED
  /* mulhu a0, a1, a2 */
  EXPECT_TRAP(4, 2, 0x02c5b533)
  .word 0x02c5b533
  TRAPPED
  /* div a0, a1, a2 */
  EXPECT_TRAP(5, 2, 0x02c5c533)
  .word 0x02c5c533
  TRAPPED
  /* divu a0, a1, a2 */
  EXPECT_TRAP(6, 2, 0x02c5d533)
  .word 0x02c5d533
  TRAPPED
  /* rem a0, a1, a2 */
  EXPECT_TRAP(7, 2, 0x02c5e533)
  .word 0x02c5e533
  TRAPPED
  /* remu a0, a1, a2 */
  EXPECT_TRAP(8, 2, 0x02c5f533)
  .word 0x02c5f533
  TRAPPED
  CHECK(9, a0, 0x55)
  csrr a1, misa
  CHECK(10, a1, 0x40000100)
TEST_END
