/*
 * seq.c: prints numbers from FIRST (default 1) by INCREMENT (default 1)
 * up to LAST, as GNU seq does: `seq [-w] [-s SEP] [FIRST [INCREMENT]] LAST`.
 * Numbers are printed with the most digits after the point that FIRST or
 * INCREMENT is written with (exponents counted, as GNU), separated by SEP
 * (default newline) and ended by a newline; -w pads them with leading
 * zeros to GNU's equal width. Decimal operands are added exactly in
 * scaled 64-bit integers; non-negative whole numbers counted by a small
 * whole increment are added as digit strings of any length; hexadecimal
 * or infinite operands go through double and print as %g. A bad operand
 * prints `seq: invalid floating point argument: 'ARG'`, exit status 1.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct operand {
	const char *text;
	double value;
	int width;
	int precision; /* INT_MAX: printed as %g */
	bool negative_zero;
};

static const char *separator = "\n";
static bool equal_width;

static int fail_usage(const char *format, const char *arg)
{
	fputs("seq: ", stderr);
	fprintf(stderr, format, arg);
	fputs("\nTry 'seq --help' for more information.\n", stderr);
	return 1;
}

/* GNU seq's scan_arg: the value, and the width and precision as written. */
static bool scan_operand(const char *arg, struct operand *op)
{
	char *end;

	errno = 0;
	op->text = arg;
	op->value = strtod(arg, &end);
	if (end == arg || *end != '\0' || isnan(op->value))
		return false;
	while (isspace((unsigned char)*arg) || *arg == '+')
		arg++;
	op->negative_zero = op->value == 0 && signbit(op->value);
	op->width = 0;
	op->precision = INT_MAX;
	if (arg[strcspn(arg, "xX")] != '\0')
		return true;

	const char *point = strchr(arg, '.');
	long fraction_length = 0;
	long width = (long)strlen(arg);
	long precision;
	if (point != NULL) {
		fraction_length = (long)strcspn(point + 1, "eE");
		precision = fraction_length;
		if (fraction_length == 0)
			width--;
		else if (point == arg || !isdigit((unsigned char)point[-1]))
			width++;
	} else {
		precision = 0;
	}
	const char *e = strpbrk(arg, "eE");
	if (e != NULL) {
		long exponent = strtol(e + 1, NULL, 10);
		precision += exponent < 0 ? -exponent : -(precision < exponent ? precision : exponent);
		width -= (long)strlen(arg) - (long)(e - arg);
		if (exponent < 0) {
			if (point != NULL) {
				if (e == point + 1)
					width++;
			} else {
				width++;
			}
			exponent = -exponent;
		} else {
			if (point != NULL && precision == 0 && fraction_length != 0)
				width--;
			exponent = -(precision < exponent ? precision : exponent);
		}
		width += exponent;
	}
	if (precision > 1000 || width > 1000)
		return true;
	/* An infinite operand keeps its precision but takes no width. */
	op->width = isfinite(op->value) ? (int)width : 0;
	op->precision = (int)precision;
	return true;
}

/* The operand as an integer count of 10^-scale; false when it does not fit in 64 bits. */
static bool to_scaled(const char *text, int scale, int64_t *out)
{
	const char *p = text;
	while (isspace((unsigned char)*p))
		p++;
	bool negative = false;
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	/* Digits (the point skipped) and where the point was. */
	char digits[64];
	int count = 0, point_at = -1;
	for (; isdigit((unsigned char)*p) || *p == '.'; p++) {
		if (*p == '.') {
			point_at = count;
			continue;
		}
		if (count == 0 && *p == '0' && point_at < 0)
			continue; /* leading zeros */
		if (count >= 40)
			return false;
		digits[count++] = *p;
	}
	if (point_at < 0)
		point_at = count;
	long exponent = 0;
	if (*p == 'e' || *p == 'E')
		exponent = strtol(p + 1, NULL, 10);
	/* value = 0.digits * 10^(point_at + exponent); in units of 10^-scale: */
	long integer_digits = point_at + exponent + scale;
	int64_t value = 0;
	for (long i = 0; i < integer_digits; i++) {
		int d = i < count ? digits[i] - '0' : 0;
		if (value > (INT64_MAX - d) / 10)
			return false;
		value = value * 10 + d;
	}
	/* Digits beyond the scale must be zeros. */
	for (long i = integer_digits < 0 ? 0 : integer_digits; i < count; i++)
		if (digits[i] != '0')
			return false;
	*out = negative ? -value : value;
	return true;
}

