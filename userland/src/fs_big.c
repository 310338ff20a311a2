/*
 * fs_big.c: large and sparse files, in the current directory. A file of 5
 * MiB + 123 bytes (past the 4 MiB + 48 KiB that the direct and
 * single-indirect blocks of a 4 KiB-block ext2 file reach) is written in
 * odd-sized chunks, read back in other chunk sizes and checked byte for byte
 * and by checksum, and read with pread across block-map boundaries. A sparse
 * file gets 1 byte at 64 MiB: it reads zeros before that byte, and far fewer
 * blocks are allocated than its size. Truncating the big file cuts its data
 * at the new end, and extending it again reads zeros, never the old bytes.
 * Prints one line per fact, then `ok`.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_check.h"

#define MIB (1024 * 1024)
#define BIG_SIZE (5 * MIB + 123)
#define SPARSE_OFFSET (64 * MIB)
#define CUT_SIZE (MIB + 4097)
#define BUFFER_SIZE (64 * 1024 + 1)

static unsigned char buffer[BUFFER_SIZE];
static unsigned char expected[BUFFER_SIZE];

/* The file's content: a hash of each 32-bit word's index, so any range can be regenerated. */
static unsigned char byte_at(uint32_t offset)
{
	uint32_t x = (offset / 4) * 0x9e3779b1u + 0x7f4a7c15u;

	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return (unsigned char)(x >> (8 * (offset % 4)));
}

static void fill(unsigned char *data, uint32_t offset, size_t length)
{
	for (size_t i = 0; i < length; i++)
		data[i] = byte_at(offset + (uint32_t)i);
}

/* FNV-1a, continued from sum. */
static uint32_t checksum(uint32_t sum, const unsigned char *data, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		sum ^= data[i];
		sum *= 0x01000193u;
	}
	return sum;
}

#define CHECKSUM_START 0x811c9dc5u

static uint32_t write_big(void)
{
	static const size_t chunks[] = { 1, 7, 4093, 4099, 511, 12289, 65537, 3, 8191, 40000 };
	int fd = open("big", O_WRONLY | O_CREAT | O_EXCL, 0644);
	uint32_t sum = CHECKSUM_START;
	uint32_t done = 0;

	CHECK(fd >= 0);
	for (unsigned n = 0; done < BIG_SIZE; n++) {
		size_t length = chunks[n % (sizeof(chunks) / sizeof(chunks[0]))];

		if (length > BIG_SIZE - done)
			length = BIG_SIZE - done;
		fill(buffer, done, length);
		CHECK(write(fd, buffer, length) == (ssize_t)length);
		sum = checksum(sum, buffer, length);
		done += (uint32_t)length;
	}
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_size == BIG_SIZE);
	CHECK((uint32_t)st.st_blocks * 512 >= BIG_SIZE);
	CHECK(close(fd) == 0);
	return sum;
}

static void read_big(uint32_t written_sum)
{
	static const size_t chunks[] = { 65536, 4096, 3, 40000, 65537, 1000 };
	int fd = open("big", O_RDONLY);
	uint32_t sum = CHECKSUM_START;
	uint32_t done = 0;

	CHECK(fd >= 0);
	for (unsigned n = 0;; n++) {
		size_t length = chunks[n % (sizeof(chunks) / sizeof(chunks[0]))];
		ssize_t got = read(fd, buffer, length);

		CHECK(got >= 0);
		if (got == 0)
			break;
		/* A regular file gives the whole request until its end. */
		CHECK((size_t)got == length || done + (uint32_t)got == BIG_SIZE);
		fill(expected, done, (size_t)got);
		CHECK(memcmp(buffer, expected, (size_t)got) == 0);
		sum = checksum(sum, buffer, (size_t)got);
		done += (uint32_t)got;
	}
	CHECK(done == BIG_SIZE && sum == written_sum);
	printf("read back in other chunk sizes: the same bytes, checksum %08lx\n",
	       (unsigned long)sum);

	/* 4 KiB blocks: 12 direct (48 KiB), then 1024 single-indirect, then double-indirect. */
	static const uint32_t boundaries[] = { 4096, 12 * 4096, (12 + 1024) * 4096, 5 * MIB };
	for (unsigned i = 0; i < sizeof(boundaries) / sizeof(boundaries[0]); i++) {
		uint32_t at = boundaries[i] - 5;

		CHECK(pread(fd, buffer, 10, at) == 10);
		fill(expected, at, 10);
		CHECK(memcmp(buffer, expected, 10) == 0);
	}
	CHECK(pread(fd, buffer, 100, BIG_SIZE - 50) == 50);
	CHECK(pread(fd, buffer, 100, BIG_SIZE) == 0);
	CHECK(close(fd) == 0);
	printf("pread across the 4 KiB, 48 KiB, 4 MiB + 48 KiB and 5 MiB boundaries and the "
	       "end\n");
}

