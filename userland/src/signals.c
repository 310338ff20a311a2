/*
 * signals.c: signal delivery and default actions. A SIGUSR1 handler runs
 * (kill to self); blocking defers delivery (the signal shows as pending)
 * until unblocked, and a handler's sa_mask defers another signal until the
 * handler returns; SIGCHLD reaches the parent when a child exits; a child
 * writing through a wild pointer dies of SIGSEGV while the parent carries
 * on; SIGTERM's default action kills; SIGKILL cannot be caught, ignored or
 * blocked; writing to a pipe with no reader kills with SIGPIPE by default
 * and fails with EPIPE when SIGPIPE is ignored; a stopped child (SIGSTOP,
 * seen by waitpid WUNTRACED) makes no progress on a counter in shared memory
 * until SIGCONT. Prints one line per check, then `ok`; exits 0 only if all
 * passed.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "posix_ext.h"

/* Bound on every wait for something another process must do. */
#define TIMEOUT_MS 5000

static volatile sig_atomic_t usr1_count;
static volatile sig_atomic_t usr1_signo;
static volatile sig_atomic_t usr1_count_in_usr2;
static volatile sig_atomic_t usr2_count;
static volatile sig_atomic_t chld_count;

static void on_usr1(int sig)
{
	usr1_signo = sig;
	usr1_count++;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_count++;
	kill(getpid(), SIGUSR1);
	/* SIGUSR1 is in this handler's sa_mask: it must wait until we return. */
	usr1_count_in_usr2 = usr1_count;
}

static void on_chld(int sig)
{
	(void)sig;
	chld_count++;
}

static void sleep_ms(long ms)
{
	struct timespec delay = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&delay, NULL);
}

/* A child that signals readiness on `ready` and then blocks forever. */
static pid_t blocked_child(void (*setup)(void))
{
	int ready[2];
	int never[2];
	char byte;

	CHECK(pipe(ready) == 0);
	CHECK(pipe(never) == 0);
	pid_t pid = fork_or_fail();
	if (pid == 0) {
		if (setup != NULL)
			setup();
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		close(never[1]);
		for (;;)
			read(never[0], &byte, 1);
	}
	CHECK(read(ready[0], &byte, 1) == 1);
	close(ready[0]);
	close(ready[1]);
	close(never[0]);
	close(never[1]);
	return pid;
}

static void try_to_escape_sigkill(void)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGKILL, SIG_IGN);
}

int main(void)
{
	sigset_t set;
	sigset_t pending;

	/* A handler runs, and gets picolibc's number for its signal. */
	CHECK(signal(SIGUSR1, on_usr1) != SIG_ERR);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(usr1_count == 1 && usr1_signo == SIGUSR1);
	printf("SIGUSR1 handler ran\n");

	/* Blocked: pending, not delivered, until unblocked. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(usr1_count == 1);
	CHECK(sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1));
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
	CHECK(usr1_count == 2);
	CHECK(sigpending(&pending) == 0 && !sigismember(&pending, SIGUSR1));
	printf("blocked SIGUSR1 deferred until unblocked\n");

	/* sa_mask: SIGUSR1 raised inside the SIGUSR2 handler runs after it. */
	struct sigaction act = { .sa_handler = on_usr2, .sa_flags = 0 };
	struct sigaction old;
	sigemptyset(&act.sa_mask);
	sigaddset(&act.sa_mask, SIGUSR1);
	CHECK(sigaction(SIGUSR2, &act, NULL) == 0);
	CHECK(sigaction(SIGUSR2, NULL, &old) == 0);
	CHECK(old.sa_handler == on_usr2 && sigismember(&old.sa_mask, SIGUSR1));
	CHECK(kill(getpid(), SIGUSR2) == 0);
	CHECK(usr2_count == 1 && usr1_count_in_usr2 == 2 && usr1_count == 3);
	printf("sa_mask deferred SIGUSR1 until the SIGUSR2 handler returned\n");

	/* SIGCHLD: sent when the child exits, so due by the time waitpid has reaped it. */
	CHECK(signal(SIGCHLD, on_chld) != SIG_ERR);
	pid_t pid = fork_or_fail();
	if (pid == 0)
		_exit(0);
	CHECK(exited_with(wait_for(pid), 0));
	for (int waited = 0; chld_count == 0 && waited < TIMEOUT_MS; waited++)
		sleep_ms(1);
	CHECK(chld_count == 1);
	CHECK(signal(SIGCHLD, SIG_DFL) == on_chld);
	printf("SIGCHLD delivered when a child exits\n");

	/* A wild write kills only the child. */
	pid = fork_or_fail();
	if (pid == 0) {
		volatile int *volatile wild = (int *)16;

		*wild = 1;
		_exit(0);
	}
	CHECK(killed_by(wait_for(pid), SIGSEGV));
	printf("wild pointer write: child killed by SIGSEGV (%d)\n", SIGSEGV);

	pid = blocked_child(NULL);
	CHECK(kill(pid, SIGTERM) == 0);
	CHECK(killed_by(wait_for(pid), SIGTERM));
	printf("SIGTERM default action kills\n");

	act.sa_handler = on_usr1;
	errno = 0;
	CHECK(sigaction(SIGKILL, &act, NULL) == -1 && errno == EINVAL);
	CHECK(signal(SIGKILL, SIG_IGN) == SIG_ERR);
	pid = blocked_child(try_to_escape_sigkill);
	CHECK(kill(pid, SIGKILL) == 0);
	CHECK(killed_by(wait_for(pid), SIGKILL));
	printf("SIGKILL cannot be caught, ignored or blocked\n");

	/* The child makes the pipe, so no other process holds its read end. */
	int fds[2];
	pid = fork_or_fail();
	if (pid == 0) {
		if (pipe(fds) != 0)
			_exit(2);
		close(fds[0]);
		write(fds[1], "x", 1);
		_exit(0);
	}
	CHECK(killed_by(wait_for(pid), SIGPIPE));
	printf("write to a pipe with no reader: killed by SIGPIPE\n");

	CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	CHECK(pipe(fds) == 0);
	close(fds[0]);
	errno = 0;
	CHECK(write(fds[1], "x", 1) == -1 && errno == EPIPE);
	close(fds[1]);
	CHECK(signal(SIGPIPE, SIG_DFL) == SIG_IGN);
	printf("with SIGPIPE ignored: EPIPE\n");

	/* SIGSTOP / SIGCONT, watched through a counter the child bumps in shared memory. */
	volatile uint32_t *counter =
		mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(counter != MAP_FAILED);
	pid = fork_or_fail();
	if (pid == 0)
		for (;;)
			(*counter)++;
	int waited = 0;
	while (*counter == 0 && waited++ < TIMEOUT_MS)
		sleep_ms(1);
	CHECK(*counter != 0);
	CHECK(kill(pid, SIGSTOP) == 0);
	int status;
	CHECK(waitpid(pid, &status, WUNTRACED) == pid);
	CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	uint32_t stopped_at = *counter;
	sleep_ms(50);
	CHECK(*counter == stopped_at);
	printf("stopped child makes no progress\n");
	CHECK(kill(pid, SIGCONT) == 0);
	waited = 0;
	while (*counter == stopped_at && waited++ < TIMEOUT_MS)
		sleep_ms(1);
	CHECK(*counter != stopped_at);
	printf("SIGCONT resumes it\n");
	CHECK(kill(pid, SIGKILL) == 0);
	CHECK(killed_by(wait_for(pid), SIGKILL));
	CHECK(munmap((void *)counter, 4096) == 0);

	printf("ok\n");
	return 0;
}
