/*
 * crc32.c (bench_crc32): table-driven CRC-32 (IEEE 802.3, reflected
 * polynomial 0xedb88320) over a 64 KiB buffer filled from an LCG, chained
 * across argv[1] passes (default 5000). Prints the final CRC; exits 1 if the
 * implementation fails the standard "123456789" check value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUFFER_SIZE 65536
#define DEFAULT_PASSES 5000

static uint32_t table[256];
static uint8_t buffer[BUFFER_SIZE];

static void make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int bit = 0; bit < 8; bit++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
}

static uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t length)
{
	crc = ~crc;
	for (size_t i = 0; i < length; i++)
		crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

int main(int argc, char **argv)
{
	unsigned passes = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : DEFAULT_PASSES;

	make_table();
	const char *check = "123456789";
	if (crc32_update(0, (const uint8_t *)check, strlen(check)) != 0xcbf43926u) {
		printf("crc32: self-check failed\n");
		return 1;
	}

	uint32_t seed = 1;
	for (size_t i = 0; i < BUFFER_SIZE; i++) {
		seed = seed * 1103515245u + 12345u;
		buffer[i] = (uint8_t)(seed >> 16);
	}
	uint32_t crc = 0;
	for (unsigned pass = 0; pass < passes; pass++)
		crc = crc32_update(crc, buffer, BUFFER_SIZE);
	printf("crc32: %u passes over %u bytes: 0x%08lx\n", passes, BUFFER_SIZE,
	       (unsigned long)crc);
	return 0;
}
