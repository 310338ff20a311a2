/*
 * date.c: prints a time, as GNU date does in the C locale. Every zone is
 * UTC here (TZ is not read: denix has no zone files), so -u changes
 * nothing and %Z is "UTC". The time is now (clock_gettime CLOCK_REALTIME)
 * or -d STRING: @SECONDS[.FRACTION] (negative too), "now", or
 * YYYY-MM-DD[(T| )HH:MM[:SS]][Z]. The format is +FORMAT, -R (RFC 5322),
 * -I[date|hours|minutes|seconds|ns], --rfc-3339=date|seconds|ns, or by
 * default "%a %b %e %H:%M:%S %Z %Y". FORMAT takes every strftime
 * conversion GNU date knows (%a %A %b %B %c %C %d %D %e %F %g %G %h %H %I
 * %j %k %l %m %M %n %N %p %P %q %r %R %s %S %t %T %u %U %V %w %W %x %X %y
 * %Y %z %:z %::z %:::z %Z %%) with the flags - _ 0 ^ # and a width.
 * Errors (a bad date, a bad option) print `date: ...` and exit 1.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "posix_ext.h"

struct when {
	int64_t seconds;
	long nanoseconds;
	int64_t year;
	int month; /* 1..12 */
	int day;   /* 1..31 */
	int hour, minute, second;
	int weekday;  /* 0 = Sunday */
	int year_day; /* 0..365 */
};

static const char *const DAYS[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
				   "Thursday", "Friday", "Saturday"};
static const char *const MONTHS[] = {"January", "February", "March",     "April",
				     "May",     "June",     "July",      "August",
				     "September", "October", "November", "December"};

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static void split_time(int64_t seconds, long nanoseconds, struct when *w)
{
	int64_t days = floor_div(seconds, 86400);
	int64_t rest = seconds - days * 86400;

	w->seconds = seconds;
	w->nanoseconds = nanoseconds;
	w->hour = (int)(rest / 3600);
	w->minute = (int)(rest / 60 % 60);
	w->second = (int)(rest % 60);
	w->weekday = (int)(floor_div(days + 4, 7) * -7 + days + 4);

	int64_t z = days + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	w->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	w->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	w->year = yoe + era * 400 + (w->month <= 2);
	w->year_day = (int)(days - days_from_civil(w->year, 1, 1));
}

/* ISO 8601 week-based year and week number (weeks start on Monday; week 1 holds January 4). */
static void iso_week(const struct when *w, int64_t *iso_year, int *week)
{
	int monday_based = (w->weekday + 6) % 7;
	int64_t year = w->year;
	/* Day of the year of this week's Thursday. */
	int thursday = w->year_day - monday_based + 3;

	if (thursday < 0) {
		year--;
		thursday += is_leap(year) ? 366 : 365;
	} else if (thursday >= (is_leap(year) ? 366 : 365)) {
		thursday -= is_leap(year) ? 366 : 365;
		year++;
	}
	*iso_year = year;
	*week = thursday / 7 + 1;
}

/* The output being built. */
static char *out;
static size_t out_length, out_size;

static void put(const char *s, size_t n)
{
	if (out_length + n + 1 > out_size) {
		size_t size = out_size == 0 ? 256 : out_size;
		while (out_length + n + 1 > size)
			size *= 2;
		char *bigger = realloc(out, size);
		if (bigger == NULL) {
			fprintf(stderr, "date: %s\n", strerror(ENOMEM));
			exit(1);
		}
		out = bigger;
		out_size = size;
	}
	memcpy(out + out_length, s, n);
	out_length += n;
	out[out_length] = '\0';
}

/* How one conversion pads: '0', ' ', or 0 for none; the flag's choice wins. */
struct spec {
	char pad;  /* the flag: '-', '_', '0', or 0 */
	bool upper; /* ^ */
	bool swap;  /* # */
	int width;  /* -1: the conversion's own */
};

