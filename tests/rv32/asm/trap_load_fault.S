/* Load access fault (cause 5, mtval the address): IMEM, gaps, past DMEM and MMIO. */
#include "test.h"

#define LOAD_FAULT(n, insn, addr) \
  li a2, addr;                    \
  EXPECT_TRAP(n, 5, addr)         \
  insn a0, 0(a2);                 \
  TRAPPED

TEST_BEGIN
  li a0, 0x66
  LOAD_FAULT(1, lw, 0x00000000)
  LOAD_FAULT(2, lb, 0x00000004)
  LOAD_FAULT(3, lw, 0x0ffffffc)
  LOAD_FAULT(4, lw, 0x10004000)
  LOAD_FAULT(5, lhu, 0x1ffffffe)
  LOAD_FAULT(6, lw, 0x20000020)
  LOAD_FAULT(7, lbu, 0xffffffff)
  LOAD_FAULT(8, lw, 0x80000000)
  CHECK(9, a0, 0x66)
  /* the last DMEM word and the last MMIO word load */
  li a2, 0x10003ffc
  lw a0, 0(a2)
  li a2, 0x2000001c
  lw a0, 0(a2)
  CHECK(10, a0, 0xffffffff)
TEST_END
