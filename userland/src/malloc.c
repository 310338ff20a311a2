/*
 * malloc.c: exercises picolibc's malloc on our brk-based sbrk: a few MiB of
 * blocks of varying sizes are allocated, filled, checked, partly freed,
 * resized and reallocated, and the program prints a checksum of everything
 * it verified. Any corruption is reported and exits 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCKS 256
#define MAX_BLOCK 16384
#define BIG_BLOCK (1024 * 1024)

static uint8_t *blocks[BLOCKS];
static size_t sizes[BLOCKS];
static uint32_t rng_state = 12345;
static uint32_t checksum = 2166136261u;
static int errors;

static uint32_t next_random(void)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return rng_state >> 8;
}

static uint8_t pattern(size_t block, size_t offset)
{
	return (uint8_t)(block * 31 + offset * 7 + (offset >> 8));
}

static void fill(size_t block)
{
	for (size_t i = 0; i < sizes[block]; i++)
		blocks[block][i] = pattern(block, i);
}

/* Checks the first `length` bytes of a block and folds them into the checksum. */
static void verify(size_t block, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		uint8_t byte = blocks[block][i];
		if (byte != pattern(block, i)) {
			if (errors++ < 10)
				printf("block %u byte %u: got 0x%02x, want 0x%02x\n", (unsigned)block,
				       (unsigned)i, byte, pattern(block, i));
		}
		checksum = (checksum ^ byte) * 16777619u;
	}
}

static int allocate(size_t block, size_t size)
{
	sizes[block] = size;
	blocks[block] = malloc(size);
	if (blocks[block] == NULL) {
		printf("malloc(%u) failed\n", (unsigned)size);
		return -1;
	}
	fill(block);
	return 0;
}

int main(void)
{
	uintptr_t initial_break = (uintptr_t)sbrk(0);
	size_t total = 0;

	for (size_t b = 0; b < BLOCKS; b++) {
		if (allocate(b, 1 + next_random() % MAX_BLOCK) < 0)
			return 1;
		total += sizes[b];
	}
	for (size_t b = 0; b < BLOCKS; b++)
		verify(b, sizes[b]);

	for (size_t b = 0; b < BLOCKS; b += 2) {
		free(blocks[b]);
		blocks[b] = NULL;
	}
	for (size_t b = 1; b < BLOCKS; b += 4) {
		size_t old = sizes[b];
		size_t size = 1 + next_random() % (2 * MAX_BLOCK);
		uint8_t *grown = realloc(blocks[b], size);
		if (grown == NULL) {
			printf("realloc(%u) failed\n", (unsigned)size);
			return 1;
		}
		blocks[b] = grown;
		verify(b, old < size ? old : size);
		sizes[b] = size;
		fill(b);
	}
	for (size_t b = 0; b < BLOCKS; b += 2)
		if (allocate(b, 1 + next_random() % MAX_BLOCK) < 0)
			return 1;

	uint8_t *big = calloc(BIG_BLOCK, 1);
	if (big == NULL) {
		printf("calloc(%u) failed\n", BIG_BLOCK);
		return 1;
	}
	for (size_t i = 0; i < BIG_BLOCK; i++)
		if (big[i] != 0) {
			printf("calloc byte %u not zero\n", (unsigned)i);
			return 1;
		}
	memset(big, 0xa5, BIG_BLOCK);
	total += BIG_BLOCK;

	for (size_t b = 0; b < BLOCKS; b++)
		verify(b, sizes[b]);
	for (size_t b = 0; b < BLOCKS; b++)
		free(blocks[b]);
	free(big);

	uintptr_t final_break = (uintptr_t)sbrk(0);
	printf("allocated %u bytes in %d blocks\n", (unsigned)total, BLOCKS + 1);
	printf("break grew past the allocations: %s\n",
	       final_break - initial_break >= total ? "yes" : "no");
	printf("checksum 0x%08x\n", (unsigned)checksum);
	printf("%s\n", errors == 0 ? "ok" : "CORRUPTED");
	return errors == 0 && final_break - initial_break >= total ? 0 : 1;
}