static void put_padded(const struct spec *spec, const char *text, size_t length, char default_pad,
		       int default_width, bool numeric)
{
	int width = spec->width >= 0 ? spec->width : default_width;
	char pad = default_pad;

	if (spec->pad == '-')
		width = 0;
	else if (spec->pad == '_')
		pad = ' ';
	else if (spec->pad == '0')
		pad = '0';
	if (!numeric && spec->pad == 0)
		pad = ' ';

	const char *digits = text;
	size_t digit_length = length;
	bool negative = numeric && length > 0 && text[0] == '-';
	if (negative) {
		digits++;
		digit_length--;
	}
	size_t fill = (size_t)width > length ? (size_t)width - length : 0;
	if (negative && pad == '0') {
		put("-", 1);
		for (size_t i = 0; i < fill; i++)
			put("0", 1);
		put(digits, digit_length);
		return;
	}
	for (size_t i = 0; i < fill; i++)
		put(&pad, 1);
	put(text, length);
}

static void put_number(const struct spec *spec, int64_t value, char default_pad, int default_width)
{
	char text[32];
	int length = snprintf(text, sizeof(text), "%lld", (long long)value);
	put_padded(spec, text, (size_t)length, default_pad, default_width, true);
}

static void put_text(const struct spec *spec, const char *text, bool swap_to_lower)
{
	char buffer[64];
	size_t length = strlen(text);

	if (length >= sizeof(buffer))
		length = sizeof(buffer) - 1;
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)text[i];
		if (spec->upper)
			c = (unsigned char)toupper(c);
		else if (spec->swap)
			c = (unsigned char)(swap_to_lower ? tolower(c) : toupper(c));
		buffer[i] = (char)c;
	}
	put_padded(spec, buffer, length, ' ', 0, false);
}

static void format(const char *fmt, const struct when *w);

/* A conversion that is another format (%c, %D, ...), padded as a whole. */
static void put_composite(const struct spec *spec, const char *fmt, const struct when *w)
{
	char *saved = out;
	size_t saved_length = out_length, saved_size = out_size;

	out = NULL;
	out_length = out_size = 0;
	format(fmt, w);
	char *inner = out;
	size_t inner_length = out_length;
	out = saved;
	out_length = saved_length;
	out_size = saved_size;
	if (inner == NULL) {
		put_padded(spec, "", 0, ' ', 0, false);
		return;
	}
	if (spec->upper)
		for (size_t i = 0; i < inner_length; i++)
			inner[i] = (char)toupper((unsigned char)inner[i]);
	put_padded(spec, inner, inner_length, ' ', 0, false);
	free(inner);
}

