/* Sorting 600 pseudo-random integers three ways (quicksort, merge sort,
 * the C library's qsort); each result must be sorted, a permutation of the
 * input (same sum and xor) and equal to the others. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 600

static int32_t input[N], a[N], b[N], c[N], tmp[N];

static void quicksort(int32_t *v, int lo, int hi) {
  while (lo < hi) {
    const int32_t pivot = v[lo + (hi - lo) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) ++i;
      while (v[j] > pivot) --j;
      if (i <= j) {
        const int32_t t = v[i];
        v[i++] = v[j];
        v[j--] = t;
      }
    }
    if (j - lo < hi - i) {
      quicksort(v, lo, j);
      lo = i;
    } else {
      quicksort(v, i, hi);
      hi = j;
    }
  }
}

static void mergesort(int32_t *v, int n) {
  for (int w = 1; w < n; w *= 2) {
    for (int lo = 0; lo < n; lo += 2 * w) {
      int mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      int i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = v[i] <= v[j] ? v[i++] : v[j++];
      while (i < mid) tmp[k++] = v[i++];
      while (j < hi) tmp[k++] = v[j++];
    }
    memcpy(v, tmp, sizeof(int32_t) * (size_t)n);
  }
}

static int compare(const void *x, const void *y) {
  const int32_t p = *(const int32_t *)x, q = *(const int32_t *)y;
  return (p > q) - (p < q);
}

int main(void) {
  uint32_t s = 12345;
  int64_t sum = 0;
  uint32_t xr = 0;
  for (int i = 0; i < N; ++i) {
    s = s * 1103515245u + 12345u;
    input[i] = (int32_t)(s ^ (s >> 15)) % 100000;
    sum += input[i];
    xr ^= (uint32_t)input[i];
  }
  memcpy(a, input, sizeof a);
  memcpy(b, input, sizeof b);
  memcpy(c, input, sizeof c);
  quicksort(a, 0, N - 1);
  mergesort(b, N);
  qsort(c, N, sizeof c[0], compare);
  int bad = 0;
  int64_t sa = 0;
  uint32_t xa = 0;
  for (int i = 0; i < N; ++i) {
    if (i && a[i - 1] > a[i]) bad = 1;
    if (a[i] != b[i] || a[i] != c[i]) bad = 1;
    sa += a[i];
    xa ^= (uint32_t)a[i];
  }
  bad |= sa != sum || xa != xr;
  printf("min %ld median %ld max %ld sum %ld\n", (long)a[0], (long)a[N / 2], (long)a[N - 1], (long)sa);
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
