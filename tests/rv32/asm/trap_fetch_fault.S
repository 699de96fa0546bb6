/* Instruction access fault (cause 1, mtval = mepc = the fetch address):
 * jumps to DMEM, MMIO, past IMEM's end; the jump itself retires. */
#include "test.h"

#define FETCH_FAULT(n, addr)  \
  li t5, n;                   \
  li s10, 1;                  \
  li s11, addr;               \
  li s9, addr;                \
  la s8, 2f;                  \
  li a1, addr;                \
  jalr ra, 0(a1);             \
  1: TRAPPED                  \
  la t6, 1b;                  \
  bne ra, t6, fail;

TEST_BEGIN
  FETCH_FAULT(1, 0x10000000)
  FETCH_FAULT(2, 0x20000000)
  FETCH_FAULT(3, 0x00004000)
  FETCH_FAULT(4, 0xfffffffc)
  FETCH_FAULT(5, 0x80000000)
TEST_END
