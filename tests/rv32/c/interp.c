/* A small bytecode interpreter (a stack machine, switch dispatch) running
 * three programs whose results are checked against the same computations
 * in C: iterative Fibonacci, the sum of the primes below 500 by trial
 * division, and Euclid's gcd. Programs are assembled with labels. */
#include <stdint.h>
#include <stdio.h>

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, MOD, LT, JZ, JMP, HALT };

static int32_t run(const int32_t *code, int32_t *vars, uint32_t *steps) {
  int32_t stack[16];
  int sp = 0, pc = 0;
  for (;;) {
    ++*steps;
    const int32_t op = code[pc++];
    switch (op) {
      case PUSH: stack[sp++] = code[pc++]; break;
      case LOAD: stack[sp++] = vars[code[pc++]]; break;
      case STORE: vars[code[pc++]] = stack[--sp]; break;
      case ADD: --sp; stack[sp - 1] += stack[sp]; break;
      case SUB: --sp; stack[sp - 1] -= stack[sp]; break;
      case MUL: --sp; stack[sp - 1] *= stack[sp]; break;
      case MOD: --sp; stack[sp - 1] %= stack[sp]; break;
      case LT: --sp; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case JZ: pc = stack[--sp] ? pc + 1 : code[pc]; break;
      case JMP: pc = code[pc]; break;
      case HALT: return sp ? stack[sp - 1] : 0;
      default: return -1;
    }
  }
}

/* The assembler: code, labels (positions) and fixups of forward uses. */
static int32_t code[256];
static int len, label_at[16], fix_pos[32], fix_label[32], fixes;

static void op(int32_t o) { code[len++] = o; }
static void op1(int32_t o, int32_t arg) {
  op(o);
  op(arg);
}
static void jump(int32_t o, int label) {
  op(o);
  fix_pos[fixes] = len;
  fix_label[fixes++] = label;
  op(0);
}
static void here(int label) { label_at[label] = len; }
static void begin(void) { len = fixes = 0; }
static void link(void) {
  for (int k = 0; k < fixes; ++k) code[fix_pos[k]] = label_at[fix_label[k]];
}

enum { A, B, I, N, T, D, P, S };  /* variables */

static void fib_program(void) {  /* a, b = 0, 1; n times: a, b = b, a + b */
  begin();
  op1(PUSH, 0), op1(STORE, A), op1(PUSH, 1), op1(STORE, B), op1(PUSH, 0), op1(STORE, I);
  here(0);
  op1(LOAD, I), op1(LOAD, N), op(LT), jump(JZ, 1);
  op1(LOAD, A), op1(LOAD, B), op(ADD), op1(STORE, T);
  op1(LOAD, B), op1(STORE, A), op1(LOAD, T), op1(STORE, B);
  op1(LOAD, I), op1(PUSH, 1), op(ADD), op1(STORE, I), jump(JMP, 0);
  here(1);
  op1(LOAD, A), op(HALT);
  link();
}

static void primes_program(void) {  /* sum of the primes n < N by trial division */
  begin();
  op1(PUSH, 0), op1(STORE, S), op1(PUSH, 2), op1(STORE, I);
  here(0);
  op1(LOAD, I), op1(LOAD, N), op(LT), jump(JZ, 5);
  op1(PUSH, 2), op1(STORE, D), op1(PUSH, 1), op1(STORE, P);
  here(1);
  op1(LOAD, D), op1(LOAD, D), op(MUL), op1(LOAD, I), op1(PUSH, 1), op(ADD), op(LT), jump(JZ, 3);
  op1(LOAD, I), op1(LOAD, D), op(MOD), jump(JZ, 2);
  op1(LOAD, D), op1(PUSH, 1), op(ADD), op1(STORE, D), jump(JMP, 1);
  here(2);
  op1(PUSH, 0), op1(STORE, P);
  here(3);
  op1(LOAD, P), jump(JZ, 4);
  op1(LOAD, S), op1(LOAD, I), op(ADD), op1(STORE, S);
  here(4);
  op1(LOAD, I), op1(PUSH, 1), op(ADD), op1(STORE, I), jump(JMP, 0);
  here(5);
  op1(LOAD, S), op(HALT);
  link();
}

static void gcd_program(void) {  /* while b: a, b = b, a % b */
  begin();
  here(0);
  op1(LOAD, B), jump(JZ, 1);
  op1(LOAD, A), op1(LOAD, B), op(MOD), op1(STORE, T);
  op1(LOAD, B), op1(STORE, A), op1(LOAD, T), op1(STORE, B), jump(JMP, 0);
  here(1);
  op1(LOAD, A), op(HALT);
  link();
}

int main(void) {
  int32_t vars[8] = {0};
  uint32_t steps = 0;
  int bad = 0;

  fib_program();
  vars[N] = 40;
  const int32_t f = run(code, vars, &steps);
  int32_t a = 0, b = 1;
  for (int i = 0; i < 40; ++i) {
    const int32_t t = a + b;
    a = b;
    b = t;
  }
  bad |= f != a || f != 102334155;

  primes_program();
  vars[N] = 500;
  const int32_t p = run(code, vars, &steps);
  int32_t sum = 0;
  for (int32_t n = 2; n < 500; ++n) {
    int prime = 1;
    for (int32_t d = 2; d * d <= n; ++d)
      if (n % d == 0) prime = 0;
    if (prime) sum += n;
  }
  bad |= p != sum || p != 21536;

  gcd_program();
  vars[A] = 1071;
  vars[B] = 462;
  const int32_t g = run(code, vars, &steps);
  bad |= g != 21;

  printf("fib(40) %ld primes<500 %ld gcd(1071,462) %ld in %lu steps\n", (long)f, (long)p, (long)g, (unsigned long)steps);
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
