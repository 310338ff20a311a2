/*
 * fs_pty.c: terminals, on a pseudo-terminal pair from /dev/ptmx (unlocked
 * with TIOCSPTLCK, its slave named by TIOCGPTN under /dev/pts): isatty;
 * tcgetattr's defaults, cfmakeraw and tcsetattr round trips, the line speed;
 * bytes through raw mode untouched and a canonical line with CR mapped and
 * echoed; the window size; a controlling terminal (TIOCSCTTY in a new
 * session, /dev/tty) whose foreground group tcsetpgrp moves and tcgetpgrp
 * reports; and EIO on the master once the slave is closed. Prints one line
 * per fact, then `ok`.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "fs_check.h"

/* Reads exactly length bytes (a terminal hands them over in pieces). */
static void read_exactly(int fd, char *buf, size_t length)
{
	CHECK(read_all(fd, buf, length) == length);
}

static void attributes(int master, int slave)
{
	struct termios t;

	CHECK(isatty(master) == 1 && isatty(slave) == 1);
	CHECK(tcgetattr(slave, &t) == 0);
	CHECK((t.c_lflag & (ICANON | ECHO | ISIG | IEXTEN)) == (ICANON | ECHO | ISIG | IEXTEN));
	CHECK((t.c_iflag & ICRNL) && (t.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR));
	CHECK((t.c_cflag & CSIZE) == CS8 && (t.c_cflag & CREAD));
	CHECK(t.c_cc[VINTR] == 003 && t.c_cc[VEOF] == 004 && t.c_cc[VERASE] == 0177);
	CHECK(t.c_cc[VSUSP] == 032 && t.c_cc[VMIN] == 1);
	CHECK(cfgetospeed(&t) == B38400 && cfgetispeed(&t) == B38400);
	printf("a new slave: canonical, echo, signals, CR to NL, NL to CR NL, CS8, ^C ^D ^? ^Z, "
	       "38400 baud\n");

	struct termios raw = t;
	cfmakeraw(&raw);
	CHECK(cfsetospeed(&raw, B9600) == 0 && cfsetispeed(&raw, 0) == 0);
	CHECK_ERRNO(cfsetospeed(&raw, 12345), EINVAL);
	CHECK(tcsetattr(slave, TCSANOW, &raw) == 0);
	struct termios got;
	CHECK(tcgetattr(slave, &got) == 0);
	CHECK(!(got.c_lflag & (ICANON | ECHO | ISIG | IEXTEN)) && !(got.c_oflag & OPOST));
	CHECK(!(got.c_iflag & (ICRNL | IXON)) && (got.c_cflag & CSIZE) == CS8);
	CHECK(got.c_cc[VMIN] == 1 && got.c_cc[VTIME] == 0);
	CHECK(cfgetospeed(&got) == B9600);
	CHECK_ERRNO(tcsetattr(slave, 3, &raw), EINVAL);
	printf("cfmakeraw and tcsetattr: raw mode and 9600 baud read back\n");

	char buf[8];
	CHECK(write(master, "a\rb\003", 4) == 4);
	read_exactly(slave, buf, 4);
	CHECK(memcmp(buf, "a\rb\003", 4) == 0);
	printf("raw mode passes bytes through untouched\n");

	CHECK(tcsetattr(slave, TCSAFLUSH, &t) == 0);
	CHECK(write(master, "hi\r", 3) == 3);
	CHECK(read(slave, buf, sizeof(buf)) == 3 && memcmp(buf, "hi\n", 3) == 0);
	read_exactly(master, buf, 4);
	CHECK(memcmp(buf, "hi\r\n", 4) == 0);
	printf("canonical mode: a line ending in CR reads as hi\\n and echoes as hi\\r\\n\n");

	struct winsize set = { .ws_row = 24, .ws_col = 80, .ws_xpixel = 640, .ws_ypixel = 480 };
	struct winsize size;
	CHECK(ioctl(master, TIOCSWINSZ, &set) == 0);
	CHECK(ioctl(slave, TIOCGWINSZ, &size) == 0);
	CHECK(memcmp(&size, &set, sizeof(size)) == 0);
	printf("TIOCSWINSZ on the master, TIOCGWINSZ on the slave: 24 x 80\n");
}

/* In a child: a new session with the slave as its controlling terminal. */
static void __attribute__((noreturn)) session_leader(int slave, pid_t outside_group)
{
	int hold[2];
	pid_t me = getpid();

	CHECK(setsid() == me);
	CHECK(ioctl(slave, TIOCSCTTY, 0) == 0);
	CHECK(tcgetpgrp(slave) == me);
	int tty = open("/dev/tty", O_RDWR);
	CHECK(tty >= 0 && isatty(tty) && tcgetpgrp(tty) == me);
	CHECK(close(tty) == 0);

	CHECK(pipe(hold) == 0);
	pid_t job = fork_or_fail();
	if (job == 0) {
		char c;

		close(hold[1]);
		/* The parent sets the group too, so neither depends on who runs first. */
		setpgid(0, 0);
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	CHECK(setpgid(job, job) == 0);
	CHECK(tcsetpgrp(slave, job) == 0 && tcgetpgrp(slave) == job);
	/* Now in the background: taking the terminal back would stop us without this. */
	signal(SIGTTOU, SIG_IGN);
	CHECK(tcsetpgrp(slave, me) == 0 && tcgetpgrp(slave) == me);
	CHECK_ERRNO(tcsetpgrp(slave, outside_group), EPERM);
	CHECK(close(hold[0]) == 0 && close(hold[1]) == 0);
	CHECK(exited_with(wait_for(job), 0));
	_exit(0);
}

int main(void)
{
	unsigned number = 0;
	int unlock = 0;
	char path[32];

	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	CHECK(master >= 0);
	CHECK(ioctl(master, TIOCSPTLCK, &unlock) == 0);
	CHECK(ioctl(master, TIOCGPTN, &number) == 0);
	snprintf(path, sizeof(path), "/dev/pts/%u", number);
	int slave = open(path, O_RDWR | O_NOCTTY);
	CHECK(slave >= 0);
	printf("/dev/ptmx gives a master; TIOCSPTLCK and TIOCGPTN open its slave\n");

	attributes(master, slave);

	pid_t child = fork_or_fail();
	if (child == 0)
		session_leader(slave, getpgrp());
	CHECK(exited_with(wait_for(child), 0));
	printf("a session leader takes the slave as controlling terminal (TIOCSCTTY, "
	       "/dev/tty); tcsetpgrp moves the foreground group and back, not to another "
	       "session's (EPERM)\n");

	char c;
	CHECK(close(slave) == 0);
	CHECK_ERRNO(read(master, &c, 1), EIO);
	CHECK(close(master) == 0);
	printf("with the slave closed, the master reads EIO\n");
	printf("ok\n");
	return 0;
}
