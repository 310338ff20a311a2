/*
 * cksum.c: POSIX cksum — for each file (or stdin) the CRC-32 of polynomial 0x04C11DB7 over its
 * bytes and then its length (least significant byte first, no zero bytes), complemented, and
 * the byte count: `CRC SIZE NAME` (no NAME for stdin), as GNU `cksum` prints by default.
 * Errors print `cksum: PATH: reason` on stderr and make the exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static uint32_t table[256];
static unsigned char buffer[65536];

static void make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;
		for (int k = 0; k < 8; k++)
			c = c & 0x80000000u ? (c << 1) ^ 0x04C11DB7u : c << 1;
		table[i] = c;
	}
}

static uint32_t step(uint32_t crc, unsigned char byte)
{
	return (crc << 8) ^ table[(crc >> 24) ^ byte];
}

static int sum(int fd, const char *name)
{
	uint32_t crc = 0;
	unsigned long long size = 0;

	for (;;) {
		ssize_t n = read(fd, buffer, sizeof(buffer));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "cksum: %s: %s\n", name ? name : "-", strerror(errno));
			return 1;
		}
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			crc = step(crc, buffer[i]);
		size += (unsigned long long)n;
	}
	for (unsigned long long len = size; len != 0; len >>= 8)
		crc = step(crc, (unsigned char)(len & 0xff));
	if (name)
		printf("%lu %llu %s\n", (unsigned long)~crc, size, name);
	else
		printf("%lu %llu\n", (unsigned long)~crc, size);
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;

	make_table();
	if (argc < 2)
		return sum(0, NULL);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			status |= sum(0, "-");
			continue;
		}
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "cksum: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		status |= sum(fd, argv[i]);
		close(fd);
	}
	return status;
}
