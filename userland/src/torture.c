/*
 * torture.c: file-system load for the resilience suite, which restarts services under it.
 * `torture DIR WRITERS ROUNDS` forks WRITERS processes; writer W, for each round R, writes
 * DIR/W.R.tmp with a pattern only (W, R) gives (4 KiB to 64 KiB), fsyncs it, renames it to
 * DIR/W.R, fsyncs DIR, reads it back and checks it, and removes the file of round R - 2.
 * A step that fails (EIO while a service restarts) is tried again, up to 200 times, 20 ms
 * apart; a check that finds other bytes is a lost write. At the end each writer checks every
 * file it kept and prints `W: ROUNDS rounds, N retries, ok` or `W: FAIL reason`; SIGTERM ends
 * the rounds early (after the current one). Exit status: the number of writers that failed.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "posix_ext.h"

#define TRIES 200
#define FILE_MAX (64 * 1024)

static volatile sig_atomic_t stopping;
static unsigned char expect[FILE_MAX];
static unsigned char got[FILE_MAX];
static long retries;

static unsigned rng(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* The bytes of file (w, r): its length. */
static size_t pattern(int w, int r)
{
	unsigned s = (unsigned)(w * 7919 + r * 104729 + 1);
	size_t n = 4096 + rng(&s) % (FILE_MAX - 4096);
	for (size_t i = 0; i < n; i++)
		expect[i] = (unsigned char)(rng(&s) ^ (unsigned)i);
	return n;
}

static void pause_a_little(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	retries++;
}

static int write_file(const char *path, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	size_t at = 0;
	while (at < n) {
		ssize_t k = write(fd, expect + at, n - at);
		if (k < 0) {
			close(fd);
			return -1;
		}
		at += (size_t)k;
	}
	if (fsync(fd) != 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* 0: the file holds exactly expect[0..n); 1: other bytes; -1: could not read it. */
static int check_file(const char *path, size_t n)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t at = 0;
	for (;;) {
		ssize_t k = read(fd, got + at, FILE_MAX - at);
		if (k < 0) {
			close(fd);
			return -1;
		}
		if (k == 0)
			break;
		at += (size_t)k;
		if (at == FILE_MAX)
			break;
	}
	close(fd);
	return at == n && memcmp(got, expect, n) == 0 ? 0 : 1;
}

static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

static void stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static int writer(const char *dir, int w, int rounds)
{
	char path[256], tmp[256];
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stop;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	int r;
	for (r = 0; r < rounds && !stopping; r++) {
		size_t n = pattern(w, r);
		snprintf(path, sizeof(path), "%s/%d.%d", dir, w, r);
		snprintf(tmp, sizeof(tmp), "%s/%d.%d.tmp", dir, w, r);
		int t;
		for (t = 0; t < TRIES; t++) {
			if (write_file(tmp, n) == 0 && rename(tmp, path) == 0 && sync_dir(dir) == 0)
				break;
			/* A rename that happened before its reply was lost: the file is in place. */
			if (access(tmp, F_OK) != 0 && check_file(path, n) == 0 && sync_dir(dir) == 0)
				break;
			pause_a_little();
		}
		if (t == TRIES) {
			printf("%d: FAIL round %d: %s\n", w, r, strerror(errno));
			return 1;
		}
		for (t = 0; t < TRIES; t++) {
			int c = check_file(path, n);
			if (c == 1) {
				printf("%d: FAIL round %d: %s holds other bytes\n", w, r, path);
				return 1;
			}
			if (c == 0)
				break;
			pause_a_little();
		}
		if (r >= 2) {
			snprintf(path, sizeof(path), "%s/%d.%d", dir, w, r - 2);
			for (t = 0; t < TRIES && unlink(path) != 0 && errno != ENOENT; t++)
				pause_a_little();
		}
	}
	rounds = r;
	for (r = rounds >= 2 ? rounds - 2 : 0; r < rounds; r++) {
		size_t n = pattern(w, r);
		snprintf(path, sizeof(path), "%s/%d.%d", dir, w, r);
		int c = -1;
		for (int t = 0; t < TRIES && (c = check_file(path, n)) == -1; t++)
			pause_a_little();
		if (c != 0) {
			printf("%d: FAIL at the end: %s %s\n", w, path, c == 1 ? "changed" : "unreadable");
			return 1;
		}
	}
	printf("%d: %d rounds, %ld retries, ok\n", w, rounds, retries);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: torture DIR WRITERS ROUNDS\n");
		return 2;
	}
	int writers = atoi(argv[2]);
	int rounds = atoi(argv[3]);
	for (int w = 0; w < writers; w++) {
		pid_t pid = fork();
		if (pid == 0) {
			int r = writer(argv[1], w, rounds);
			fflush(stdout);
			_exit(r);
		}
		if (pid < 0) {
			perror("fork");
			return 100;
		}
	}
	int failed = 0, status;
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	return failed;
}
