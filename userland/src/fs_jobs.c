/*
 * fs_jobs.c: the job-control calls a shell needs, without a terminal:
 * process groups (setpgid from both sides, getpgid, getpgrp, a group
 * signalled and reaped as one with kill(-pgid) and waitpid(-pgid)),
 * sessions (setsid, getsid, and what a new session may no longer do), the
 * errors of each, and the terminal calls answering ENOTTY on files and
 * pipes. Prints one line per fact, then `ok`.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "fs_check.h"

/* Blocks until the parent closes its end of the pipe, then exits 0. */
static void __attribute__((noreturn)) park(int hold)
{
	char c;

	while (read(hold, &c, 1) > 0)
		;
	_exit(0);
}

static void groups(void)
{
	int hold[2];
	pid_t me = getpid();

	CHECK(getpgrp() == getpgid(0) && getpgid(0) == getpgid(me));
	/* Linux answers 0 when the session's leader is outside the caller's PID namespace (a
	 * container's CI), so only the agreement is portable; setsid() below checks the value. */
	CHECK(getsid(0) == getsid(me) && getsid(0) >= 0);
	printf("getpgrp, getpgid(0), getpgid(self) agree; getsid(0) is getsid(self)\n");

	CHECK(pipe(hold) == 0);
	pid_t leader = fork_or_fail();
	if (leader == 0) {
		close(hold[1]);
		/* Both sides set the group, so neither depends on who runs first. */
		CHECK(setpgid(0, 0) == 0 && getpgrp() == getpid());
		park(hold[0]);
	}
	CHECK(setpgid(leader, leader) == 0);
	pid_t member = fork_or_fail();
	if (member == 0) {
		close(hold[1]);
		CHECK(setpgid(0, leader) == 0 && getpgrp() == leader);
		park(hold[0]);
	}
	CHECK(setpgid(member, leader) == 0);
	CHECK(getpgid(leader) == leader && getpgid(member) == leader);
	CHECK(getpgrp() != leader);
	CHECK(getsid(leader) == getsid(0));
	printf("setpgid makes a new group and moves a second child into it\n");

	CHECK(kill(-leader, SIGTERM) == 0);
	int status;
	pid_t first = waitpid(-leader, &status, 0);
	CHECK(first == leader || first == member);
	CHECK(killed_by(status, SIGTERM));
	pid_t second = waitpid(-leader, &status, 0);
	CHECK(second == leader + member - first && killed_by(status, SIGTERM));
	CHECK(close(hold[0]) == 0 && close(hold[1]) == 0);
	CHECK_ERRNO(waitpid(-leader, &status, 0), ECHILD);
	printf("kill(-pgid) signals the whole group; waitpid(-pgid) reaps both, then ECHILD\n");

	CHECK_ERRNO(setpgid(-1, 0), EINVAL);
	CHECK_ERRNO(setpgid(0, -1), EINVAL);
	CHECK_ERRNO(setpgid(leader, 0), ESRCH);
	CHECK_ERRNO(getpgid(leader), ESRCH);
	CHECK_ERRNO(getsid(leader), ESRCH);
	printf("setpgid: negative ids EINVAL, a reaped child ESRCH; getpgid and getsid of it: "
	       "ESRCH\n");
}

static void sessions(void)
{
	int report[2];
	int hold[2];

	CHECK(pipe(report) == 0 && pipe(hold) == 0);
	pid_t child = fork_or_fail();
	if (child == 0) {
		pid_t me = getpid();

		close(report[0]);
		close(hold[1]);
		CHECK(setsid() == me);
		CHECK(getsid(0) == me && getpgrp() == me);
		/* A group leader may not start another session. */
		CHECK_ERRNO(setsid(), EPERM);
		CHECK(write(report[1], "s", 1) == 1);
		park(hold[0]);
	}
	char c;
	CHECK(read(report[0], &c, 1) == 1 && c == 's');
	CHECK(getsid(child) == child && getpgid(child) == child);
	CHECK(getsid(0) != child);
	/* Moving a process into a group of another session is refused. */
	CHECK_ERRNO(setpgid(child, getpgrp()), EPERM);
	CHECK(close(hold[0]) == 0 && close(hold[1]) == 0);
	CHECK(exited_with(wait_for(child), 0));
	CHECK(close(report[0]) == 0 && close(report[1]) == 0);
	printf("setsid: the child leads a new session and group; again EPERM; setpgid across "
	       "sessions EPERM\n");
}

static void not_terminals(void)
{
	struct termios t;
	struct winsize size;
	int fds[2];

	memset(&t, 0, sizeof(t));
	put_file("file", "x");
	int fd = open("file", O_RDWR);
	CHECK(fd >= 0 && pipe(fds) == 0);
	errno = 0;
	CHECK(isatty(fd) == 0 && errno == ENOTTY);
	CHECK(isatty(fds[0]) == 0 && errno == ENOTTY);
	CHECK_ERRNO(tcgetattr(fd, &t), ENOTTY);
	CHECK_ERRNO(tcgetattr(fds[1], &t), ENOTTY);
	CHECK_ERRNO(tcsetattr(fd, TCSANOW, &t), ENOTTY);
	CHECK_ERRNO(tcgetpgrp(fd), ENOTTY);
	CHECK_ERRNO(tcsetpgrp(fds[0], getpgrp()), ENOTTY);
	CHECK_ERRNO(ioctl(fd, TIOCGWINSZ, &size), ENOTTY);
	CHECK(close(fds[0]) == 0 && close(fds[1]) == 0 && close(fd) == 0);
	CHECK(isatty(fd) == 0 && errno == EBADF);
	CHECK(unlink("file") == 0);
	printf("a file and a pipe are not terminals: isatty 0, tcgetattr, tcsetattr, "
	       "tcgetpgrp, tcsetpgrp, TIOCGWINSZ ENOTTY; a closed descriptor EBADF\n");
}

int main(void)
{
	groups();
	sessions();
	not_terminals();
	printf("ok\n");
	return 0;
}
