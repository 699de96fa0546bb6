/* Illegal instruction (cause 2, mtval = the instruction word): encodings
 * outside RV32IM + Zicsr + the four exact SYSTEM instructions, CSRs that do
 * not exist, writes to read-only CSRs. */
#include "test.h"

TEST_BEGIN
  li a0, 0x1234
  /* all zeros */
  EXPECT_TRAP(1, 2, 0x00000000)
  .word 0x00000000
  TRAPPED
  /* all ones */
  EXPECT_TRAP(2, 2, 0xffffffff)
  .word 0xffffffff
  TRAPPED
  /* bits [1:0] != 11 (a compressed encoding) */
  EXPECT_TRAP(3, 2, 0x00000001)
  .word 0x00000001
  TRAPPED
  /* unknown opcode 1111111 */
  EXPECT_TRAP(4, 2, 0x0000507f)
  .word 0x0000507f
  TRAPPED
  /* custom-0 opcode */
  EXPECT_TRAP(5, 2, 0x0000000b)
  .word 0x0000000b
  TRAPPED
  /* AMO opcode (lr.w without the A extension) */
  EXPECT_TRAP(6, 2, 0x0000202f)
  .word 0x0000202f
  TRAPPED
  /* LOAD-FP opcode (flw) */
  EXPECT_TRAP(7, 2, 0x00002007)
  .word 0x00002007
  TRAPPED
  /* load funct3 011 (ld) */
  EXPECT_TRAP(8, 2, 0x00003003)
  .word 0x00003003
  TRAPPED
  /* load funct3 110 (lwu) */
  EXPECT_TRAP(9, 2, 0x00006003)
  .word 0x00006003
  TRAPPED
  /* store funct3 011 (sd) */
  EXPECT_TRAP(10, 2, 0x00003023)
  .word 0x00003023
  TRAPPED
  /* branch funct3 010 */
  EXPECT_TRAP(11, 2, 0x00002063)
  .word 0x00002063
  TRAPPED
  /* branch funct3 011 */
  EXPECT_TRAP(12, 2, 0x00003063)
  .word 0x00003063
  TRAPPED
  /* jalr funct3 001 */
  EXPECT_TRAP(13, 2, 0x00001067)
  .word 0x00001067
  TRAPPED
  /* slli with funct7 0000001 */
  EXPECT_TRAP(14, 2, 0x02109093)
  .word 0x02109093
  TRAPPED
  /* slli with funct7 0100000 */
  EXPECT_TRAP(15, 2, 0x40109093)
  .word 0x40109093
  TRAPPED
  /* srli/srai with funct7 0010000 */
  EXPECT_TRAP(16, 2, 0x2010d093)
  .word 0x2010d093
  TRAPPED
  /* srai with funct7 0100001 */
  EXPECT_TRAP(17, 2, 0x4210d093)
  .word 0x4210d093
  TRAPPED
  /* sll with funct7 0100000 */
  EXPECT_TRAP(18, 2, 0x401090b3)
  .word 0x401090b3
  TRAPPED
  /* xor with funct7 0100000 */
  EXPECT_TRAP(19, 2, 0x4010c0b3)
  .word 0x4010c0b3
  TRAPPED
  /* add with funct7 0000010 */
  EXPECT_TRAP(20, 2, 0x041080b3)
  .word 0x041080b3
  TRAPPED
  /* OP-IMM-32 opcode (addiw) */
  EXPECT_TRAP(21, 2, 0x0000201b)
  .word 0x0000201b
  TRAPPED
  /* OP-32 opcode (addw) */
  EXPECT_TRAP(22, 2, 0x0000003b)
  .word 0x0000003b
  TRAPPED
  /* misc-mem funct3 010 */
  EXPECT_TRAP(23, 2, 0x0000200f)
  .word 0x0000200f
  TRAPPED
  /* fence.i with imm != 0 */
  EXPECT_TRAP(24, 2, 0x0010100f)
  .word 0x0010100f
  TRAPPED
  /* fence.i with rd != 0 */
  EXPECT_TRAP(25, 2, 0x0000108f)
  .word 0x0000108f
  TRAPPED
  /* fence.i with rs1 != 0 */
  EXPECT_TRAP(26, 2, 0x0000900f)
  .word 0x0000900f
  TRAPPED
  /* ecall with rd != 0 */
  EXPECT_TRAP(27, 2, 0x000000f3)
  .word 0x000000f3
  TRAPPED
  /* ecall with rs1 != 0 */
  EXPECT_TRAP(28, 2, 0x00008073)
  .word 0x00008073
  TRAPPED
  /* uret */
  EXPECT_TRAP(29, 2, 0x00200073)
  .word 0x00200073
  TRAPPED
  /* sret */
  EXPECT_TRAP(30, 2, 0x10200073)
  .word 0x10200073
  TRAPPED
  /* dret */
  EXPECT_TRAP(31, 2, 0x7b200073)
  .word 0x7b200073
  TRAPPED
  /* wfi-like with rd != 0 */
  EXPECT_TRAP(32, 2, 0x305000f3)
  .word 0x305000f3
  TRAPPED
  /* wfi with rd != 0 */
  EXPECT_TRAP(33, 2, 0x10500173)
  .word 0x10500173
  TRAPPED
  /* mret with rd != 0 */
  EXPECT_TRAP(34, 2, 0x30200173)
  .word 0x30200173
  TRAPPED
  /* sfence.vma */
  EXPECT_TRAP(35, 2, 0x12000073)
  .word 0x12000073
  TRAPPED
  /* system funct3 100 */
  EXPECT_TRAP(36, 2, 0x30004073)
  .word 0x30004073
  TRAPPED
  /* csrr cycle (no such CSR) */
  EXPECT_TRAP(37, 2, 0xc0002573)
  .word 0xc0002573
  TRAPPED
  /* csrr time (no such CSR) */
  EXPECT_TRAP(38, 2, 0xc0102573)
  .word 0xc0102573
  TRAPPED
  /* csrr instret (no such CSR) */
  EXPECT_TRAP(39, 2, 0xc0202573)
  .word 0xc0202573
  TRAPPED
  /* csrr mcounteren (no such CSR) */
  EXPECT_TRAP(40, 2, 0x30602573)
  .word 0x30602573
  TRAPPED
  /* csrr mcountinhibit (no such CSR) */
  EXPECT_TRAP(41, 2, 0x32002573)
  .word 0x32002573
  TRAPPED
  /* csrr dcsr (no such CSR) */
  EXPECT_TRAP(42, 2, 0x7b002573)
  .word 0x7b002573
  TRAPPED
  /* csrr sstatus (no such CSR) */
  EXPECT_TRAP(43, 2, 0x10002573)
  .word 0x10002573
  TRAPPED
  /* csrw mhartid (read-only) */
  EXPECT_TRAP(44, 2, 0xf1451073)
  .word 0xf1451073
  TRAPPED
  /* csrw mvendorid (read-only) */
  EXPECT_TRAP(45, 2, 0xf1151073)
  .word 0xf1151073
  TRAPPED
  /* csrrs marchid with rs1 != x0 (read-only) */
  EXPECT_TRAP(46, 2, 0xf1252573)
  .word 0xf1252573
  TRAPPED
  /* the trapping instructions wrote nothing */
  CHECK(47, a0, 0x1234)
  /* read-only CSRs read without writing: legal */
  csrrs a1, mhartid, zero
  csrrsi a1, mimpid, 0
  csrrci a1, marchid, 0
  CHECK(48, a1, 0)
TEST_END