static void format(const char *fmt, const struct when *w)
{
	for (const char *p = fmt; *p != '\0'; p++) {
		if (*p != '%') {
			put(p, 1);
			continue;
		}
		const char *start = p++;
		struct spec spec = {0, false, false, -1};

		for (;; p++) {
			if (*p == '-' || *p == '_' || *p == '0')
				spec.pad = *p;
			else if (*p == '+')
				spec.pad = '0';
			else if (*p == '^')
				spec.upper = true;
			else if (*p == '#')
				spec.swap = true;
			else
				break;
		}
		if (isdigit((unsigned char)*p)) {
			spec.width = 0;
			while (isdigit((unsigned char)*p)) {
				if (spec.width < 100000)
					spec.width = spec.width * 10 + (*p - '0');
				p++;
			}
		}
		/* The E and O modifiers ask for a locale's alternatives: the C locale has none. */
		while (*p == 'E' || *p == 'O')
			p++;
		int colons = 0;
		while (*p == ':' && colons < 3) {
			colons++;
			p++;
		}
		if (colons > 0 && *p != 'z') {
			put(start, (size_t)(p - start) + (*p != '\0'));
			if (*p == '\0')
				break;
			continue;
		}
		int hour12 = w->hour % 12 == 0 ? 12 : w->hour % 12;
		int64_t iso_year;
		int iso_week_number;

		switch (*p) {
		case '\0':
			put(start, (size_t)(p - start));
			p--;
			break;
		case '%':
			put_padded(&spec, "%", 1, ' ', 0, false);
			break;
		case 'a':
			put_text(&spec, (char[4]){DAYS[w->weekday][0], DAYS[w->weekday][1],
						  DAYS[w->weekday][2], '\0'},
				 false);
			break;
		case 'A':
			put_text(&spec, DAYS[w->weekday], false);
			break;
		case 'b':
		case 'h':
			put_text(&spec, (char[4]){MONTHS[w->month - 1][0], MONTHS[w->month - 1][1],
						  MONTHS[w->month - 1][2], '\0'},
				 false);
			break;
		case 'B':
			put_text(&spec, MONTHS[w->month - 1], false);
			break;
		case 'c':
			put_composite(&spec, "%a %b %e %H:%M:%S %-Y", w);
			break;
		case 'C':
			put_number(&spec, floor_div(w->year, 100), '0', 2);
			break;
		case 'd':
			put_number(&spec, w->day, '0', 2);
			break;
		case 'D':
		case 'x':
			put_composite(&spec, "%m/%d/%y", w);
			break;
		case 'e':
			put_number(&spec, w->day, ' ', 2);
			break;
		case 'F':
			put_composite(&spec, "%Y-%m-%d", w);
			break;
		case 'g':
			iso_week(w, &iso_year, &iso_week_number);
			put_number(&spec, (iso_year % 100 + 100) % 100, '0', 2);
			break;
		case 'G':
			iso_week(w, &iso_year, &iso_week_number);
			put_number(&spec, iso_year, '0', 4);
			break;
		case 'H':
			put_number(&spec, w->hour, '0', 2);
			break;
		case 'I':
			put_number(&spec, hour12, '0', 2);
			break;
		case 'j':
			put_number(&spec, w->year_day + 1, '0', 3);
			break;
		case 'k':
			put_number(&spec, w->hour, ' ', 2);
			break;
		case 'l':
			put_number(&spec, hour12, ' ', 2);
			break;
		case 'm':
			put_number(&spec, w->month, '0', 2);
			break;
		case 'M':
			put_number(&spec, w->minute, '0', 2);
			break;
		case 'n':
			put_padded(&spec, "\n", 1, ' ', 0, false);
			break;
		case 'N': {
			/* A width keeps that many leading digits (default nine). */
			char digits[10];
			int keep = spec.width > 0 ? spec.width : 9;
			snprintf(digits, sizeof(digits), "%09ld", w->nanoseconds);
			if (keep <= 9) {
				struct spec plain = {spec.pad == '-' ? '-' : 0, false, false, -1};
				put_padded(&plain, digits, (size_t)keep, '0', 0, true);
			} else {
				put(digits, 9);
				for (int i = 9; i < keep; i++)
					put("0", 1);
			}
			break;
		}
		case 'p':
			put_text(&spec, w->hour < 12 ? "AM" : "PM", true);
			break;
		case 'P':
			spec.swap = false;
			put_text(&spec, w->hour < 12 ? "am" : "pm", false);
			break;
		case 'q':
			put_number(&spec, (w->month + 2) / 3, '0', 1);
			break;
		case 'r':
			put_composite(&spec, "%I:%M:%S %p", w);
			break;
		case 'R':
			put_composite(&spec, "%H:%M", w);
			break;
		case 's':
			put_number(&spec, w->seconds, '0', 1);
			break;
		case 'S':
			put_number(&spec, w->second, '0', 2);
			break;
		case 't':
			put_padded(&spec, "\t", 1, ' ', 0, false);
			break;
		case 'T':
		case 'X':
			put_composite(&spec, "%H:%M:%S", w);
			break;
		case 'u':
			put_number(&spec, w->weekday == 0 ? 7 : w->weekday, '0', 1);
			break;
		case 'U':
			put_number(&spec, (w->year_day + 7 - w->weekday) / 7, '0', 2);
			break;
		case 'V':
			iso_week(w, &iso_year, &iso_week_number);
			put_number(&spec, iso_week_number, '0', 2);
			break;
		case 'w':
			put_number(&spec, w->weekday, '0', 1);
			break;
		case 'W':
			put_number(&spec, (w->year_day + 7 - (w->weekday + 6) % 7) / 7, '0', 2);
			break;
		case 'y':
			put_number(&spec, (w->year % 100 + 100) % 100, '0', 2);
			break;
		case 'Y':
			put_number(&spec, w->year, '0', 4);
			break;
		case 'z': {
			static const char *const ZONES[] = {"+0000", "+00:00", "+00:00:00", "+00"};
			put_padded(&spec, ZONES[colons], strlen(ZONES[colons]), '0', 0, true);
			break;
		}
		case 'Z':
			put_text(&spec, "UTC", true);
			break;
		default:
			/* Unknown: copied as it stands, padded to the width. */
			put_padded(&spec, start, (size_t)(p - start) + 1, ' ', 0, false);
			break;
		}
	}
}

