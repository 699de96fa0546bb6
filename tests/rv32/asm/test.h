/* Self-checking RV32 assembly tests: each check has a number (in t5); the
 * first failing check ends the run with tohost = (n << 1) | 1, the end of
 * the test with tohost = 1. t5 and t6 and s8-s11 belong to the macros.
 *
 * gp is set as crt0 sets it (the linker relaxes addresses near it).
 *
 * Traps: a test that expects one sets s10 = mcause, s11 = mtval, s9 = mepc
 * (0: not checked), s8 = resume address (0: return to mepc) before the
 * instruction; the handler checks them and sets s10 = -1. An interrupt
 * also clears mie. Any other trap fails with code 0x100 + mcause
 * (0x120 + cause for an interrupt), a wrong mcause/mtval/mepc with the
 * check's number + 0x200. */
#ifndef STRATA_RV32_ASM_TEST_H
#define STRATA_RV32_ASM_TEST_H

#define MMIO_BASE 0x20000000
#define MMIO_IRQ 0x08
#define MMIO_MTIME 0x10
#define MMIO_MTIMECMP 0x18

#define TEST_BEGIN                   \
  .section .text.init, "ax", @progbits; \
  .globl _start;                     \
  _start:                            \
  .option push;                      \
  .option norelax;                   \
  la gp, __global_pointer$;          \
  .option pop;                       \
  la t0, trap_vector;                \
  csrw mtvec, t0;                    \
  li s10, -1;                        \
  li t5, 0;

/* Fails unless reg == value. */
#define CHECK(n, reg, value) \
  li t5, n;                  \
  li t6, value;              \
  bne reg, t6, fail;

/* rd = op(val1, val2) */
#define TEST_RR(n, op, result, val1, val2) \
  li a1, val1;                             \
  li a2, val2;                             \
  op a3, a1, a2;                           \
  CHECK(n, a3, result)                     \
  li t6, val1;                             \
  bne a1, t6, fail;                        \
  op a1, a1, a2;                           \
  CHECK(n, a1, result)                     \
  li a1, val1;                             \
  op a2, a1, a2;                           \
  CHECK(n, a2, result)

/* rd = op(val1, imm) */
#define TEST_IMM(n, op, result, val1, imm) \
  li a1, val1;                             \
  op a3, a1, imm;                          \
  CHECK(n, a3, result)                     \
  op a1, a1, imm;                          \
  CHECK(n, a1, result)

/* Writes to x0 are dropped. */
#define TEST_RR_X0(n, op, val1, val2) \
  li a1, val1;                        \
  li a2, val2;                        \
  op x0, a1, a2;                      \
  CHECK(n, x0, 0)

/* rd = load(label + offset) */
#define TEST_LD(n, op, result, offset, label) \
  la a1, label;                               \
  op a3, offset(a1);                          \
  CHECK(n, a3, result)

/* store(value, label + offset), then the word there must be `word`. */
#define TEST_ST(n, op, value, offset, label, word) \
  la a1, label;                                    \
  li a2, value;                                    \
  op a2, offset(a1);                               \
  lw a3, ((offset) & ~3)(a1);                      \
  CHECK(n, a3, word)

/* A branch that must (TAKEN) or must not (NOT_TAKEN) be taken. */
#define TEST_BR_TAKEN(n, op, val1, val2) \
  li t5, n;                              \
  li a1, val1;                           \
  li a2, val2;                           \
  op a1, a2, 1f;                         \
  j fail;                                \
  1:

#define TEST_BR_NOT_TAKEN(n, op, val1, val2) \
  li t5, n;                                  \
  li a1, val1;                               \
  li a2, val2;                               \
  op a1, a2, fail;

/* The next instruction must trap with this cause and mtval; mepc is its
 * address; execution resumes after it. */
#define EXPECT_TRAP(n, cause, tval) \
  li t5, n;                         \
  li s10, cause;                    \
  li s11, tval;                     \
  la s9, 1f;                        \
  la s8, 2f;                        \
  1:
/* The same with an mtval that is an address expression (a label). */
#define EXPECT_TRAP_AT(n, cause, tval) \
  li t5, n;                            \
  li s10, cause;                       \
  la s11, tval;                        \
  la s9, 1f;                           \
  la s8, 2f;                           \
  1:
/* After the trapping instruction: fails if the handler did not run. */
#define TRAPPED                     \
  j fail;                           \
  2:                                \
  li t6, -1;                        \
  bne s10, t6, fail;

#define TEST_END        \
  li a0, 1;             \
  la t6, tohost;        \
  sw a0, 0(t6);         \
  3: j 3b;              \
  fail:                 \
  slli a0, t5, 1;       \
  ori a0, a0, 1;        \
  la t6, tohost;        \
  sw a0, 0(t6);         \
  4: j 4b;              \
  .balign 4;            \
  trap_vector:          \
  li t6, -1;            \
  beq s10, t6, unexpected_trap; \
  csrr t6, mcause;      \
  bne t6, s10, bad_trap; \
  csrr t6, mtval;       \
  bne t6, s11, bad_trap; \
  beqz s9, 5f;          \
  csrr t6, mepc;        \
  bne t6, s9, bad_trap; \
  5: li s10, -1;        \
  csrr t6, mcause;      \
  bgez t6, 6f;          \
  csrw mie, zero;       \
  6: beqz s8, 7f;       \
  csrw mepc, s8;        \
  7: mret;              \
  bad_trap:             \
  addi t5, t5, 0x200;   \
  j fail;               \
  unexpected_trap:      \
  csrr t5, mcause;      \
  srli t6, t5, 31;      \
  slli t6, t6, 5;       \
  andi t5, t5, 0x1f;    \
  or t5, t5, t6;        \
  addi t5, t5, 0x100;   \
  j fail;               \
  .section .tohost, "aw", @progbits; \
  .balign 4;            \
  .globl tohost;        \
  tohost: .word 0;

#endif
