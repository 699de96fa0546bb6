#include <stdio.h>

int main(void) {
  printf("hello from rv32, %d + %d = %d\n", 2, 3, 2 + 3);
  return 0;
}
