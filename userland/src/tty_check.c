/*
 * tty_check.c: the terminal on stdin, for the tty driver's end-to-end tests.
 * One subcommand per test:
 *
 *   intr      a child sends SIGUSR1 once this process sleeps in read(0)
 *             (it watches /proc/PPID/stat for state S); the handler has no
 *             SA_RESTART, so read returns -1 EINTR. Prints `reading`, then
 *             `read: EINTR`, then `ok`.
 *   restart   the same with SA_RESTART; the handler writes `signal`. The read
 *             goes on and returns the line fed afterwards. Prints `reading`,
 *             `signal`, `read: LINE`, then `ok`.
 *   read      prints `ready`, then `got N` for each read until end of file,
 *             then `eof` (a program for ^C to kill).
 *   termios MODE
 *             MODE `cooked` or `transparent`: tcgetattr's ICANON, ECHO and
 *             ISIG agree with it; TIOCGWINSZ; a changed termios reads back
 *             the same; cfmakeraw, then prints `raw` and reads bytes until a
 *             `q`, printing them in hex; the first settings are put back.
 *
 * Exits 0 when every check passed; a failed check prints `FAIL line N: ...`
 * and exits 1.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "posix_ext.h"

/* Bound on the child's wait for its parent to sleep in read. */
#define TIMEOUT_MS 20000
#define POLL_MS 5

static volatile sig_atomic_t usr1_count;
static volatile sig_atomic_t usr1_announce;

static void on_usr1(int sig)
{
	static const char marker[] = "signal\n";

	(void)sig;
	usr1_count++;
	if (usr1_announce)
		(void)!write(1, marker, sizeof(marker) - 1);
}

static void sleep_ms(long ms)
{
	struct timespec delay = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&delay, NULL);
}

/* The state letter of process pid from /proc/PID/stat, or 0 if it cannot be read. */
static char state_of(pid_t pid)
{
	char path[32];
	char stat[256];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	stat[n] = '\0';
	/* "PID (NAME) S ...": the name may hold spaces and parentheses, so the last ')'. */
	char *end = strrchr(stat, ')');
	return end != NULL && end[1] == ' ' ? end[2] : 0;
}

/*
 * A child that waits until this process sleeps interruptibly (in the read that
 * follows: the caller writes nothing after starting it, since a console write
 * may sleep so too), sends it SIGUSR1 and
 * exits 0 (2 if it never saw the sleep).
 */
static pid_t signaller(void)
{
	pid_t pid = fork_or_fail();

	if (pid != 0)
		return pid;
	pid_t parent = getppid();
	for (long waited = 0; waited < TIMEOUT_MS; waited += POLL_MS) {
		if (state_of(parent) == 'S') {
			_exit(kill(parent, SIGUSR1) == 0 ? 0 : 3);
		}
		sleep_ms(POLL_MS);
	}
	_exit(2);
}

static void install(int flags)
{
	struct sigaction act = { .sa_handler = on_usr1, .sa_flags = flags };

	sigemptyset(&act.sa_mask);
	CHECK(sigaction(SIGUSR1, &act, NULL) == 0);
}

static int interrupted_read(void)
{
	char buf[64];

	install(0);
	/* Written before the signaller starts: a console write may sleep interruptibly too (the
	 * tty driver's answer), and a signal there would leave the read waiting for ever. */
	printf("reading\n");
	fflush(stdout);
	pid_t child = signaller();
	ssize_t n = read(0, buf, sizeof(buf));
	CHECK(n == -1 && errno == EINTR);
	CHECK(usr1_count == 1);
	printf("read: EINTR\n");
	CHECK(exited_with(wait_for(child), 0));
	printf("ok\n");
	return 0;
}

