/* Store access fault (cause 7, mtval the address): IMEM, gaps, past DMEM and MMIO. */
#include "test.h"

#define STORE_FAULT(n, insn, addr) \
  li a2, addr;                     \
  EXPECT_TRAP(n, 7, addr)          \
  insn a0, 0(a2);                  \
  TRAPPED

TEST_BEGIN
  li a0, 0x13
  STORE_FAULT(1, sw, 0x00000000)
  STORE_FAULT(2, sb, 0x00000101)
  STORE_FAULT(3, sw, 0x10004000)
  STORE_FAULT(4, sh, 0x0ffffffe)
  STORE_FAULT(5, sw, 0x20000020)
  STORE_FAULT(6, sb, 0xffffffff)
  CHECK(7, a0, 0x13)
TEST_END
