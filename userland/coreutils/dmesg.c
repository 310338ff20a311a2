/*
 * dmesg.c: prints the kernel log, util-linux's way: each record of
 * /proc/kmsg (denix's log ring, in Linux's /dev/kmsg record format
 * `PRIORITY,SEQUENCE,MICROSECONDS,FLAGS;TEXT`, TEXT escaped as \xNN) as
 * `[SSSSS.UUUUUU] TEXT`, the time since boot. `-t` (--notime) leaves out
 * the time, `-r` (--raw) prints `<PRIORITY>[SSSSS.UUUUUU] TEXT`, `-x`
 * (--decode) adds the facility and level (`kern  :info  : `). An
 * unreadable log prints `dmesg: /proc/kmsg: reason`, exit 1; a bad option
 * a usage message, exit 1.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procps.h"

#define KMSG "/proc/kmsg"

static const char *const facilities[] = { "kern",   "user", "mail", "daemon",
					  "auth",   "syslog", "lpr", "news",
					  "uucp",   "cron",   "authpriv", "ftp" };
static const char *const levels[] = { "emerg", "alert", "crit", "err",
				      "warn",  "notice", "info", "debug" };

/* Writes TEXT (up to end) with its \xNN escapes decoded. */
static void put_text(const char *text, const char *end)
{
	for (const char *c = text; c < end; c++) {
		if (c + 3 < end && c[0] == '\\' && c[1] == 'x' && isxdigit((unsigned char)c[2]) &&
		    isxdigit((unsigned char)c[3])) {
			char hex[3] = { c[2], c[3], 0 };
			putchar((int)strtol(hex, NULL, 16));
			c += 3;
			continue;
		}
		putchar(*c);
	}
}

static int usage(void)
{
	fprintf(stderr, "\nUsage:\n dmesg [options]\n\nOptions:\n"
			" -r, --raw                   print the raw message buffer\n"
			" -t, --notime                don't show any timestamp with messages\n"
			" -x, --decode                decode facility and level to readable "
			"string\n");
	return 1;
}

int main(int argc, char **argv)
{
	int raw = 0, notime = 0, decode = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--raw") == 0)
			raw = 1;
		else if (strcmp(a, "--notime") == 0)
			notime = 1;
		else if (strcmp(a, "--decode") == 0)
			decode = 1;
		else if (a[0] == '-' && a[1] != '\0' && a[1] != '-') {
			for (const char *c = a + 1; *c; c++) {
				if (*c == 'r')
					raw = 1;
				else if (*c == 't')
					notime = 1;
				else if (*c == 'x')
					decode = 1;
				else {
					fprintf(stderr, "dmesg: invalid option -- '%c'\n", *c);
					return usage();
				}
			}
		} else {
			return usage();
		}
	}

	char *log = read_whole(KMSG, NULL);
	if (log == NULL) {
		fprintf(stderr, "dmesg: %s: %s\n", KMSG, strerror(errno));
		return 1;
	}
	for (char *line = log; *line;) {
		char *eol = strchr(line, '\n');
		if (eol == NULL)
			eol = line + strlen(line);
		char *semi = memchr(line, ';', (size_t)(eol - line));
		if (semi != NULL) {
			char *at = line;
			long priority = strtol(at, &at, 10);
			if (*at == ',')
				at++;
			strtoull(at, &at, 10); /* sequence number */
			if (*at == ',')
				at++;
			unsigned long long usec = strtoull(at, &at, 10);
			if (raw)
				printf("<%ld>", priority);
			else if (decode) {
				long facility = priority >> 3;
				printf("%-6s:%-6s: ",
				       facility < (long)(sizeof(facilities) / sizeof(facilities[0]))
					       ? facilities[facility]
					       : "?",
				       levels[priority & 7]);
			}
			if (!notime)
				printf("[%5llu.%06llu] ", usec / 1000000, usec % 1000000);
			put_text(semi + 1, eol);
			putchar('\n');
		}
		line = *eol ? eol + 1 : eol;
	}
	free(log);
	return fflush(stdout) == 0 ? 0 : 1;
}
