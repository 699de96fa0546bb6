/* exit(3): fail with code 3. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("hello\n");
  exit(3);
}
