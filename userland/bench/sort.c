/*
 * sort.c (bench_sort): quicksort (median-of-three, insertion sort for short
 * runs) of 50000 pseudo-random ints from an LCG, argv[1] times (default 250)
 * with a different seed each round, verifying each result is ordered and
 * folding it into a checksum. Exits 1 if a round comes out unsorted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define COUNT 50000
#define DEFAULT_ROUNDS 250
#define INSERTION_LIMIT 16

static int32_t values[COUNT];

static void insertion_sort(int32_t *a, int n)
{
	for (int i = 1; i < n; i++) {
		int32_t v = a[i];
		int j = i - 1;
		while (j >= 0 && a[j] > v) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = v;
	}
}

static void swap(int32_t *a, int32_t *b)
{
	int32_t t = *a;
	*a = *b;
	*b = t;
}

static void quicksort(int32_t *a, int n)
{
	while (n > INSERTION_LIMIT) {
		int mid = n / 2;
		if (a[mid] < a[0])
			swap(&a[mid], &a[0]);
		if (a[n - 1] < a[0])
			swap(&a[n - 1], &a[0]);
		if (a[n - 1] < a[mid])
			swap(&a[n - 1], &a[mid]);
		int32_t pivot = a[mid];
		int i = 0;
		int j = n - 1;
		for (;;) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i >= j)
				break;
			swap(&a[i], &a[j]);
			i++;
			j--;
		}
		/* Recurse into the smaller side, loop on the larger. */
		int left = j + 1;
		if (left < n - left) {
			quicksort(a, left);
			a += left;
			n -= left;
		} else {
			quicksort(a + left, n - left);
			n = left;
		}
	}
	insertion_sort(a, n);
}

int main(int argc, char **argv)
{
	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : DEFAULT_ROUNDS;
	uint32_t checksum = 0;

	for (unsigned round = 0; round < rounds; round++) {
		uint32_t seed = 0x9e3779b9u * (round + 1);
		for (int i = 0; i < COUNT; i++) {
			seed = seed * 1664525u + 1013904223u;
			values[i] = (int32_t)seed;
		}
		quicksort(values, COUNT);
		for (int i = 1; i < COUNT; i++)
			if (values[i - 1] > values[i]) {
				printf("sort: round %u unsorted at %d\n", round, i);
				return 1;
			}
		for (int i = 0; i < COUNT; i += 97)
			checksum = checksum * 31u + (uint32_t)values[i];
	}
	printf("sort: %u rounds of %d ints: 0x%08lx\n", rounds, COUNT, (unsigned long)checksum);
	return 0;
}