static void sparse(void)
{
	struct stat st;
	int fd = open("sparse", O_RDWR | O_CREAT | O_EXCL, 0644);

	CHECK(fd >= 0);
	CHECK(pwrite(fd, "Z", 1, SPARSE_OFFSET) == 1);
	CHECK(fstat(fd, &st) == 0 && st.st_size == SPARSE_OFFSET + 1);
	CHECK(lseek(fd, 0, SEEK_END) == SPARSE_OFFSET + 1);
	CHECK((uint32_t)st.st_blocks * 512 <= 256 * 1024);
	printf("1 byte at 64 MiB: size %ld, at most 256 KiB allocated\n", (long)st.st_size);

	/* 4 KiB at every MiB, and the 64 KiB leading up to the byte. */
	for (uint32_t at = 0; at < SPARSE_OFFSET; at += MIB) {
		CHECK(pread(fd, buffer, 4096, at) == 4096);
		CHECK(all_zero(buffer, 4096));
	}
	CHECK(pread(fd, buffer, BUFFER_SIZE, SPARSE_OFFSET - (BUFFER_SIZE - 1)) == BUFFER_SIZE);
	CHECK(all_zero(buffer, BUFFER_SIZE - 1) && buffer[BUFFER_SIZE - 1] == 'Z');
	CHECK(lseek(fd, SPARSE_OFFSET, SEEK_SET) == SPARSE_OFFSET);
	CHECK(read(fd, buffer, 10) == 1 && buffer[0] == 'Z');
	CHECK(read(fd, buffer, 10) == 0);
	printf("the hole reads as zeros up to the byte, then end of file\n");

	CHECK(ftruncate(fd, 0) == 0);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 0 && st.st_blocks == 0);
	CHECK(close(fd) == 0);
	CHECK(unlink("sparse") == 0);
	printf("ftruncate to 0 frees every block\n");
}

static void cut_and_extend(void)
{
	struct stat st;

	CHECK(truncate("big", CUT_SIZE) == 0);
	CHECK(stat("big", &st) == 0 && st.st_size == CUT_SIZE);
	int fd = open("big", O_RDONLY);
	CHECK(fd >= 0);
	uint32_t done = 0;
	ssize_t got;
	while ((got = read(fd, buffer, BUFFER_SIZE)) > 0) {
		fill(expected, done, (size_t)got);
		CHECK(memcmp(buffer, expected, (size_t)got) == 0);
		done += (uint32_t)got;
	}
	CHECK(got == 0 && done == CUT_SIZE);
	CHECK(close(fd) == 0);
	printf("truncate to %d bytes: the data before the cut intact, end of file there\n",
	       CUT_SIZE);

	CHECK(truncate("big", 5 * MIB) == 0);
	fd = open("big", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(pread(fd, buffer, 10, CUT_SIZE - 10) == 10);
	fill(expected, CUT_SIZE - 10, 10);
	CHECK(memcmp(buffer, expected, 10) == 0);
	CHECK(lseek(fd, CUT_SIZE, SEEK_SET) == CUT_SIZE);
	done = CUT_SIZE;
	while ((got = read(fd, buffer, BUFFER_SIZE)) > 0) {
		CHECK(all_zero(buffer, (size_t)got));
		done += (uint32_t)got;
	}
	CHECK(got == 0 && done == 5 * MIB);
	CHECK(close(fd) == 0);
	CHECK(unlink("big") == 0);
	printf("extended again to 5 MiB: the new part reads zeros, not the old data\n");
}

int main(void)
{
	uint32_t sum = write_big();

	printf("wrote %d bytes in odd-sized chunks, checksum %08lx\n", BIG_SIZE,
	       (unsigned long)sum);
	read_big(sum);
	sparse();
	cut_and_extend();
	printf("ok\n");
	return 0;
}
