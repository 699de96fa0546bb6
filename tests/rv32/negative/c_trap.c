/* An illegal instruction in C: crt0's default handler fails with
 * code 0x100 + mcause = 258. */
int main(void) {
  __asm__ volatile(".word 0");
  return 0;
}
