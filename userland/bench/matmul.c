/*
 * matmul.c (bench_matmul): 96x96 integer matrix multiply, argv[1] times
 * (default 1000), nudging an input element between rounds so no round can be
 * skipped, and printing a checksum of all the products.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define N 96
#define DEFAULT_ROUNDS 1000

static int32_t a[N][N];
static int32_t b[N][N];
static int32_t c[N][N];

static void multiply(void)
{
	for (int i = 0; i < N; i++) {
		for (int j = 0; j < N; j++)
			c[i][j] = 0;
		for (int k = 0; k < N; k++) {
			int32_t aik = a[i][k];
			for (int j = 0; j < N; j++)
				c[i][j] += aik * b[k][j];
		}
	}
}

int main(int argc, char **argv)
{
	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : DEFAULT_ROUNDS;
	uint32_t seed = 42;
	uint32_t checksum = 0;

	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			seed = seed * 1664525u + 1013904223u;
			a[i][j] = (int32_t)(seed >> 20) - 2048;
			seed = seed * 1664525u + 1013904223u;
			b[i][j] = (int32_t)(seed >> 20) - 2048;
		}
	for (unsigned round = 0; round < rounds; round++) {
		multiply();
		for (int i = 0; i < N; i++)
			for (int j = 0; j < N; j++)
				checksum = checksum * 33u + (uint32_t)c[i][j];
		a[round % N][(round * 7) % N] += 1;
	}
	printf("matmul: %u rounds of %dx%d: 0x%08lx\n", rounds, N, N, (unsigned long)checksum);
	return 0;
}
