/*
 * fuzz.c: a system-call fuzzer. `fuzz SEED CALLS` forks children, a few at a
 * time, each making random system calls until the children together have made
 * CALLS of them; `fuzz --list` prints the numbers it knows to be implemented.
 *
 * A call's number is one the kernel implements (most often), a random one in
 * the Linux range (0..511) or one in denix's range (0x1000..0x10ff). Each
 * argument is a small int, -1, INT_MAX, INT_MIN, a random word, a pointer into
 * the child's scratch buffer, an unmapped pointer, a read-only pointer (the
 * program's code), a page-aligned value, or a path string. The children close
 * descriptors 0-2 first, so nothing they write reaches the terminal.
 *
 * What a child may not do is take its parent with it, since that would prove
 * nothing about the kernel: signals go only to the child itself or to ids that
 * do not exist (kill(-1) or kill(0) would legitimately kill the parent), and
 * clone never gets CLONE_PARENT (the new process's exit signal, any signal,
 * would go to the parent). A child made by a random clone ends at once. Everything else is allowed: a
 * child that dies of a signal, calls exit, or blocks is what fuzzing produces.
 * The parent reaps every child and kills one that has made no progress for
 * HANG_MS (blocked in a read, a futex wait, a receive ...).
 *
 * Progress is counted in a shared mapping: one counter per child slot, and one
 * per implemented number. The parent prints a summary, checks that every
 * implemented number was called, and prints `ok`.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "linux_syscall.h"
#include "posix_ext.h"

#define CHILDREN_AT_ONCE 4
#define CALLS_PER_CHILD 2000
#define HANG_MS 30
#define SCRATCH_BYTES 16384
#define CLONE_PARENT 0x8000

/* The numbers kernel/syscall.ts implements (a test checks this list against it). */
static const int implemented[] = {
	17,     23,     24,     25,     29,     33,     34,     35,     36,     37,
	39,     40,     43,     44,     45,     46,     48,     49,     50,     52,
	53,     56,     57,     59,     61,     62,     63,     64,     65,     66,
	67,     68,     78,     81,     82,     83,     93,     94,     95,     96,
	122,    123,    124,    129,    130,    131,    133,    134,    135,    136,
	139,    140,    141,    153,    154,    155,    156,    157,    160,    165,
	166,    168,    172,    173,    174,    175,    176,    177,    178,    214,
	215,    220,    221,    222,    226,    267,    276,    278,    291,    403,
	406,    407,    412,    422,    439,    0x1000, 0x1001, 0x1002, 0x1003, 0x1004,
	0x1005, 0x1006, 0x1007, 0x1008, 0x1009, 0x100a, 0x100b, 0x100c, 0x100d, 0x100e,
	0x100f, 0x1010,
};
#define IMPLEMENTED (int)(sizeof implemented / sizeof implemented[0])

/* What the parent and its children share. */
struct shared {
	uint32_t calls[CHILDREN_AT_ONCE];
	uint32_t hits[IMPLEMENTED];
};

static struct shared *shared;
static uint32_t rng;
static unsigned char scratch[SCRATCH_BYTES] __attribute__((aligned(4096)));
static const char *const paths[] = {
	"/", ".", "..", "userland/bin/hello.elf", "/tmp", "/tmp/fuzz", "no/such/file", "",
};

