/* picolibc's standard streams on the MMIO console: printf writes each
 * byte to the console register; reading gives end of file. */
#include <stdio.h>

#include "strata_rv32.h"

static int console_put(char c, FILE *file) {
  (void)file;
  strata_putc(c);
  return (unsigned char)c;
}

static int console_get(FILE *file) {
  (void)file;
  return EOF;
}

static FILE console = FDEV_SETUP_STREAM(console_put, console_get, NULL, _FDEV_SETUP_RW);

FILE *const stdin = &console;
FILE *const stdout = &console;
FILE *const stderr = &console;
