/* Checksums: CRC-32 (bitwise and by table), Adler-32 and Fletcher-16 on
 * their standard check strings and on a pseudo-random buffer; the two
 * CRC-32 forms must agree. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t crc32_bitwise(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & -(c & 1u));
  }
  return ~c;
}

static uint32_t table[256];

static void crc32_init(void) {
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & -(c & 1u));
    table[i] = c;
  }
}

static uint32_t crc32_table(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return ~c;
}

static uint32_t adler32(const uint8_t *p, size_t n) {
  uint32_t a = 1, b = 0;
  for (size_t i = 0; i < n; ++i) {
    a = (a + p[i]) % 65521u;
    b = (b + a) % 65521u;
  }
  return (b << 16) | a;
}

static uint16_t fletcher16(const uint8_t *p, size_t n) {
  uint16_t a = 0, b = 0;
  for (size_t i = 0; i < n; ++i) {
    a = (uint16_t)((a + p[i]) % 255);
    b = (uint16_t)((b + a) % 255);
  }
  return (uint16_t)((b << 8) | a);
}

static uint8_t buffer[4096];

int main(void) {
  int bad = 0;
  crc32_init();
  const char *check = "123456789";
  const uint32_t c1 = crc32_bitwise((const uint8_t *)check, strlen(check));
  const uint32_t c2 = crc32_table((const uint8_t *)check, strlen(check));
  const uint32_t a1 = adler32((const uint8_t *)"Wikipedia", 9);
  const uint16_t f1 = fletcher16((const uint8_t *)"abcde", 5);
  printf("crc32(123456789) = %08lx %08lx\n", (unsigned long)c1, (unsigned long)c2);
  printf("adler32(Wikipedia) = %08lx\n", (unsigned long)a1);
  printf("fletcher16(abcde) = %04x\n", f1);
  bad |= c1 != 0xCBF43926u || c2 != 0xCBF43926u;
  bad |= a1 != 0x11E60398u;
  bad |= f1 != 0xC8F0u;
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < sizeof buffer; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    buffer[i] = (uint8_t)(x >> 24);
  }
  const uint32_t b1 = crc32_bitwise(buffer, sizeof buffer), b2 = crc32_table(buffer, sizeof buffer);
  printf("buffer: crc32 %08lx adler32 %08lx fletcher16 %04x\n", (unsigned long)b2, (unsigned long)adler32(buffer, sizeof buffer),
         fletcher16(buffer, sizeof buffer));
  bad |= b1 != b2;
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
