/*
 * check.h: what the process, thread and signal tests in userland/src share:
 * CHECK(condition), which on failure prints `FAIL line N: condition (errno
 * E: message)` and exits 1, a fork that flushes stdout first (so a child
 * never inherits and repeats buffered output), and waiting for one child
 * with its status.
 */
#ifndef CHECK_H
#define CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(condition)                                                                         \
	do {                                                                                     \
		if (!(condition))                                                                \
			check_failed(__LINE__, #condition);                                      \
	} while (0)

static void __attribute__((noreturn, unused)) check_failed(int line, const char *what)
{
	int err = errno;

	printf("FAIL line %d: %s (errno %d: %s)\n", line, what, err, strerror(err));
	fflush(stdout);
	_exit(1);
}

/* fork() after flushing stdout; fails the test when fork does. */
static pid_t __attribute__((unused)) fork_or_fail(void)
{
	fflush(stdout);
	pid_t pid = fork();

	CHECK(pid >= 0);
	return pid;
}

/* Waits for child pid and returns its status word; fails the test if waitpid does. */
static int __attribute__((unused)) wait_for(pid_t pid)
{
	int status = 0;

	CHECK(waitpid(pid, &status, 0) == pid);
	return status;
}

/* True when status says the child exited normally with code. */
static int __attribute__((unused)) exited_with(int status, int code)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

/* True when status says the child was killed by signal sig. */
static int __attribute__((unused)) killed_by(int status, int sig)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

#endif