static int restarted_read(void)
{
	char line[64];
	size_t length = 0;

	usr1_announce = 1;
	install(SA_RESTART);
	printf("reading\n"); /* before the signaller, as in interrupted_read */
	fflush(stdout);
	pid_t child = signaller();
	/* A terminal may hand a line over in pieces: read up to its newline. */
	while (length == 0 || line[length - 1] != '\n') {
		CHECK(length < sizeof(line) - 1);
		ssize_t n = read(0, line + length, sizeof(line) - 1 - length);
		CHECK(n > 0);
		CHECK(usr1_count == 1);
		length += (size_t)n;
	}
	line[length] = '\0';
	printf("read: %s", line);
	CHECK(exited_with(wait_for(child), 0));
	printf("ok\n");
	return 0;
}

static int read_until_eof(void)
{
	char buf[256];
	ssize_t n;

	printf("ready\n");
	fflush(stdout);
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		printf("got %d\n", (int)n);
		fflush(stdout);
	}
	CHECK(n == 0);
	printf("eof\n");
	return 0;
}

static int attributes(const char *mode)
{
	struct termios first;
	struct termios changed;
	struct termios got;
	struct winsize ws;
	const tcflag_t modes = ICANON | ECHO | ISIG;

	CHECK(strcmp(mode, "cooked") == 0 || strcmp(mode, "transparent") == 0);
	CHECK(tcgetattr(0, &first) == 0);
	CHECK((first.c_lflag & modes) == (strcmp(mode, "cooked") == 0 ? modes : 0));
	printf("icanon=%d echo=%d isig=%d\n", !!(first.c_lflag & ICANON), !!(first.c_lflag & ECHO),
	       !!(first.c_lflag & ISIG));

	memset(&ws, 0xff, sizeof(ws));
	CHECK(ioctl(0, TIOCGWINSZ, &ws) == 0);
	printf("winsize %ux%u\n", ws.ws_row, ws.ws_col);

	changed = first;
	changed.c_cc[VERASE] = 010;
	changed.c_cc[VKILL] = 030;
	changed.c_lflag ^= ECHOCTL;
	changed.c_iflag ^= IGNCR;
	CHECK(tcsetattr(0, TCSANOW, &changed) == 0);
	memset(&got, 0, sizeof(got));
	CHECK(tcgetattr(0, &got) == 0);
	CHECK(memcmp(&got, &changed, sizeof(got)) == 0);
	CHECK(memcmp(&got, &first, sizeof(got)) != 0);
	printf("round trip ok\n");
	fflush(stdout); /* out before raw mode stops output processing */

	cfmakeraw(&got);
	CHECK(tcsetattr(0, TCSAFLUSH, &got) == 0);
	CHECK(tcgetattr(0, &got) == 0);
	CHECK(!(got.c_lflag & (ICANON | ECHO | ISIG | IEXTEN)) && !(got.c_oflag & OPOST));
	CHECK(!(got.c_iflag & (ICRNL | IGNCR | INLCR)) && got.c_cc[VMIN] == 1);
	printf("raw\n");
	fflush(stdout);

	unsigned char bytes[64];
	size_t length = 0;
	while (length == 0 || bytes[length - 1] != 'q') {
		CHECK(length < sizeof(bytes));
		ssize_t n = read(0, bytes + length, sizeof(bytes) - length);
		CHECK(n > 0);
		length += (size_t)n;
	}
	printf("got");
	for (size_t i = 0; i < length; i++)
		printf(" %02x", bytes[i]);
	printf("\n");
	fflush(stdout);

	CHECK(tcsetattr(0, TCSANOW, &first) == 0);
	CHECK(tcgetattr(0, &got) == 0);
	CHECK(memcmp(&got, &first, sizeof(got)) == 0);
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "intr") == 0)
		return interrupted_read();
	if (argc == 2 && strcmp(argv[1], "restart") == 0)
		return restarted_read();
	if (argc == 2 && strcmp(argv[1], "read") == 0)
		return read_until_eof();
	if (argc == 3 && strcmp(argv[1], "termios") == 0)
		return attributes(argv[2]);
	fprintf(stderr, "usage: tty_check intr|restart|read|termios cooked|transparent\n");
	return 2;
}
