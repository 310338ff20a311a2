/*
 * init.c: PID 1. `init PROGRAM [ARGS...]` forks a child that execs PROGRAM
 * with argv PROGRAM ARGS... and init's own environment, then reaps every
 * child with waitid(P_ALL, WEXITED), including orphans the kernel
 * re-parents to init, until none is left (ECHILD). It then exits with the
 * first program's exit status, or 128 + the (Linux) signal number that
 * killed it. It prints nothing, except `init: PROGRAM: reason` on stderr
 * (status 127) when the exec fails, and a usage line (status 2) without a
 * PROGRAM — except as PID 1, where `init` alone only reaps: the children the
 * kernel re-parents to it, until the system is powered off (a booted system,
 * whose programs the shell starts). When it is not PID 1 (under qemu-riscv32, say) it asks to be the
 * child subreaper, so that orphans still come back to it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "linux_syscall.h"

#define EXEC_FAILED 127
#define USAGE 2

/* The status init reports for a child that waitid described. */
static int exit_status(const struct linux_siginfo *info)
{
	if (info->si_code == LINUX_CLD_EXITED)
		return info->si_status & 0xff;
	return 128 + info->si_status;
}

static void wake(int sig)
{
	(void)sig;
}

/* Reaps every child as it ends; sleeps in sigsuspend with SIGCHLD blocked otherwise. */
static _Noreturn int reap_forever(void)
{
	struct sigaction sa;
	sigset_t chld, none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wake;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	for (;;) {
		struct linux_siginfo info;

		info.si_pid = 0;
		long ret = syscall5(SYS_waitid, LINUX_P_ALL, 0, (long)&info,
				    LINUX_WEXITED | LINUX_WNOHANG, 0);
		if (ret == 0 && info.si_pid != 0)
			continue;
		sigsuspend(&none);
	}
}

int main(int argc, char **argv, char **envp)
{
	if (argc < 2 && getpid() == 1)
		return reap_forever();
	if (argc < 2) {
		fprintf(stderr, "usage: init PROGRAM [ARGS...]\n");
		return USAGE;
	}
	if (getpid() != 1)
		syscall2(SYS_prctl, LINUX_PR_SET_CHILD_SUBREAPER, 1);

	pid_t first = fork();
	if (first < 0) {
		fprintf(stderr, "init: fork: %s\n", strerror(errno));
		return EXEC_FAILED;
	}
	if (first == 0) {
		execve(argv[1], argv + 1, envp);
		fprintf(stderr, "init: %s: %s\n", argv[1], strerror(errno));
		_exit(EXEC_FAILED);
	}

	int status = EXEC_FAILED;
	for (;;) {
		struct linux_siginfo info;

		info.si_pid = 0;
		long ret = syscall5(SYS_waitid, LINUX_P_ALL, 0, (long)&info, LINUX_WEXITED, 0);
		if (ret == -LINUX_EINTR)
			continue;
		if (ret < 0)
			break; /* ECHILD: every child, the first included, has been reaped. */
		if (info.si_pid == first)
			status = exit_status(&info);
	}
	return status;
}
