/*
 * files.c (bench_files): file-system timings, taken inside the program with
 * CLOCK_MONOTONIC, so the same binary measures denix's VFS and, under
 * qemu-riscv32, the host's. One measurement per run, chosen by argv[1]:
 *
 *   write PATH MIB     write MIB MiB in 64 KiB chunks, then fsync
 *   read PATH          read the whole file in 64 KiB chunks
 *   stat PATH N        N stat calls on PATH (latency)
 *   create DIR N       N files created (open O_CREAT|O_EXCL, close) then unlinked
 *   readlat PATH N     N reads of 1 byte at offset 0 (a cached read: latency)
 *   getpid N           N getpid calls (the latency baseline: no service involved)
 *
 * Prints one line: "bytes NS" for write and read (total nanoseconds), "ns NS"
 * for create (total), "p50 NS p99 NS" for the latency runs. Exits 1 on any
 * failed call.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "posix_ext.h"

#define CHUNK (64 * 1024)
#define SAMPLES_MAX 100000

static char buffer[CHUNK];
static int64_t samples[SAMPLES_MAX];

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void fail(const char *what)
{
	perror(what);
	exit(1);
}

static int compare(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void percentiles(int n)
{
	qsort(samples, (size_t)n, sizeof(samples[0]), compare);
	printf("p50 %lld p99 %lld\n", (long long)samples[n / 2], (long long)samples[(n * 99) / 100]);
}

static int count(const char *arg)
{
	int n = atoi(arg);

	if (n <= 0 || n > SAMPLES_MAX)
		fail("count");
	return n;
}

static void bench_write(const char *path, int mib)
{
	memset(buffer, 'x', sizeof(buffer));
	int64_t start = now_ns();
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		fail("open");
	long long total = 0;
	for (int i = 0; i < mib * (1024 * 1024 / CHUNK); i++) {
		if (write(fd, buffer, CHUNK) != CHUNK)
			fail("write");
		total += CHUNK;
	}
	if (fsync(fd) != 0 || close(fd) != 0)
		fail("fsync");
	printf("%lld %lld\n", total, (long long)(now_ns() - start));
}

static void bench_read(const char *path)
{
	int64_t start = now_ns();
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		fail("open");
	long long total = 0;
	ssize_t n;
	while ((n = read(fd, buffer, CHUNK)) > 0)
		total += n;
	if (n < 0 || close(fd) != 0)
		fail("read");
	printf("%lld %lld\n", total, (long long)(now_ns() - start));
}

static void bench_stat(const char *path, int n)
{
	struct stat st;

	for (int i = 0; i < n; i++) {
		int64_t t = now_ns();
		if (stat(path, &st) != 0)
			fail("stat");
		samples[i] = now_ns() - t;
	}
	percentiles(n);
}

static void bench_create(const char *dir, int n)
{
	char name[256];
	int64_t start = now_ns();

	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s/f%d", dir, i);
		int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || close(fd) != 0)
			fail("create");
	}
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s/f%d", dir, i);
		if (unlink(name) != 0)
			fail("unlink");
	}
	printf("ns %lld\n", (long long)(now_ns() - start));
}

static void bench_readlat(const char *path, int n)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		fail("open");
	for (int i = 0; i < n; i++) {
		int64_t t = now_ns();
		if (pread(fd, buffer, 1, 0) != 1)
			fail("pread");
		samples[i] = now_ns() - t;
	}
	close(fd);
	percentiles(n);
}

static void bench_getpid(int n)
{
	for (int i = 0; i < n; i++) {
		int64_t t = now_ns();
		getpid();
		samples[i] = now_ns() - t;
	}
	percentiles(n);
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "write") == 0)
		bench_write(argv[2], atoi(argv[3]));
	else if (argc >= 3 && strcmp(argv[1], "read") == 0)
		bench_read(argv[2]);
	else if (argc >= 4 && strcmp(argv[1], "stat") == 0)
		bench_stat(argv[2], count(argv[3]));
	else if (argc >= 4 && strcmp(argv[1], "create") == 0)
		bench_create(argv[2], count(argv[3]));
	else if (argc >= 4 && strcmp(argv[1], "readlat") == 0)
		bench_readlat(argv[2], count(argv[3]));
	else if (argc >= 3 && strcmp(argv[1], "getpid") == 0)
		bench_getpid(count(argv[2]));
	else {
		fprintf(stderr, "usage: bench_files write|read|stat|create|readlat|getpid ...\n");
		return 2;
	}
	return 0;
}
