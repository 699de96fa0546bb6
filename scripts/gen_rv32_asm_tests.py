#!/usr/bin/env python3
"""Writes the per-instruction directed tests tests/rv32/asm/<insn>.S.

The expected values come from the arithmetic below, written from the RISC-V
unprivileged specification (RV32I and the M extension), independently of
the C++ instruction-set simulator. Run from the repository root; the files
are checked in, so this runs only when a test changes."""
import itertools
import pathlib

M = 0xFFFFFFFF
VALUES = [0, 1, 2, 5, 31, 32, 33, 0x7FF, 0x800, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFF, 0xFFFFFFFE, 0x12345678,
          0xFEDCBA98, 0xFFFFF800]
IMMS = [0, 1, -1, 5, -7, 0x7FF, -0x800, 0x555, -0x2AB]
SHAMTS = [0, 1, 4, 15, 16, 31]


def s(x):
    x &= M
    return x - (1 << 32) if x & 0x80000000 else x


def div(a, b):
    if b == 0:
        return M
    if s(a) == -(1 << 31) and s(b) == -1:
        return a
    q = abs(s(a)) // abs(s(b))
    return (-q if (s(a) < 0) != (s(b) < 0) else q) & M


def rem(a, b):
    if b == 0:
        return a
    if s(a) == -(1 << 31) and s(b) == -1:
        return 0
    r = abs(s(a)) % abs(s(b))
    return (-r if s(a) < 0 else r) & M


RR = {
    "add": lambda a, b: (a + b) & M,
    "sub": lambda a, b: (a - b) & M,
    "sll": lambda a, b: (a << (b & 31)) & M,
    "slt": lambda a, b: int(s(a) < s(b)),
    "sltu": lambda a, b: int(a < b),
    "xor": lambda a, b: a ^ b,
    "srl": lambda a, b: a >> (b & 31),
    "sra": lambda a, b: (s(a) >> (b & 31)) & M,
    "or": lambda a, b: a | b,
    "and": lambda a, b: a & b,
}
MUL = {
    "mul": lambda a, b: (a * b) & M,
    "mulh": lambda a, b: ((s(a) * s(b)) >> 32) & M,
    "mulhsu": lambda a, b: ((s(a) * b) >> 32) & M,
    "mulhu": lambda a, b: ((a * b) >> 32) & M,
    "div": div,
    "divu": lambda a, b: M if b == 0 else a // b,
    "rem": rem,
    "remu": lambda a, b: a if b == 0 else a % b,
}
IMM = {
    "addi": lambda a, i: (a + i) & M,
    "slti": lambda a, i: int(s(a) < i),
    "sltiu": lambda a, i: int(a < (i & M)),
    "xori": lambda a, i: a ^ (i & M),
    "ori": lambda a, i: a | (i & M),
    "andi": lambda a, i: a & (i & M),
}
SHIFT_IMM = {
    "slli": lambda a, i: (a << i) & M,
    "srli": lambda a, i: a >> i,
    "srai": lambda a, i: (s(a) >> i) & M,
}
BRANCH = {
    "beq": lambda a, b: a == b,
    "bne": lambda a, b: a != b,
    "blt": lambda a, b: s(a) < s(b),
    "bge": lambda a, b: s(a) >= s(b),
    "bltu": lambda a, b: a < b,
    "bgeu": lambda a, b: a >= b,
}
HEADER = "/* {}: directed test written by scripts/gen_rv32_asm_tests.py. */\n#include \"test.h\"\n\nTEST_BEGIN\n"
OUT = pathlib.Path("tests/rv32/asm")


def h(x):
    return f"0x{x & M:08x}"


def write(name, body, data=""):
    text = HEADER.format(name) + body + "TEST_END\n" + data
    (OUT / f"{name}.S").write_text(text)


