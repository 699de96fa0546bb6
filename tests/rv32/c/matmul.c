/* Integer matrix multiply: C = A * B (16 x 16, int32), checked against
 * the transposed-B product, A * I = A, and the trace identity
 * trace(A * B) = sum_ij A[i][j] * B[j][i]. */
#include <stdint.h>
#include <stdio.h>

#define N 16

static int32_t A[N][N], B[N][N], Bt[N][N], C[N][N], D[N][N], I[N][N];

static void multiply(int32_t (*r)[N], int32_t (*x)[N], int32_t (*y)[N]) {
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      int32_t acc = 0;
      for (int k = 0; k < N; ++k) acc += x[i][k] * y[k][j];
      r[i][j] = acc;
    }
}

int main(void) {
  uint32_t s = 7;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      s = s * 1664525u + 1013904223u;
      A[i][j] = (int32_t)(s >> 20) - 2048;
      s = s * 1664525u + 1013904223u;
      B[i][j] = (int32_t)(s >> 22) - 512;
      I[i][j] = i == j;
    }
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) Bt[j][i] = B[i][j];
  multiply(C, A, B);
  int bad = 0;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      int32_t acc = 0;
      for (int k = 0; k < N; ++k) acc += A[i][k] * Bt[j][k];
      bad |= acc != C[i][j];
    }
  multiply(D, A, I);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) bad |= D[i][j] != A[i][j];
  int64_t trace = 0, identity = 0, total = 0;
  for (int i = 0; i < N; ++i) {
    trace += C[i][i];
    for (int j = 0; j < N; ++j) {
      identity += (int64_t)A[i][j] * B[j][i];
      total += C[i][j];
    }
  }
  bad |= trace != identity;
  printf("trace %ld sum %ld c[0][0] %ld c[%d][%d] %ld\n", (long)trace, (long)total, (long)C[0][0], N - 1, N - 1, (long)C[N - 1][N - 1]);
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
