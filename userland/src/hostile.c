/*
 * hostile.c: what an unprivileged program does to take the whole system down,
 * each of which must fail for the program alone while the kernel carries on:
 *
 * - region bombs: six 200 MiB regions (once a RangeError that killed the
 *   kernel), regions past the process's memory limit, and many processes
 *   holding regions until the shared window is full: each is -ENOMEM; sizes 0
 *   and over the maximum are -EINVAL;
 * - region memory comes back: created and closed, mapped and unmapped,
 *   revoked, or held by a process that exits, many times the window's size;
 * - sleeps and timed waits near 2^31 s and 2^63 ns sleep (until a signal ends
 *   them) instead of spinning the kernel's host timer;
 * - kill(1, SIGKILL) and kill(1, SIGSTOP) do not reach init;
 * - mprotect cannot make the sigreturn trampoline (one frame every process
 *   maps) writable: -EACCES.
 *
 * Prints one line per check, then `ok`; exits 0 only if all passed.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "denix_ipc.h"
#include "linux_syscall.h"
#include "posix_ext.h"

#define MiB (1024L * 1024L)
#define REGION_SIZE_MAX (256 * MiB)
#define WINDOW (1024 * MiB)
/* The top page of every address space holds the sigreturn trampoline. */
#define TRAMPOLINE_VA 0xbffff000UL
#define LINUX_EACCES 13
#define FUTEX_WAIT 0

static int is_error(long r)
{
	return r < 0 && r > -4096;
}

/* A child that sleeps with `request` seconds (via clock_nanosleep, or a futex wait). */
static pid_t start_sleeper(int64_t seconds, int futex)
{
	pid_t pid = fork_or_fail();

	if (pid == 0) {
		int64_t ts[2] = { seconds, 999999999 };
		static int word;

		if (futex)
			syscall6(SYS_futex_time64, (long)&word, FUTEX_WAIT, 0, (long)ts, 0, 0);
		else
			syscall4(SYS_clock_nanosleep_time64, 1 /* CLOCK_MONOTONIC */, 0, (long)ts, 0);
		_exit(3); /* woke early: the parent sees status 3 instead of SIGTERM */
	}
	return pid;
}

static void check_sleeps(void)
{
	const int64_t seconds[] = { 2147483647LL, 2147483648LL, 9223372036LL, INT64_MAX };
	pid_t pids[8];
	int n = 0;

	for (int i = 0; i < 4; i++) {
		pids[n++] = start_sleeper(seconds[i], 0);
		pids[n++] = start_sleeper(seconds[i], 1);
	}
	usleep(50000);
	for (int i = 0; i < n; i++) {
		CHECK(kill(pids[i], SIGTERM) == 0);
		CHECK(killed_by(wait_for(pids[i]), SIGTERM));
	}
	printf("sleeps of 2^31 s and more: still asleep after 50 ms, ended by SIGTERM\n");
}

static void check_region_bombs(void)
{
	CHECK(region_create(0) == -LINUX_EINVAL);
	CHECK(region_create(REGION_SIZE_MAX + 1) == -LINUX_EINVAL);
	CHECK(region_create((unsigned long)-1) == -LINUX_EINVAL);
	printf("region of 0 bytes or over the maximum: EINVAL\n");

	for (int i = 0; i < 6; i++)
		CHECK(region_create(200 * MiB) == -LINUX_ENOMEM);
	printf("six regions of 200 MiB: ENOMEM (memory limit)\n");

	long big = region_create(56 * MiB);

	CHECK(big > 0);
	CHECK(region_create(16 * MiB) == -LINUX_ENOMEM);
	CHECK(ipc_close(big) == 0);
	printf("regions count against the memory limit: ENOMEM past it\n");
}

