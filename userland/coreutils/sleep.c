/*
 * sleep.c: pauses for the sum of its arguments, each a number of seconds
 * (fractions allowed, also "inf") with an optional suffix s (seconds),
 * m (minutes), h (hours) or d (days), through nanosleep(2) on the
 * monotonic clock. A bad interval prints `sleep: invalid time interval
 * 'ARG'`; no argument prints `sleep: missing operand`; both exit 1.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "posix_ext.h"

static int parse_interval(const char *arg, double *seconds)
{
	char *end;

	errno = 0;
	double value = strtod(arg, &end);
	if (end == arg || isnan(value) || value < 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 's':
		end++;
		break;
	case 'm':
		value *= 60;
		end++;
		break;
	case 'h':
		value *= 60 * 60;
		end++;
		break;
	case 'd':
		value *= 24 * 60 * 60;
		end++;
		break;
	default:
		return -1;
	}
	if (*end != '\0')
		return -1;
	*seconds = value;
	return 0;
}

int main(int argc, char **argv)
{
	double total = 0;
	int ok = 1;
	int first = 1;

	if (argc > 1 && strcmp(argv[1], "--") == 0)
		first = 2;
	if (first == argc) {
		fprintf(stderr, "sleep: missing operand\n");
		return 1;
	}
	for (int i = first; i < argc; i++) {
		double seconds;

		if (parse_interval(argv[i], &seconds) < 0) {
			fprintf(stderr, "sleep: invalid time interval '%s'\n", argv[i]);
			ok = 0;
			continue;
		}
		total += seconds;
	}
	if (!ok)
		return 1;

	/* Sleep in steps of at most a day, so an infinite or huge total never overflows. */
	const double step = 24.0 * 60 * 60;
	while (total > 0) {
		double now = total < step ? total : step;
		struct timespec request;

		request.tv_sec = (time_t)now;
		request.tv_nsec = (long)((now - (double)request.tv_sec) * 1e9);
		if (request.tv_nsec >= 1000000000L)
			request.tv_nsec = 999999999L;
		if (request.tv_sec == 0 && request.tv_nsec == 0)
			break;
		struct timespec remain;
		while (nanosleep(&request, &remain) < 0) {
			if (errno != EINTR) {
				fprintf(stderr, "sleep: %s\n", strerror(errno));
				return 1;
			}
			request = remain;
		}
		if (!isinf(total))
			total -= now;
	}
	return 0;
}