def main():
    pairs = list(itertools.product(VALUES, VALUES))[::3]  # every third pair: each value meets many others
    for op, f in {**RR, **MUL}.items():
        body = "".join(f"  TEST_RR({n}, {op}, {h(f(a, b))}, {h(a)}, {h(b)})\n" for n, (a, b) in enumerate(pairs, 1))
        body += f"  TEST_RR_X0({len(pairs) + 1}, {op}, 0x12345678, 0x00000007)\n"
        write(op, body)
    for op, f in IMM.items():
        cases = list(itertools.product(VALUES, IMMS))[::2]
        body = "".join(f"  TEST_IMM({n}, {op}, {h(f(a, i))}, {h(a)}, {i})\n" for n, (a, i) in enumerate(cases, 1))
        write(op, body)
    for op, f in SHIFT_IMM.items():
        cases = list(itertools.product(VALUES, SHAMTS))
        body = "".join(f"  TEST_IMM({n}, {op}, {h(f(a, i))}, {h(a)}, {i})\n" for n, (a, i) in enumerate(cases, 1))
        write(op, body)
    for op, f in BRANCH.items():
        body = ""
        for n, (a, b) in enumerate(itertools.product(VALUES[::2], VALUES[::2]), 1):
            body += f"  TEST_BR_{'TAKEN' if f(a, b) else 'NOT_TAKEN'}({n}, {op}, {h(a)}, {h(b)})\n"
        write(op, body)
    # Loads from a known block: bytes 0x80 0x01 0xff 0x7f 0x34 0x12 0x00 0x80.
    mem = [0x80, 0x01, 0xFF, 0x7F, 0x34, 0x12, 0x00, 0x80]
    data = "\n  .data\n  .balign 4\nblock:\n  .byte " + ", ".join(f"0x{b:02x}" for b in mem) + "\n"

    def load(off, size, signed):
        v = int.from_bytes(bytes(mem[off:off + size]), "little")
        if signed and v >> (8 * size - 1):
            v -= 1 << (8 * size)
        return v & M

    for op, size, signed in [("lb", 1, True), ("lbu", 1, False), ("lh", 2, True), ("lhu", 2, False), ("lw", 4, True)]:
        body = "".join(f"  TEST_LD({n}, {op}, {h(load(off, size, signed))}, {off}, block)\n"
                       for n, off in enumerate(range(0, 8, size), 1))
        body += f"  la a1, block + 8\n  {op} a3, -{size}(a1)\n  CHECK({8 // size + 1}, a3, {h(load(8 - size, size, signed))})\n"
        write(op, body, data)
    # Stores into an initialised block: each store's lanes change, the rest stay.
    sdata = "\n  .data\n  .balign 4\nsblock:\n  .word 0x11223344, 0x55667788\n"
    words = [0x11223344, 0x55667788]
    for op, size in [("sb", 1), ("sh", 2), ("sw", 4)]:
        body, w, n = "", list(words), 0
        for off in range(0, 8, size):
            n += 1
            value = 0xA5C3F00F ^ (off * 0x01010101)
            mask = ((1 << (8 * size)) - 1) << (8 * (off & 3))
            i = off // 4
            w[i] = (w[i] & ~mask & M) | ((value << (8 * (off & 3))) & mask)
            body += f"  TEST_ST({n}, {op}, {h(value)}, {off}, sblock, {h(w[i])})\n"
        write(op, body, sdata)
    # Division by quotient length: dividends and divisors of every magnitude
    # (a pattern shifted right), both signs, and the divisors 0, 1 and -1, so
    # that a divider that runs only as many steps as the quotient has bits
    # meets every length from none to 32.
    mags = [0x9E3779B9 >> i for i in (0, 3, 8, 15, 16, 21, 27, 31)] + [0x80000000]
    dividends = mags + [-x & M for x in mags[1::3]]
    divisors = mags[1:] + [-x & M for x in mags[2::4]] + [0, 1, M]
    body, n = "", 0
    for (i, a), (j, b) in itertools.product(enumerate(dividends), enumerate(divisors)):
        op = ("div", "divu", "rem", "remu")[(i + j) % 4]
        n += 1
        body += f"  TEST_RR({n}, {op}, {h(MUL[op](a, b))}, {h(a)}, {h(b)})\n"
    write("div_lengths", body)


if __name__ == "__main__":
    main()
