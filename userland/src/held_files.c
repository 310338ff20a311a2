/*
 * held_files.c: files a program holds open across a restart of the VFS, for the resilience
 * suite. `held_files DIR` makes DIR/a, DIR/b and DIR/c (a pattern each), opens them, removes
 * a and b, prints `ready` and stops itself (SIGSTOP). The test restarts the VFS and continues
 * it. Then it closes b at once (perhaps while the VFS is still down: that close is lost, and
 * the next instance must free b by itself), waits a little, removes c (the new instance must
 * know c is open, or it frees c's blocks under the program), reads a and c back whole, closes
 * them and prints `ok`.
 */
#include <signal.h>
#include <time.h>

#include "posix_ext.h"

#include "fs_check.h"

#define SIZE (24 * 1024)

static unsigned char want[SIZE];
static unsigned char got[SIZE];

static void fill(char name)
{
	for (int i = 0; i < SIZE; i++)
		want[i] = (unsigned char)(name * 31 + i * 7 + i / 251);
}

static int make(const char *name)
{
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	fill(name[0]);
	write_all(fd, want, SIZE);
	CHECK(fsync(fd) == 0);
	return fd;
}

static void check_whole(int fd, char name)
{
	fill(name);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(read_all(fd, got, SIZE) == SIZE);
	CHECK(memcmp(got, want, SIZE) == 0);
}

int main(int argc, char **argv)
{
	const struct timespec pause = { 0, 300 * 1000 * 1000 };

	CHECK(argc == 2 && chdir(argv[1]) == 0);
	int a = make("a");
	int b = make("b");
	int c = make("c");

	CHECK(unlink("a") == 0 && unlink("b") == 0);
	printf("ready\n");
	fflush(stdout);
	CHECK(kill(getpid(), SIGSTOP) == 0);

	CHECK(close(b) == 0);
	CHECK(nanosleep(&pause, NULL) == 0);
	CHECK(unlink("c") == 0);
	check_whole(a, 'a');
	check_whole(c, 'c');
	CHECK(close(a) == 0 && close(c) == 0);
	printf("ok\n");
	return 0;
}
