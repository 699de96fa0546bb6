/* Zicsr: the six CSR instructions, the WARL fields and the counters of
 * docs/blocks/rv32.md. */
#include "test.h"

TEST_BEGIN
  li a0, 0x12345678
  csrrw a1, mscratch, a0
  CHECK(1, a1, 0)
  csrrs a1, mscratch, zero
  CHECK(2, a1, 0x12345678)
  li a0, 0x0000ff00
  csrrs a1, mscratch, a0
  CHECK(3, a1, 0x12345678)
  csrr a1, mscratch
  CHECK(4, a1, 0x1234ff78)
  li a0, 0x10000008
  csrrc a1, mscratch, a0
  CHECK(5, a1, 0x1234ff78)
  csrr a1, mscratch
  CHECK(6, a1, 0x0234ff70)
  csrrwi a1, mscratch, 0x15
  CHECK(7, a1, 0x0234ff70)
  csrrsi a1, mscratch, 0x0a
  CHECK(8, a1, 0x15)
  csrrci a1, mscratch, 0x01
  CHECK(9, a1, 0x1f)
  csrr a1, mscratch
  CHECK(10, a1, 0x1e)
  csrrw x0, mscratch, zero
  csrr a1, mscratch
  CHECK(11, a1, 0)
  /* WARL fields */
  li a0, -1
  csrw mtvec, a0
  csrr a1, mtvec
  CHECK(12, a1, 0xfffffffc)
  la a0, trap_vector
  csrw mtvec, a0
  li a0, -1
  csrw mepc, a0
  csrr a1, mepc
  CHECK(13, a1, 0xfffffffc)
  csrr a1, mstatus
  CHECK(14, a1, 0x1800)
  li a0, -1
  csrw mstatus, a0
  csrr a1, mstatus
  CHECK(15, a1, 0x1888)
  csrw mstatus, zero
  csrr a1, mstatus
  CHECK(16, a1, 0x1800)
  csrw mie, a0
  csrr a1, mie
  CHECK(17, a1, 0x880)
  csrw mie, zero
  /* misa: MXL = 1, I, and M on rv32im (checked by the ISA-specific tests) */
  csrr a1, misa
  li t6, ~0x1000
  and a1, a1, t6
  CHECK(18, a1, 0x40000100)
  csrr a2, misa
  csrw misa, zero
  csrr a1, misa
  li t5, 19
  bne a1, a2, fail
  csrw mip, a0
  csrr a1, mip
  CHECK(20, a1, 0)
  csrw mstatush, a0
  csrr a1, mstatush
  CHECK(21, a1, 0)
  csrw mcause, a0
  csrr a1, mcause
  CHECK(22, a1, 0x8000000f)
  csrw mtval, a0
  csrr a1, mtval
  CHECK(23, a1, 0xffffffff)
  csrr a1, mvendorid
  CHECK(24, a1, 0)
  csrr a1, marchid
  CHECK(25, a1, 0)
  csrr a1, mimpid
  CHECK(26, a1, 0)
  csrr a1, mhartid
  CHECK(27, a1, 0)
  csrrsi a1, mhartid, 0
  CHECK(28, a1, 0)
  /* minstret counts retired instructions: 3 between the reads. */
  csrr a1, minstret
  nop
  nop
  csrr a2, minstret
  sub a2, a2, a1
  CHECK(29, a2, 3)
  /* a write replaces the writing instruction's increment */
  li a0, 100
  csrw minstret, a0
  csrr a1, minstret
  CHECK(30, a1, 100)
  csrw minstreth, zero
  csrr a1, minstreth
  CHECK(31, a1, 0)
  /* mcycle counts up */
  csrr a1, mcycle
  nop
  csrr a2, mcycle
  li t5, 32
  bleu a2, a1, fail
  csrr a1, mcycleh
  CHECK(33, a1, 0)
  csrw mcycle, zero
  csrr a1, mcycle
  li t5, 34
  li t6, 16
  bgeu a1, t6, fail
TEST_END