static int invalid_date(const char *text)
{
	fprintf(stderr, "date: invalid date '%s'\n", text);
	return -1;
}

/* Reads `count` digits exactly; -1 if they are not there. */
static int64_t read_digits(const char **p, int min, int max)
{
	int64_t value = 0;
	int n = 0;

	while (n < max && isdigit((unsigned char)**p)) {
		value = value * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n >= min ? value : -1;
}

static int parse_date(const char *text, int64_t *seconds, long *nanoseconds)
{
	const char *p = text;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '@') {
		p++;
		bool negative = false;
		if (*p == '-' || *p == '+')
			negative = *p++ == '-';
		if (!isdigit((unsigned char)*p))
			return invalid_date(text);
		int64_t whole = 0;
		while (isdigit((unsigned char)*p)) {
			if (whole > INT64_MAX / 10 - 10)
				return invalid_date(text);
			whole = whole * 10 + (*p++ - '0');
		}
		long fraction = 0;
		if (*p == '.' || *p == ',') {
			p++;
			long scale = 100000000;
			while (isdigit((unsigned char)*p)) {
				fraction += (*p++ - '0') * scale;
				scale /= 10;
			}
		}
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			return invalid_date(text);
		if (negative && fraction > 0) {
			*seconds = -whole - 1;
			*nanoseconds = 1000000000L - fraction;
		} else {
			*seconds = negative ? -whole : whole;
			*nanoseconds = fraction;
		}
		return 0;
	}
	if (strcmp(p, "now") == 0 || *p == '\0') {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		*seconds = now.tv_sec;
		*nanoseconds = *p == '\0' ? 0 : now.tv_nsec;
		if (*p == '\0') {
			/* GNU: an empty string is the start of today. */
			*seconds = floor_div(now.tv_sec, 86400) * 86400;
		}
		return 0;
	}
	int64_t year = read_digits(&p, 1, 9);
	if (year < 0 || *p++ != '-')
		return invalid_date(text);
	int64_t month = read_digits(&p, 1, 2);
	if (month < 1 || month > 12 || *p++ != '-')
		return invalid_date(text);
	int64_t day = read_digits(&p, 1, 2);
	int month_days[] = {31, is_leap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (day < 1 || day > month_days[month - 1])
		return invalid_date(text);
	int64_t hour = 0, minute = 0, second = 0;
	if (*p == 'T' || *p == ' ') {
		p++;
		hour = read_digits(&p, 1, 2);
		if (hour < 0 || hour > 23 || *p++ != ':')
			return invalid_date(text);
		minute = read_digits(&p, 2, 2);
		if (minute < 0 || minute > 59)
			return invalid_date(text);
		if (*p == ':') {
			p++;
			second = read_digits(&p, 2, 2);
			if (second < 0 || second > 60)
				return invalid_date(text);
		}
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (strcmp(p, "UTC") == 0 || strcmp(p, "utc") == 0)
		p += 3;
	if (*p != '\0')
		return invalid_date(text);
	*seconds = days_from_civil(year, (int)month, (int)day) * 86400 + hour * 3600 +
		   minute * 60 + second;
	*nanoseconds = 0;
	return 0;
}

static const char *iso_format(const char *kind, const char *option)
{
	static const struct {
		const char *kind;
		const char *format;
	} FORMATS[] = {
		{"date", "%Y-%m-%d"},
		{"hours", "%Y-%m-%dT%H%:z"},
		{"minutes", "%Y-%m-%dT%H:%M%:z"},
		{"seconds", "%Y-%m-%dT%H:%M:%S%:z"},
		{"ns", "%Y-%m-%dT%H:%M:%S,%N%:z"},
	};

	for (size_t i = 0; i < sizeof(FORMATS) / sizeof(FORMATS[0]); i++)
		if (strcmp(kind, FORMATS[i].kind) == 0)
			return FORMATS[i].format;
	fprintf(stderr, "date: invalid argument '%s' for '%s'\n", kind, option);
	return NULL;
}

static const char *rfc3339_format(const char *kind)
{
	if (strcmp(kind, "date") == 0)
		return "%Y-%m-%d";
	if (strcmp(kind, "seconds") == 0)
		return "%Y-%m-%d %H:%M:%S%:z";
	if (strcmp(kind, "ns") == 0)
		return "%Y-%m-%d %H:%M:%S.%N%:z";
	fprintf(stderr, "date: invalid argument '%s' for '--rfc-3339'\n", kind);
	return NULL;
}

static int usage(void)
{
	fputs("Usage: date [-u] [-d STRING] [-R | -I[FMT] | --rfc-3339=FMT] [+FORMAT]\n", stderr);
	return 1;
}

int main(int argc, char **argv)
{
	const char *date_string = NULL;
	const char *fmt = NULL;
	const char *option_format = NULL;
	bool options_done = false;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (options_done || arg[0] != '-' || arg[1] == '\0') {
			if (arg[0] != '+') {
				fprintf(stderr,
					"date: invalid date '%s' (setting the time is not supported)\n",
					arg);
				return 1;
			}
			if (fmt != NULL) {
				fprintf(stderr, "date: extra operand '%s'\n", arg);
				return usage();
			}
			fmt = arg + 1;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		if (arg[1] == '-') {
			if (strcmp(arg, "--utc") == 0 || strcmp(arg, "--universal") == 0)
				continue;
			if (strncmp(arg, "--date=", 7) == 0) {
				date_string = arg + 7;
			} else if (strcmp(arg, "--date") == 0 && i + 1 < argc) {
				date_string = argv[++i];
			} else if (strcmp(arg, "--rfc-email") == 0 || strcmp(arg, "--rfc-2822") == 0) {
				option_format = "%a, %d %b %Y %H:%M:%S %z";
			} else if (strcmp(arg, "--iso-8601") == 0) {
				option_format = "%Y-%m-%d";
			} else if (strncmp(arg, "--iso-8601=", 11) == 0) {
				if ((option_format = iso_format(arg + 11, "--iso-8601")) == NULL)
					return 1;
			} else if (strncmp(arg, "--rfc-3339=", 11) == 0) {
				if ((option_format = rfc3339_format(arg + 11)) == NULL)
					return 1;
			} else {
				fprintf(stderr, "date: unrecognized option '%s'\n", arg);
				return usage();
			}
			continue;
		}
		for (const char *p = arg + 1; *p != '\0'; p++) {
			if (*p == 'u') {
				continue;
			} else if (*p == 'R') {
				option_format = "%a, %d %b %Y %H:%M:%S %z";
			} else if (*p == 'I') {
				option_format = p[1] == '\0' ? "%Y-%m-%d" : iso_format(p + 1, "--iso-8601");
				if (option_format == NULL)
					return 1;
				break;
			} else if (*p == 'd') {
				if (p[1] != '\0') {
					date_string = p + 1;
				} else if (i + 1 < argc) {
					date_string = argv[++i];
				} else {
					fputs("date: option requires an argument -- 'd'\n", stderr);
					return usage();
				}
				break;
			} else {
				fprintf(stderr, "date: invalid option -- '%c'\n", *p);
				return usage();
			}
		}
	}
	if (fmt != NULL && option_format != NULL) {
		fputs("date: multiple output formats specified\n", stderr);
		return 1;
	}

	int64_t seconds;
	long nanoseconds;
	if (date_string != NULL) {
		if (parse_date(date_string, &seconds, &nanoseconds) < 0)
			return 1;
	} else {
		struct timespec now;
		if (clock_gettime(CLOCK_REALTIME, &now) < 0) {
			fprintf(stderr, "date: cannot read the clock: %s\n", strerror(errno));
			return 1;
		}
		seconds = now.tv_sec;
		nanoseconds = now.tv_nsec;
	}
	struct when w;
	split_time(seconds, nanoseconds, &w);
	format(fmt != NULL ? fmt : option_format != NULL ? option_format : "%a %b %e %H:%M:%S %Z %Y",
	       &w);
	if (out != NULL)
		fputs(out, stdout);
	putchar('\n');
	return fflush(stdout) == 0 ? 0 : 1;
}
