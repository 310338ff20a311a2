/*
 * uptime.c: how long the system has been up, procps's way: the time of day
 * (UTC), the uptime from /proc/uptime ("up 3 min", "up  1:05", "up 2 days,
 * 1:05"), the users logged in (none on denix) and the load averages from
 * /proc/loadavg: ` 12:00:00 up 3 min,  0 users,  load average: 0.00, 0.00,
 * 0.00`. `-p` prints the uptime alone, spelled out ("up 1 hour, 5
 * minutes"); `-s` when the system started (yyyy-mm-dd HH:MM:SS). A /proc
 * file that cannot be read prints `uptime: PATH: reason` and exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "procps.h"

static int usage(void)
{
	fprintf(stderr, "Usage:\n uptime [options]\n");
	return 1;
}

/* procps's "pretty" uptime: up N weeks, N days, N hours, N minutes (zero units left out). */
static void pretty(double up)
{
	static const struct {
		int seconds;
		const char *one, *many;
	} units[] = {
		{ 60 * 60 * 24 * 7, "week", "weeks" },
		{ 60 * 60 * 24, "day", "days" },
		{ 60 * 60, "hour", "hours" },
	};
	int comma = 0;

	printf("up ");
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (up > units[i].seconds) {
			int n = (int)up / units[i].seconds;
			up -= n * units[i].seconds;
			const char *unit = n > 1 ? units[i].many : units[i].one;
			printf("%s%d %s", comma ? ", " : "", n, unit);
			comma = 1;
		}
	}
	int minutes = up > 60 ? (int)up / 60 : 0;
	if (minutes || up <= 60)
		printf("%s%d %s", comma ? ", " : "", minutes, minutes > 1 ? "minutes" : "minute");
	printf("\n");
}

int main(int argc, char **argv)
{
	int pretty_form = 0, since = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-p") == 0 || strcmp(argv[i], "--pretty") == 0)
			pretty_form = 1;
		else if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--since") == 0)
			since = 1;
		else
			return usage();
	}
	double up = read_uptime();
	if (up < 0) {
		fprintf(stderr, "uptime: /proc/uptime: %s\n", strerror(errno));
		return 1;
	}
	if (since) {
		time_t boot = time(NULL) - (time_t)up;
		struct tm tm;
		gmtime_r(&boot, &tm);
		printf("%04d-%02d-%02d %02d:%02d:%02d\n", tm.tm_year + 1900, tm.tm_mon + 1,
		       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		return 0;
	}
	if (pretty_form) {
		pretty(up);
		return 0;
	}
	double av[3];
	if (read_loadavg(av) < 0) {
		fprintf(stderr, "uptime: /proc/loadavg: %s\n", strerror(errno));
		return 1;
	}
	char line[256];
	format_uptime(line, sizeof(line), up, av);
	printf("%s\n", line);
	return 0;
}
