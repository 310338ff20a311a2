/*
 * signal.c: signals on the Linux calls kill, rt_sigaction, rt_sigprocmask,
 * rt_sigpending and rt_sigsuspend: kill, raise, signal, sigaction,
 * sigprocmask, sigpending and sigsuspend. picolibc uses BSD signal numbers
 * and a one-bit-per-number sigset_t, so numbers and sets are translated to
 * Linux's on the way in and out, and handlers are installed behind one
 * dispatcher that the kernel calls with the Linux number and that calls the
 * program's handler with picolibc's. riscv has no SA_RESTORER: the kernel
 * provides the trampoline that returns from a handler (rt_sigreturn).
 *
 * struct sigaction on riscv is handler, flags, 8-byte mask (16 bytes), but
 * qemu-riscv32 (7.2 at least) puts an sa_restorer word before the mask (20
 * bytes: its generic signal.h defines TARGET_SA_RESTORER for riscv too), and
 * would write past a 16-byte old action. So sigaction always hands the
 * kernel room for 20 bytes, and the first call asks which layout the kernel
 * uses, by reading the old action into a patterned buffer and seeing whether
 * the fifth word was written: Linux and our kernel leave it alone.
 *
 * This file is linked as an object, not from libuser.a, because libc.a has
 * its own signal and raise (an in-process emulation that never reaches the
 * kernel), which would otherwise be picked first.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#include "glue.h"
#include "posix_ext.h"

/* Linux number of each picolibc signal; 0 where Linux has no such signal. */
static const unsigned char linux_signal[NSIG] = {
	[SIGHUP] = 1,	  [SIGINT] = 2,	    [SIGQUIT] = 3,  [SIGILL] = 4,    [SIGTRAP] = 5,
	[SIGABRT] = 6,	  [SIGBUS] = 7,	    [SIGFPE] = 8,   [SIGKILL] = 9,   [SIGUSR1] = 10,
	[SIGSEGV] = 11,	  [SIGUSR2] = 12,   [SIGPIPE] = 13, [SIGALRM] = 14,  [SIGTERM] = 15,
	[SIGCHLD] = 17,	  [SIGCONT] = 18,   [SIGSTOP] = 19, [SIGTSTP] = 20,  [SIGTTIN] = 21,
	[SIGTTOU] = 22,	  [SIGURG] = 23,    [SIGXCPU] = 24, [SIGXFSZ] = 25,  [SIGVTALRM] = 26,
	[SIGPROF] = 27,	  [SIGWINCH] = 28,  [SIGIO] = 29,   [SIGSYS] = 31,
};

/* sa_flags bits passed to the kernel; SA_SIGINFO needs Linux's siginfo_t, which we do not offer. */
#define PASSED_FLAGS                                                                             \
	(LINUX_SA_NOCLDSTOP | LINUX_SA_NOCLDWAIT | LINUX_SA_ONSTACK | LINUX_SA_RESTART |       \
	 LINUX_SA_NODEFER | LINUX_SA_RESETHAND)

/* The program's handler for each picolibc signal the dispatcher stands in for. */
static _sig_func_ptr handlers[NSIG];

/* A kernel sigaction as 32-bit words: handler, flags, [restorer,] mask low, mask high. */
#define ACTION_WORDS 6
#define LINUX_MASK_WORD 2
#define QEMU_MASK_WORD 3
#define PROBE_PATTERN 0xa5a5a5a5u

/* Where the mask starts in the kernel's sigaction: 0 until probed. */
static int mask_word;

/* Finds mask_word with a harmless read of linux_sig's current action; raw error or 0. */
static long probe_layout(int linux_sig)
{
	uint32_t words[ACTION_WORDS];

	for (int i = 0; i < ACTION_WORDS; i++)
		words[i] = PROBE_PATTERN;
	long ret = syscall4(SYS_rt_sigaction, linux_sig, 0, (long)words, LINUX_SIGSET_SIZE);
	if (ret == 0)
		mask_word = words[4] == PROBE_PATTERN ? LINUX_MASK_WORD : QEMU_MASK_WORD;
	return ret;
}

int glue_linux_signal(int sig)
{
	if (sig == 0)
		return 0;
	if (sig < 0 || sig >= NSIG || linux_signal[sig] == 0)
		return -1;
	return linux_signal[sig];
}

int glue_picolibc_signal(int linux_sig)
{
	for (int sig = 1; sig < NSIG; sig++)
		if (linux_signal[sig] == linux_sig)
			return sig;
	return NSIG + linux_sig;
}

