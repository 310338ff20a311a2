/*
 * process.c: picolibc's process hooks (_exit, getpid, kill, sigprocmask) on
 * the Linux calls exit_group, getpid, kill and rt_sigprocmask. picolibc uses
 * BSD signal numbers and a one-bit-per-number sigset_t, so signals are
 * renumbered to Linux's on the way in and out.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#include "glue.h"

/* Linux number of each picolibc signal; 0 where Linux has no such signal. */
static const unsigned char linux_signal[NSIG] = {
	[SIGHUP] = 1,	  [SIGINT] = 2,	    [SIGQUIT] = 3,  [SIGILL] = 4,    [SIGTRAP] = 5,
	[SIGABRT] = 6,	  [SIGBUS] = 7,	    [SIGFPE] = 8,   [SIGKILL] = 9,   [SIGUSR1] = 10,
	[SIGSEGV] = 11,	  [SIGUSR2] = 12,   [SIGPIPE] = 13, [SIGALRM] = 14,  [SIGTERM] = 15,
	[SIGCHLD] = 17,	  [SIGCONT] = 18,   [SIGSTOP] = 19, [SIGTSTP] = 20,  [SIGTTIN] = 21,
	[SIGTTOU] = 22,	  [SIGURG] = 23,    [SIGXCPU] = 24, [SIGXFSZ] = 25,  [SIGVTALRM] = 26,
	[SIGPROF] = 27,	  [SIGWINCH] = 28,  [SIGIO] = 29,   [SIGSYS] = 31,
};

/* Size in bytes of the kernel's sigset_t, which rt_sigprocmask insists on. */
#define LINUX_SIGSET_SIZE 8

void _exit(int status)
{
	for (;;)
		syscall1(SYS_exit_group, status);
}

pid_t getpid(void)
{
	return (pid_t)syscall0(SYS_getpid);
}

int kill(pid_t pid, int sig)
{
	if (sig < 0 || sig >= NSIG || (sig != 0 && linux_signal[sig] == 0)) {
		errno = EINVAL;
		return -1;
	}
	return glue_result(syscall2(SYS_kill, pid, linux_signal[sig]));
}

static uint64_t linux_sigset(sigset_t set)
{
	uint64_t out = 0;

	for (int sig = 1; sig < NSIG; sig++)
		if (((set >> sig) & 1) && linux_signal[sig] != 0)
			out |= (uint64_t)1 << (linux_signal[sig] - 1);
	return out;
}

static sigset_t picolibc_sigset(uint64_t set)
{
	sigset_t out = 0;

	for (int sig = 1; sig < NSIG; sig++)
		if (linux_signal[sig] != 0 && ((set >> (linux_signal[sig] - 1)) & 1))
			out |= (sigset_t)1 << sig;
	return out;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *oldset)
{
	uint64_t new_mask = 0;
	uint64_t old_mask = 0;
	long linux_how = 0;

	if (set != NULL) {
		switch (how) {
		case SIG_BLOCK:
			linux_how = LINUX_SIG_BLOCK;
			break;
		case SIG_UNBLOCK:
			linux_how = LINUX_SIG_UNBLOCK;
			break;
		case SIG_SETMASK:
			linux_how = LINUX_SIG_SETMASK;
			break;
		default:
			errno = EINVAL;
			return -1;
		}
		new_mask = linux_sigset(*set);
	}
	long ret = syscall4(SYS_rt_sigprocmask, linux_how, set != NULL ? (long)&new_mask : 0,
			    oldset != NULL ? (long)&old_mask : 0, LINUX_SIGSET_SIZE);
	if (glue_result(ret) < 0)
		return -1;
	if (oldset != NULL)
		*oldset = picolibc_sigset(old_mask);
	return 0;
}
