/*
 * touch.c: sets files' access and modification times (to now by default)
 * with utimensat, creating each file that does not exist (mode 0666 less
 * the umask) unless -c is given. -a or -m changes only the access or the
 * modification time; -r FILE takes the times of FILE; -t
 * [[CC]YY]MMDDhhmm[.ss] and -d @SECONDS give a time (UTC: denix has no time
 * zones). Errors print `touch: cannot touch 'PATH': reason` on stderr and
 * make the exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "posix_ext.h"

/* Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
static long long days_from_civil(long long y, int m, int d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static int two_digits(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* -t [[CC]YY]MMDDhhmm[.ss] as UTC seconds; -1 when malformed. */
static int parse_stamp(const char *text, struct timespec *ts)
{
	const char *dot = strchr(text, '.');
	size_t len = dot ? (size_t)(dot - text) : strlen(text);
	long long year;
	int month, day, hour, minute, second = 0;
	time_t now = time(NULL);
	struct tm tm;

	for (size_t k = 0; k < len; k++)
		if (text[k] < '0' || text[k] > '9')
			return -1;
	if (dot != NULL && (strlen(dot) != 3 || dot[1] < '0' || dot[1] > '9' || dot[2] < '0' ||
			    dot[2] > '9'))
		return -1;
	gmtime_r(&now, &tm);
	if (len == 12) {
		year = two_digits(text) * 100 + two_digits(text + 2);
		text += 4;
	} else if (len == 10) {
		int yy = two_digits(text);

		year = yy < 69 ? 2000 + yy : 1900 + yy;
		text += 2;
	} else if (len == 8) {
		year = tm.tm_year + 1900;
	} else {
		return -1;
	}
	month = two_digits(text);
	day = two_digits(text + 2);
	hour = two_digits(text + 4);
	minute = two_digits(text + 6);
	if (dot != NULL)
		second = two_digits(dot + 1);
	if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
	    second > 60)
		return -1;
	ts->tv_sec = (time_t)(days_from_civil(year, month, day) * 86400 + hour * 3600 +
			      minute * 60 + second);
	ts->tv_nsec = 0;
	return 0;
}

int main(int argc, char **argv)
{
	int no_create = 0;
	int access_only = 0;
	int modify_only = 0;
	int status = 0;
	struct timespec times[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	struct short_options s = SHORT_OPTIONS(argc, argv);
	int c, i;

	while ((c = next_option(&s)) != 0) {
		const char *value;

		switch (c) {
		case 'c':
			no_create = 1;
			continue;
		case 'a':
			access_only = 1;
			continue;
		case 'm':
			modify_only = 1;
			continue;
		case 'r':
		case 't':
		case 'd':
			break;
		default:
			return invalid_option("touch", c);
		}
		value = option_value(&s);
		if (value == NULL)
			return missing_value("touch", c);
		if (c == 'r') {
			struct stat st;

			if (stat(value, &st) != 0) {
				fprintf(stderr, "touch: failed to get attributes of '%s': %s\n", value,
					strerror(errno));
				return 1;
			}
			times[0] = st.st_atim;
			times[1] = st.st_mtim;
		} else if (c == 't') {
			if (parse_stamp(value, &times[0]) != 0) {
				fprintf(stderr, "touch: invalid date format '%s'\n", value);
				return 1;
			}
			times[1] = times[0];
		} else {
			char *end = NULL;
			long long seconds = 0;

			if (value[0] == '@')
				seconds = strtoll(value + 1, &end, 10);
			if (value[0] != '@' || end == value + 1 || *end != '\0') {
				fprintf(stderr, "touch: invalid date format '%s'\n", value);
				return 1;
			}
			times[0].tv_sec = (time_t)seconds;
			times[0].tv_nsec = 0;
			times[1] = times[0];
		}
	}
	i = s.index;
	if (access_only && !modify_only)
		times[1].tv_nsec = UTIME_OMIT;
	if (modify_only && !access_only)
		times[0].tv_nsec = UTIME_OMIT;
	if (i == argc) {
		fputs("touch: missing file operand\n", stderr);
		return 1;
	}
	for (; i < argc; i++) {
		const char *path = argv[i];

		if (!no_create) {
			int fd = open(path, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY, 0666);

			if (fd >= 0) {
				close(fd);
			} else if (errno != EISDIR) {
				fprintf(stderr, "touch: cannot touch '%s': %s\n", path,
					strerror(errno));
				status = 1;
				continue;
			}
		}
		if (utimensat(AT_FDCWD, path, times, 0) != 0) {
			if (no_create && errno == ENOENT)
				continue;
			fprintf(stderr, "touch: setting times of '%s': %s\n", path,
				strerror(errno));
			status = 1;
		}
	}
	return status;
}