static uint32_t next_random(void)
{
	/* xorshift32 */
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* A well-mixed seed for child `n` (a murmur3 finaliser), so children's streams do not overlap. */
static uint32_t child_seed(uint32_t seed, uint32_t n)
{
	uint32_t h = seed ^ (n * 0x9e3779b9u);

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h ? h : 1;
}

static uint32_t below(uint32_t n)
{
	return next_random() % n;
}

static long random_argument(void)
{
	switch (below(10)) {
	case 0:
		return below(17);
	case 1:
		return -1;
	case 2:
		return 0x7fffffff;
	case 3:
		return (long)0x80000000u;
	case 4:
		return (long)next_random();
	case 5:
		return (long)(scratch + (below(SCRATCH_BYTES) & ~3u));
	case 6: {
		static const uint32_t unmapped[] = { 0, 8, 0x1000, 0xdead0000, 0xfffff000,
						     0x7ffffffc, 0xc0000000 };
		return (long)unmapped[below(sizeof unmapped / sizeof unmapped[0])];
	}
	case 7:
		return (long)((uintptr_t)&random_argument + below(256));
	case 8:
		return (long)(below(0x10000) << 12);
	default:
		return (long)paths[below(sizeof paths / sizeof paths[0])];
	}
}

/* A pid or tid the call may aim a signal at: this child, or one that does not exist. */
static long harmless_target(long self)
{
	switch (below(3)) {
	case 0:
		return self;
	case 1:
		return 0x7ff00000 + (long)below(1000);
	default:
		return (long)0x80000000u;
	}
}

/*
 * Calls that, with random arguments, mostly end the child (exit, a sigreturn
 * to a garbage frame, unmapping or remapping its own code): drawn a tenth as
 * often, so that children live long enough to reach deeper states.
 */
static int self_destructive(int nr)
{
	return nr == SYS_exit || nr == SYS_exit_group || nr == 139 /* rt_sigreturn */ ||
	       nr == SYS_munmap || nr == SYS_mprotect || nr == SYS_mmap2 || nr == SYS_execve;
}

static int pick_number(int *index)
{
	uint32_t r = below(100);

	*index = -1;
	if (r < 80) {
		*index = (int)below(IMPLEMENTED);
		return implemented[*index];
	}
	if (r < 90)
		return (int)below(512);
	return 0x1000 + (int)below(0x100);
}

static void __attribute__((noreturn)) fuzz_child(int slot, uint32_t seed)
{
	long pid = syscall0(SYS_getpid);
	long tid = pid;

	rng = seed;
	/*
	 * The scratch buffer is what valid pointers point at: words drawn like
	 * arguments (small ints, pointers back into it, sizes ...), so that structs
	 * the kernel reads there (iovecs, timespecs, sigactions, messages) are
	 * often plausible, not only garbage.
	 */
	for (int i = 0; i < SCRATCH_BYTES / 4; i++)
		((uint32_t *)scratch)[i] = (uint32_t)random_argument();
	for (int fd = 0; fd < 3; fd++)
		syscall1(SYS_close, fd);
	for (int n = 0; n < CALLS_PER_CHILD; n++) {
		int index;
		int nr = pick_number(&index);
		long a[6];

		/* Calls that usually end the child take it only now and then. */
		if (self_destructive(nr) && below(10) != 0)
			continue;
		for (int i = 0; i < 6; i++)
			a[i] = random_argument();
		if (nr == SYS_kill || nr == 130 /* tkill */)
			a[0] = harmless_target(pid);
		if (nr == SYS_clone)
			a[0] &= ~CLONE_PARENT; /* its exit signal would go to the parent */
		if (nr == 131 /* tgkill */) {
			a[0] = harmless_target(pid);
			a[1] = a[0] == pid ? tid : harmless_target(tid);
		}
		shared->calls[slot]++;
		if (index >= 0)
			shared->hits[index]++;
		syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		/* A random clone made a new thread or process: it stops here. */
		if (syscall0(SYS_gettid) != tid)
			syscall1(SYS_exit, 0);
	}
	syscall1(SYS_exit_group, 0);
	__builtin_unreachable();
}

static int64_t now_ms(void)
{
	struct timespec ts;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct child {
	pid_t pid;
	uint32_t seen;
	int64_t progress_ms;
};

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (int i = 0; i < IMPLEMENTED; i++)
			printf("%d\n", implemented[i]);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: fuzz SEED CALLS | fuzz --list\n");
		return 2;
	}
	uint32_t seed = (uint32_t)strtoul(argv[1], NULL, 0);
	unsigned long target = strtoul(argv[2], NULL, 0);

	printf("fuzz: seed %lu, %lu calls\n", (unsigned long)seed, target);
	fflush(stdout);
	shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	CHECK(shared != MAP_FAILED);
	memset(shared, 0, sizeof *shared);

	struct child running[CHILDREN_AT_ONCE] = { 0 };
	unsigned long total = 0, children = 0, exited = 0, signalled = 0, hung = 0;
	unsigned long fork_failures = 0;
	for (;;) {
		for (int s = 0; s < CHILDREN_AT_ONCE; s++) {
			if (running[s].pid != 0 || total >= target)
				continue;
			shared->calls[s] = 0;
			pid_t pid = fork();

			/* The children's own clones may have filled the process table for now. */
			if (pid < 0 && (errno == EAGAIN || errno == ENOMEM)) {
				fork_failures++;
				continue;
			}
			CHECK(pid >= 0);
			if (pid == 0)
				fuzz_child(s, child_seed(seed, (uint32_t)children));
			running[s] = (struct child){ pid, 0, now_ms() };
			children++;
		}
		int busy = 0;

		for (int s = 0; s < CHILDREN_AT_ONCE; s++) {
			struct child *c = &running[s];
			int status;

			if (c->pid == 0)
				continue;
			pid_t r = waitpid(c->pid, &status, WNOHANG);

			CHECK(r >= 0);
			if (r == c->pid) {
				uint32_t calls = shared->calls[s];

				total += calls < CALLS_PER_CHILD ? calls : CALLS_PER_CHILD;
				if (WIFSIGNALED(status))
					signalled++;
				else
					exited++;
				c->pid = 0;
				continue;
			}
			busy = 1;
			if (shared->calls[s] != c->seen) {
				c->seen = shared->calls[s];
				c->progress_ms = now_ms();
			} else if (now_ms() - c->progress_ms > HANG_MS) {
				CHECK(kill(c->pid, SIGKILL) == 0);
				c->progress_ms = now_ms() + 1000000; /* killed once; reaped soon */
				hung++;
			}
		}
		if (!busy && total >= target)
			break;
		usleep(1000);
	}
	int called = 0;

	for (int i = 0; i < IMPLEMENTED; i++) {
		called += shared->hits[i] > 0;
		if (shared->hits[i] == 0)
			printf("fuzz: never called: %d\n", implemented[i]);
	}
	printf("fuzz: %lu calls in %lu children: %lu exited, %lu killed by a signal "
	       "(%lu of them hung and killed by the fuzzer)\n",
	       total, children, exited, signalled, hung);
	printf("fuzz: %d of %d implemented numbers called; %lu forks refused for a while\n", called,
	       IMPLEMENTED, fork_failures);
	CHECK(total >= target);
	CHECK(called == IMPLEMENTED);
	printf("ok\n");
	return 0;
}