static void print_scaled(int64_t value, int scale, int precision, int width, bool negative_zero)
{
	char text[64];
	uint64_t magnitude = value < 0 ? -(uint64_t)value : (uint64_t)value;
	uint64_t unit = 1;

	for (int i = 0; i < scale; i++)
		unit *= 10;
	uint64_t whole = magnitude / unit, fraction = magnitude % unit;
	for (int i = 0; i < scale - precision; i++)
		fraction /= 10;
	int length;
	if (precision > 0)
		length = snprintf(text, sizeof(text), "%llu.%0*llu", (unsigned long long)whole,
				  precision, (unsigned long long)fraction);
	else
		length = snprintf(text, sizeof(text), "%llu", (unsigned long long)whole);
	if (value < 0 || negative_zero)
		putchar('-');
	for (int pad = (value < 0 || negative_zero) + length; pad < width; pad++)
		putchar('0');
	fputs(text, stdout);
}

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Compares two digit strings as numbers. */
static int compare_digits(const char *a, const char *b)
{
	while (*a == '0' && a[1] != '\0')
		a++;
	while (*b == '0' && b[1] != '\0')
		b++;
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

/* Whole numbers of any length, counted by a small step as digit strings. */
static int seq_digits(const char *first, unsigned long step, const char *last)
{
	size_t size = strlen(first) > strlen(last) ? strlen(first) : strlen(last);
	size += 32;
	char *number = malloc(size + 1);
	if (number == NULL) {
		fprintf(stderr, "seq: %s\n", strerror(ENOMEM));
		return 1;
	}
	while (*first == '0' && first[1] != '\0')
		first++;
	/* Right-aligned in the buffer, so a carry can grow it to the left. */
	char *start = number + size - strlen(first);
	strcpy(start, first);
	bool printed = false;
	while (compare_digits(start, last) <= 0) {
		if (printed)
			fputs(separator, stdout);
		fputs(start, stdout);
		printed = true;
		unsigned long carry = step;
		char *p = number + size - 1;
		while (carry > 0) {
			if (p < start) {
				*p = '0';
				start = p;
			}
			unsigned long digit = (unsigned long)(*p - '0') + carry;
			*p = (char)('0' + digit % 10);
			carry = digit / 10;
			p--;
		}
	}
	if (printed)
		putchar('\n');
	free(number);
	return 0;
}

/*
 * FIRST + i * INCREMENT through double, up to LAST: printed %0*.*f with
 * width and precision, or %g where general (each flushed then, as such a
 * sequence may not end). Returns the exit status.
 */
static int seq_double(double first, double step, double last, bool general, int width,
		      int precision)
{
	bool printed = false;
	double previous = NAN;

	for (long long i = 0;; i++) {
		double value = first + (double)i * step;
		/* Past the end, or too big for the step to make a difference. */
		if ((step > 0 ? value > last : value < last) || value == previous)
			break;
		previous = value;
		if (printed)
			fputs(separator, stdout);
		if (general)
			printf("%g", value);
		else
			printf("%0*.*f", width, precision, value);
		printed = true;
		if (general && fflush(stdout) != 0)
			return 1;
	}
	if (printed)
		putchar('\n');
	return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *operands[3];
	int count = 0;
	bool options_done = false;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		bool number = arg[0] == '-' && (isdigit((unsigned char)arg[1]) || arg[1] == '.');

		/* Options come first (GNU seq's getopt stops at the first operand). */
		if (options_done || arg[0] != '-' || arg[1] == '\0' || number) {
			options_done = true;
			if (count == 3)
				return fail_usage("extra operand '%s'", arg);
			operands[count++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		if (strcmp(arg, "--equal-width") == 0) {
			equal_width = true;
			continue;
		}
		if (strncmp(arg, "--separator=", 12) == 0) {
			separator = arg + 12;
			continue;
		}
		if (arg[1] == '-')
			return fail_usage("unrecognized option '%s'", arg);
		for (const char *p = arg + 1; *p != '\0'; p++) {
			if (*p == 'w') {
				equal_width = true;
			} else if (*p == 's') {
				separator = p[1] != '\0' ? p + 1 : argv[++i];
				if (separator == NULL)
					return fail_usage("option requires an argument -- '%s'", "s");
				break;
			} else {
				char option[2] = {*p, '\0'};
				return fail_usage("invalid option -- '%s'", option);
			}
		}
	}
	if (count == 0)
		return fail_usage("missing operand%s", "");

	struct operand first = {"1", 1, 1, 0, false}, step = {"1", 1, 1, 0, false}, last;
	struct operand *slots[3][3] = {{&last}, {&first, &last}, {&first, &step, &last}};
	for (int i = 0; i < count; i++) {
		if (!scan_operand(operands[i], slots[count - 1][i]))
			return fail_usage("invalid floating point argument: '%s'", operands[i]);
	}
	if (step.value == 0)
		return fail_usage("invalid Zero increment value: '%s'", step.text);

	/* Whole numbers of any size, counted up by a small whole step. */
	if (!equal_width && all_digits(first.text) && all_digits(last.text) &&
	    (count < 3 || (all_digits(step.text) && strlen(step.text) < 9))) {
		int status = seq_digits(first.text, strtoul(step.text, NULL, 10), last.text);
		return fflush(stdout) == 0 ? status : 1;
	}

	int precision = first.precision > step.precision ? first.precision : step.precision;
	if (precision != INT_MAX && last.precision != INT_MAX) {
		int width = 0;
		if (equal_width) {
			int first_width = first.width + (precision - first.precision);
			int last_width = last.width + (precision - last.precision);
			if (last.precision && precision == 0)
				last_width--;
			if (last.precision == 0 && precision)
				last_width++;
			if (first.precision == 0 && precision)
				first_width++;
			width = first_width > last_width ? first_width : last_width;
		}
		int scale = precision > last.precision ? precision : last.precision;
		int64_t x, increment, limit;
		if (scale <= 18 && isfinite(first.value) && isfinite(step.value) &&
		    isfinite(last.value) && to_scaled(first.text, scale, &x) &&
		    to_scaled(step.text, scale, &increment) && to_scaled(last.text, scale, &limit)) {
			bool printed = false;
			bool negative_zero = first.negative_zero;
			while (increment > 0 ? x <= limit : x >= limit) {
				if (printed)
					fputs(separator, stdout);
				print_scaled(x, scale, precision, width, negative_zero && x == 0);
				negative_zero = false;
				printed = true;
				if ((increment > 0 && x > INT64_MAX - increment) ||
				    (increment < 0 && x < INT64_MIN - increment))
					break;
				x += increment;
			}
			if (printed)
				putchar('\n');
			return fflush(stdout) == 0 ? 0 : 1;
		}
		/* Too big for exact arithmetic: through double, still with a fixed precision. */
		return seq_double(first.value, step.value, last.value, false, width, precision);
	}
	return seq_double(first.value, step.value, last.value, true, 0, 0);
}
