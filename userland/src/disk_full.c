/*
 * disk_full: a file system that runs out of room says so, and loses nothing.
 * Run in an empty directory of a small file system: one file is written
 * until the data blocks run out (ENOSPC, what was written before it still
 * reads back whole), then empty files are created until the inodes run out
 * (ENOSPC again), then everything is removed and the space is usable again.
 * Prints the facts, not the sizes (they depend on the file system).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fs_check.h"

#define CHUNK 4096
#define FILES_MAX 100000

static char chunk[CHUNK];
static char back[CHUNK];

/* Fills "big" until ENOSPC; returns the bytes the file holds. */
static long fill(void)
{
	int fd = open("big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long total = 0;

	CHECK(fd >= 0);
	for (;;) {
		for (int i = 0; i < CHUNK; i++)
			chunk[i] = (char)(total / CHUNK + i);
		ssize_t n = write(fd, chunk, CHUNK);
		if (n < 0) {
			CHECK(errno == ENOSPC);
			break;
		}
		total += n; /* a short write: the next one says why */
	}
	CHECK(close(fd) == 0);
	return total;
}

/* Reads "big" back and checks every whole chunk's pattern. */
static void verify(long total)
{
	int fd = open("big", O_RDONLY);
	long at = 0;

	CHECK(fd >= 0);
	while (at + CHUNK <= total) {
		CHECK(read_all(fd, back, CHUNK) == CHUNK);
		for (int i = 0; i < CHUNK; i++)
			CHECK(back[i] == (char)(at / CHUNK + i));
		at += CHUNK;
	}
	CHECK(close(fd) == 0);
}

/* Creates empty files until ENOSPC; returns how many were made. */
static int exhaust_inodes(void)
{
	char name[32];
	int made = 0;

	for (;;) {
		snprintf(name, sizeof(name), "f%d", made);
		int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0) {
			CHECK(errno == ENOSPC);
			return made;
		}
		CHECK(close(fd) == 0);
		made++;
		CHECK(made < FILES_MAX);
	}
}

int main(void)
{
	long total = fill();
	CHECK(total > 0);
	verify(total);
	printf("writing until the disk is full: ENOSPC, and every byte written before reads back\n");

	CHECK(unlink("big") == 0);
	int made = exhaust_inodes();
	CHECK(made > 0);
	printf("creating files until the inodes run out: ENOSPC\n");

	char name[32];
	for (int i = 0; i < made; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		CHECK(unlink(name) == 0);
	}
	long again = fill();
	CHECK(again >= total - 16 * CHUNK);
	CHECK(unlink("big") == 0);
	printf("after removing everything the space is back\n");
	printf("ok\n");
	return 0;
}