/* Children each hold a 60 MiB region until told to exit: the window fills. */
static void check_window_full(void)
{
	enum { MAX_HOLDERS = WINDOW / (60 * MiB) + 2 };
	pid_t holders[MAX_HOLDERS];
	int release[2];
	int report[2];
	int n = 0;
	int full = 0;

	CHECK(pipe(release) == 0);
	CHECK(pipe(report) == 0);
	while (n < MAX_HOLDERS && !full) {
		pid_t pid = fork_or_fail();

		if (pid == 0) {
			char verdict;
			long region = region_create(60 * MiB);

			close(release[1]); /* so that the parent's close is the end of the pipe */
			verdict = region > 0 ? 'y' : region == -LINUX_ENOMEM ? 'n' : '?';
			write(report[1], &verdict, 1);
			read(release[0], &verdict, 1);
			_exit(0);
		}
		holders[n++] = pid;
		char verdict = 0;

		CHECK(read(report[0], &verdict, 1) == 1);
		CHECK(verdict == 'y' || verdict == 'n');
		full = verdict == 'n';
	}
	CHECK(full);
	close(release[1]);
	for (int i = 0; i < n; i++)
		CHECK(exited_with(wait_for(holders[i]), 0));
	close(release[0]);
	close(report[0]);
	close(report[1]);
	printf("shared window full: ENOMEM after %d regions of 60 MiB\n", n - 1);
}

static void check_reclaimed(void)
{
	/* 40 rounds of 48 MiB is about twice the window. */
	for (int i = 0; i < 40; i++) {
		long region = region_create(48 * MiB);

		CHECK(region > 0);
		CHECK(ipc_close(region) == 0);
	}
	printf("created and closed 40 x 48 MiB: memory reclaimed\n");

	for (int i = 0; i < 40; i++) {
		long region = region_create(48 * MiB);

		CHECK(region > 0);
		long at = region_map(region, LINUX_PROT_READ | LINUX_PROT_WRITE);

		CHECK(!is_error(at));
		CHECK(ipc_close(region) == 0);
		/* The mapping keeps the region alive after its last handle. */
		volatile char *p = (volatile char *)at;

		p[0] = 1;
		p[48 * MiB - 1] = 2;
		CHECK(p[0] == 1 && p[48 * MiB - 1] == 2);
		CHECK(munmap((void *)at, 48 * MiB) == 0);
	}
	printf("mapped, closed, written and unmapped 40 x 48 MiB: memory reclaimed\n");

	for (int i = 0; i < 40; i++) {
		long region = region_create(48 * MiB);

		CHECK(region > 0);
		CHECK(!is_error(region_map(region, LINUX_PROT_READ)));
		CHECK(region_revoke(region) == 0);
	}
	printf("revoked 40 x 48 MiB: memory reclaimed\n");

	for (int i = 0; i < 40; i++) {
		pid_t pid = fork_or_fail();

		if (pid == 0) {
			long region = region_create(48 * MiB);

			if (region <= 0)
				_exit(1);
			long at = region_map(region, LINUX_PROT_READ | LINUX_PROT_WRITE);

			if (is_error(at))
				_exit(2);
			((volatile char *)at)[4096] = 7;
			_exit(0);
		}
		CHECK(exited_with(wait_for(pid), 0));
	}
	printf("40 processes exited holding 48 MiB each: memory reclaimed\n");
}

static void check_init_shielded(void)
{
	CHECK(kill(1, SIGKILL) == 0);
	CHECK(kill(1, SIGSTOP) == 0);
	CHECK(kill(1, SIGTERM) == 0);
	CHECK(getppid() == 1);
	printf("kill(1, SIGKILL/SIGSTOP/SIGTERM): init carries on\n");
}

static void check_trampoline(void)
{
	long r = syscall3(SYS_mprotect, (long)TRAMPOLINE_VA, 4096,
			  LINUX_PROT_READ | LINUX_PROT_WRITE);

	CHECK(r == -LINUX_EACCES);
	printf("mprotect of the trampoline to writable: EACCES\n");
}

int main(void)
{
	printf("hostile: start\n");
	check_region_bombs();
	check_window_full();
	check_reclaimed();
	check_sleeps();
	check_init_shielded();
	check_trampoline();
	printf("hostile: the kernel survived\n");
	printf("ok\n");
	return 0;
}