uint64_t glue_linux_sigset(unsigned long set)
{
	uint64_t out = 0;

	for (int sig = 1; sig < NSIG; sig++)
		if (((set >> sig) & 1) && linux_signal[sig] != 0)
			out |= (uint64_t)1 << (linux_signal[sig] - 1);
	return out;
}

unsigned long glue_picolibc_sigset(uint64_t set)
{
	unsigned long out = 0;

	for (int sig = 1; sig < NSIG; sig++)
		if (linux_signal[sig] != 0 && ((set >> (linux_signal[sig] - 1)) & 1))
			out |= 1ul << sig;
	return out;
}

/* What the kernel calls for every caught signal, with the Linux number. */
static void dispatch(int linux_sig)
{
	int sig = glue_picolibc_signal(linux_sig);

	if (sig < NSIG && handlers[sig] != SIG_DFL && handlers[sig] != SIG_IGN)
		handlers[sig](sig);
}

int kill(pid_t pid, int sig)
{
	int linux_sig = glue_linux_signal(sig);

	if (linux_sig < 0) {
		errno = EINVAL;
		return -1;
	}
	return glue_result(syscall2(SYS_kill, pid, linux_sig));
}

/* Signals the whole process, which is the calling thread's only when it has one thread. */
int raise(int sig)
{
	return kill(getpid(), sig);
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *oldact)
{
	int linux_sig = glue_linux_signal(sig);
	uint32_t new_action[ACTION_WORDS] = { 0 };
	uint32_t old_action[ACTION_WORDS] = { 0 };
	_sig_func_ptr previous;

	if (linux_sig <= 0) {
		errno = EINVAL;
		return -1;
	}
	if (mask_word == 0 && glue_result(probe_layout(linux_sig)) < 0)
		return -1;
	previous = handlers[sig];
	if (act != NULL) {
		_sig_func_ptr handler = act->sa_handler;
		uint64_t mask = glue_linux_sigset(act->sa_mask);

		if (handler == SIG_DFL || handler == SIG_IGN)
			new_action[0] = (uint32_t)(uintptr_t)handler;
		else
			new_action[0] = (uint32_t)(uintptr_t)dispatch;
		new_action[1] = (uint32_t)act->sa_flags & PASSED_FLAGS;
		new_action[mask_word] = (uint32_t)mask;
		new_action[mask_word + 1] = (uint32_t)(mask >> 32);
		handlers[sig] = handler;
	}
	long ret = syscall4(SYS_rt_sigaction, linux_sig, act != NULL ? (long)new_action : 0,
			    oldact != NULL ? (long)old_action : 0, LINUX_SIGSET_SIZE);
	if (glue_result(ret) < 0) {
		handlers[sig] = previous;
		return -1;
	}
	if (oldact != NULL) {
		uint64_t mask = old_action[mask_word] | (uint64_t)old_action[mask_word + 1] << 32;

		if (old_action[0] == (uint32_t)(uintptr_t)dispatch)
			oldact->sa_handler = previous;
		else
			oldact->sa_handler = (_sig_func_ptr)(uintptr_t)old_action[0];
		oldact->sa_flags = (int)(old_action[1] & PASSED_FLAGS);
		oldact->sa_mask = glue_picolibc_sigset(mask);
	}
	return 0;
}

/* BSD semantics, as glibc gives them: the handler stays installed and calls restart. */
_sig_func_ptr signal(int sig, _sig_func_ptr handler)
{
	struct sigaction act = { .sa_handler = handler, .sa_flags = SA_RESTART };
	struct sigaction old;

	sigemptyset(&act.sa_mask);
	if (sigaction(sig, &act, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
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
		new_mask = glue_linux_sigset(*set);
	}
	long ret = syscall4(SYS_rt_sigprocmask, linux_how, set != NULL ? (long)&new_mask : 0,
			    oldset != NULL ? (long)&old_mask : 0, LINUX_SIGSET_SIZE);
	if (glue_result(ret) < 0)
		return -1;
	if (oldset != NULL)
		*oldset = glue_picolibc_sigset(old_mask);
	return 0;
}

int sigpending(sigset_t *set)
{
	uint64_t pending = 0;

	if (glue_result(syscall2(SYS_rt_sigpending, (long)&pending, LINUX_SIGSET_SIZE)) < 0)
		return -1;
	*set = glue_picolibc_sigset(pending);
	return 0;
}

/* Always returns -1: EINTR once a handler has run. */
int sigsuspend(const sigset_t *mask)
{
	uint64_t linux_mask = glue_linux_sigset(*mask);

	return glue_result(syscall2(SYS_rt_sigsuspend, (long)&linux_mask, LINUX_SIGSET_SIZE));
}
