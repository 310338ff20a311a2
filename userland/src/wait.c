/*
 * wait.c: waiting for children. WNOHANG reports 0 while a child runs; a child
 * that exits stays a zombie until it is reaped, later, with its status; wait
 * collects several children, each once; an orphan (a grandchild whose parent
 * exited) is re-parented, seen as getppid() changing (to 1 under our kernel,
 * to the host's reaper under qemu-riscv32); with no children left, waiting
 * fails with ECHILD. A child made by clone with an exit signal that is no
 * signal (200) exits without signalling anyone and is still waited for (as on
 * Linux; qemu-riscv32 refuses such a clone with EINVAL, so that line is ours). Prints one line per check, then `ok`; exits 0 only if
 * all passed.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "linux_syscall.h"
#include "posix_ext.h"

/* How long the orphan polls for its new parent before giving up. */
#define REPARENT_TIMEOUT_MS 5000

static void sleep_ms(long ms)
{
	struct timespec delay = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&delay, NULL);
}

int main(void)
{
	int fds[2];
	int status;
	char byte;

	/* WNOHANG while the child blocks on a pipe, then its exit status. */
	CHECK(pipe(fds) == 0);
	pid_t pid = fork_or_fail();
	if (pid == 0) {
		close(fds[1]);
		_exit(read(fds[0], &byte, 1) == 1 && byte == 'x' ? 9 : 1);
	}
	close(fds[0]);
	CHECK(waitpid(pid, &status, WNOHANG) == 0);
	sleep_ms(10);
	CHECK(waitpid(pid, &status, WNOHANG) == 0);
	printf("WNOHANG on a running child: 0\n");
	CHECK(write(fds[1], "x", 1) == 1);
	close(fds[1]);
	CHECK(exited_with(wait_for(pid), 9));
	printf("running child then exited with status 9\n");

	/* A zombie: the child exits (its pipe end closes) long before the parent reaps it. */
	CHECK(pipe(fds) == 0);
	pid = fork_or_fail();
	if (pid == 0)
		_exit(7);
	close(fds[1]);
	CHECK(read(fds[0], &byte, 1) == 0);
	close(fds[0]);
	sleep_ms(20);
	/* Until reaped, the zombie exists: kill succeeds and changes nothing (as on Linux). */
	CHECK(kill(pid, 0) == 0);
	CHECK(kill(pid, SIGKILL) == 0);
	CHECK(waitpid(pid, &status, WNOHANG) == pid);
	CHECK(exited_with(status, 7));
	CHECK(waitpid(pid, &status, WNOHANG) == -1 && errno == ECHILD);
	CHECK(kill(pid, 0) == -1 && errno == ESRCH);
	printf("zombie reaped later with status 7, once\n");
	printf("kill on an unreaped zombie succeeds, on a reaped one ESRCH\n");

	/* wait() for any child collects each of three exactly once. */
	pid_t children[3];
	int seen[3] = { 0, 0, 0 };
	for (int i = 0; i < 3; i++) {
		children[i] = fork_or_fail();
		if (children[i] == 0)
			_exit(20 + i);
	}
	for (int n = 0; n < 3; n++) {
		pid_t got = wait(&status);
		int i = 0;

		while (i < 3 && children[i] != got)
			i++;
		CHECK(i < 3);
		CHECK(exited_with(status, 20 + i));
		seen[i]++;
	}
	CHECK(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
	printf("wait collected 3 children, each once\n");

	/* An orphan: the middle process exits, its child sees getppid() change. */
	CHECK(pipe(fds) == 0);
	pid = fork_or_fail();
	if (pid == 0) {
		pid_t middle = getpid();
		pid_t orphan = fork();

		if (orphan < 0)
			_exit(2);
		if (orphan == 0) {
			char result = 'T';

			for (int ms = 0; ms < REPARENT_TIMEOUT_MS; ms++) {
				if (getppid() != middle) {
					result = 'R';
					break;
				}
				sleep_ms(1);
			}
			_exit(write(fds[1], &result, 1) == 1 ? 0 : 1);
		}
		_exit(0);
	}
	close(fds[1]);
	CHECK(exited_with(wait_for(pid), 0));
	CHECK(read(fds[0], &byte, 1) == 1);
	close(fds[0]);
	if (byte != 'R') {
		printf("FAIL: the orphan's getppid() did not change\n");
		return 1;
	}
	printf("orphan reparented\n");

	/* clone's exit signal is any byte; one above the last signal sends nothing (as on Linux). */
	long child = syscall5(SYS_clone, 200, 0, 0, 0, 0);
	if (child == 0)
		_exit(5);
	CHECK(child > 0);
	struct linux_siginfo info = { 0 };
	CHECK(syscall5(SYS_waitid, LINUX_P_PID, child, (long)&info, LINUX_WEXITED | LINUX_WALL, 0) == 0);
	CHECK(info.si_pid == child && info.si_code == LINUX_CLD_EXITED && info.si_status == 5);
	printf("clone exit signal 200: no signal sent, child reaped with status 5\n");

	/* Nothing left to wait for (as PID 1, the orphan comes back to us first). */
	pid_t got;
	while ((got = waitpid(-1, &status, 0)) > 0)
		;
	CHECK(got == -1 && errno == ECHILD);
	printf("no children: ECHILD\n");
	printf("ok\n");
	return 0;
}
