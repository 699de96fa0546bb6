/* Start-up code of the RV32 control core's C programs (with the linker
 * script `link.ld` that `strata gen` writes for a config with rv32):
 * gp, sp and tp, a trap vector, .bss zeroed, constructors, main(), exit().
 *
 * A program ends by storing to `tohost` (1 = pass, (n << 1) | 1 = fail
 * with code n): exit(0) passes, exit(n) fails with code n. An unexpected
 * trap fails with code 0x100 + mcause (0x120 + cause for an interrupt);
 * a program that takes traps defines its own `trap_handler` (entered with
 * the interrupted registers intact: it must save what it uses and mret).
 * The loader writes .data in place, so nothing is copied. */
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __stack_top
    la tp, __tls_base
    la t0, trap_handler
    csrw mtvec, t0
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 1b
2:  call __libc_init_array
    li a0, 0
    li a1, 0
    call main
    call exit
3:  j 3b

/* exit() ends here: tohost = 1 for 0, else (code << 1) | 1. */
    .text
    .globl _exit
    .type _exit, @function
_exit:
    slli a0, a0, 1
    ori a0, a0, 1
    la t0, tohost
    sw a0, 0(t0)
1:  j 1b
    .size _exit, . - _exit

    .weak trap_handler
    .type trap_handler, @function
    .balign 4
trap_handler:
    csrr a0, mcause
    srli a1, a0, 31
    slli a1, a1, 5
    andi a0, a0, 0x1f
    or a0, a0, a1
    addi a0, a0, 0x100
    j _exit
    .size trap_handler, . - trap_handler

    .section .tohost, "aw", @progbits
    .balign 4
    .globl tohost
tohost:
    .word 0
