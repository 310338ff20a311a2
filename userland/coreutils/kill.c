/*
 * kill.c: sends a signal to processes, procps-ng's way. `kill PID...` sends
 * SIGTERM; `-SIGNAL` / `-N` / `-s SIGNAL` (before the pids) choose another, by
 * name (HUP, SIGHUP, hup) or Linux number; signal 0 only checks that the
 * process exists. A negative PID names a process group (-1: every process
 * the caller may signal); `--` ends the options, so `kill -- -5` and
 * `kill -9 -5` signal group 5. `-l` lists the signal names, `-l SIGNAL`
 * converts a name to its number and a number to its name, `-L` prints
 * them as a table. A failed kill prints `kill: (PID): reason` and the
 * status is 1 (the other pids are still signalled); a bad invocation
 * prints a usage message, status 1.
 *
 * The numbers are Linux's, sent with the raw kill(2) system call: picolibc
 * numbers signals differently and has no name for some of Linux's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "linux_syscall.h"

/* Linux's signals 1..31 by number. */
static const char *const names[32] = {
	NULL,	"HUP",	"INT",	"QUIT", "ILL",	"TRAP", "ABRT", "BUS",	 "FPE",	 "KILL", "USR1",
	"SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
	"TTOU", "URG",	"XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "POLL", "PWR",  "SYS",
};
#define SIGRTMIN_LINUX 34
#define SIGTERM_LINUX 15

/* procps's signal_name_to_number: a name (SIG prefix optional, any case) or a number; -1. */
static int signal_number(const char *name)
{
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	if (strcasecmp(name, "CLD") == 0)
		return 17;
	if (strcasecmp(name, "IO") == 0)
		return 29;
	if (strcasecmp(name, "IOT") == 0)
		return 6;
	for (int i = 1; i < 32; i++)
		if (strcasecmp(name, names[i]) == 0)
			return i;
	if (strcasecmp(name, "RTMIN") == 0)
		return SIGRTMIN_LINUX;
	if (strcasecmp(name, "EXIT") == 0 || strcasecmp(name, "NULL") == 0)
		return 0;
	int offset = 0;
	if (strncasecmp(name, "RTMIN+", 6) == 0) {
		name += 6;
		offset = SIGRTMIN_LINUX;
	}
	char *end;
	long value = strtol(name, &end, 10);
	if (*end || end == name || value < 0 || value + SIGRTMIN_LINUX > 127)
		return -1;
	return (int)value + offset;
}

/* `kill -l`: the names of signals 1..31, a new line once a line passes 73 columns. */
static void list_names(void)
{
	int pos = 0;

	for (int i = 1; i < 32; i++) {
		if (i > 1) {
			if (pos > 73) {
				putchar('\n');
				pos = 0;
			} else {
				putchar(' ');
				pos++;
			}
		}
		pos += printf("%s", names[i]);
	}
	putchar('\n');
}

/* `kill -L`: "%2d NAME" cells 11 wide, seven to a line. */
static void list_table(void)
{
	int i;

	for (i = 1; i < 32; i++) {
		int n = printf("%2d %s", i, names[i]);
		if (i % 7)
			printf("%*s", 11 - n, "");
		else
			putchar('\n');
	}
	if ((i - 1) % 7)
		putchar('\n');
}

/* `kill -l SIGNAL`: a number's name, or a name's number (procps's strtosig). */
static int convert(const char *arg)
{
	const char *p = arg;

	if (strncasecmp(p, "SIG", 3) == 0)
		p += 3;
	if (isdigit((unsigned char)*p)) {
		char *end;
		long n = strtol(arg, &end, 10);
		if (*end == '\0' && n > 0 && n < 32) {
			printf("%s\n", names[n]);
			return 0;
		}
	} else {
		for (int i = 1; i < 32; i++) {
			if (strcasecmp(p, names[i]) == 0) {
				printf("%d\n", i);
				return 0;
			}
		}
	}
	fflush(stdout);
	fprintf(stderr, "kill: unknown signal name %s\n", arg);
	return 0; /* procps reports it and still succeeds */
}

static int usage(void)
{
	fprintf(stderr, "\nUsage:\n kill [options] <pid> [...]\n\nOptions:\n"
			" <pid> [...]            send signal to every <pid> listed\n"
			" -<signal>, -s, --signal <signal>\n"
			"                        specify the <signal> to be sent\n"
			" -l, --list=[<signal>]  list all signal names, or convert one to a name\n"
			" -L, --table            list all signal names in a nice table\n"
			"\nFor more details see kill(1).\n");
	return 1;
}

int main(int argc, char **argv)
{
	int signo = -1;
	int i = 1;

	if (argc < 2)
		return usage();
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "-l") == 0 || strcmp(a, "--list") == 0) {
			if (i + 1 < argc)
				return convert(argv[i + 1]);
			list_names();
			return 0;
		}
		if (strncmp(a, "--list=", 7) == 0)
			return convert(a + 7);
		if (strcmp(a, "-L") == 0 || strcmp(a, "--table") == 0) {
			list_table();
			return 0;
		}
		if (strcmp(a, "-s") == 0 || strcmp(a, "--signal") == 0) {
			if (i + 1 >= argc)
				return usage();
			signo = signal_number(argv[++i]);
			if (signo < 0) {
				fprintf(stderr, "kill: unknown signal name %s\n", argv[i]);
				return 1;
			}
			continue;
		}
		/* After the signal, -N is a process group; before it, a signal. */
		if (signo >= 0 && isdigit((unsigned char)a[1]))
			break;
		int n = signal_number(a + 1);
		if (n < 0) {
			fprintf(stderr, "kill: unknown signal name %s\n", a + 1);
			return usage();
		}
		signo = n;
	}
	if (signo < 0)
		signo = SIGTERM_LINUX;
	if (i >= argc)
		return usage();

	int status = 0;
	for (; i < argc; i++) {
		char *end;
		errno = 0;
		long pid = strtol(argv[i], &end, 10);
		if (*end || end == argv[i] || errno) {
			fprintf(stderr, "kill: failed to parse argument: '%s'\n", argv[i]);
			return 1;
		}
		long ret = syscall2(SYS_kill, pid, signo);
		if (linux_is_error(ret)) {
			/* EPERM, ESRCH, EINVAL: picolibc's numbers are Linux's below 35. */
			fprintf(stderr, "kill: (%ld): %s\n", pid, strerror((int)-ret));
			status = 1;
		}
	}
	return status;
}
