/*
 * sort.c: writes the lines of all named files (or stdin, or "-") sorted,
 * as GNU sort does in the C locale (byte order): -r reverses, -n compares
 * leading numbers (GNU's strnumcmp: sign, digits, fraction; no number is
 * 0), -f folds lower case to upper, -d keeps only letters, digits and
 * blanks, -i only printable bytes, -b skips leading blanks, -u keeps the
 * first of each run of equal lines, -s keeps input order for equal keys,
 * -t C separates fields with C (default: a run of blanks begins each
 * field), -k F[.C][bdfinr][,F[.C][bdfinr]] sorts on keys (several allowed;
 * a key without its own letters takes the global ones), -o FILE writes
 * there after everything is read, -c reports the first disorder (-C says
 * nothing). Lines whose keys are equal are ordered by the whole line as a
 * last resort, unless -s or -u. Errors print `sort: ...`, exit status 2.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

#define NO_FIELD SIZE_MAX

struct line {
	char *text;
	size_t length; /* without the newline; text[length] is writable */
};

struct key {
	size_t start_field, start_char; /* 0-based; start_field NO_FIELD: the line's start */
	size_t end_field, end_char;     /* end_field NO_FIELD: the line's end; end_char 0: field end */
	bool skip_start_blanks, skip_end_blanks;
	bool numeric, reverse;
	const bool *ignore;
	const unsigned char *translate;
	struct key *next;
};

static struct key *keys;
static struct key global_key = {NO_FIELD, 0, NO_FIELD, 0, false, false, false, false, NULL, NULL,
				NULL};
static int tab = -1;
static bool reverse_all, unique, stable;
static bool nondictionary[256], nonprinting[256];
static unsigned char fold_upper[256];

static void die(const char *format, const char *arg)
{
	fflush(stdout);
	fputs("sort: ", stderr);
	fprintf(stderr, format, arg);
	fputc('\n', stderr);
	exit(2);
}

static bool blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* GNU's begfield: where a key starts in a line. */
static char *key_start(const struct line *line, const struct key *key)
{
	char *p = line->text, *lim = line->text + line->length;
	size_t field = key->start_field;

	if (tab >= 0) {
		while (p < lim && field--) {
			while (p < lim && *p != (char)tab)
				p++;
			if (p < lim)
				p++;
		}
	} else {
		while (p < lim && field--) {
			while (p < lim && blank((unsigned char)*p))
				p++;
			while (p < lim && !blank((unsigned char)*p))
				p++;
		}
	}
	if (key->skip_start_blanks)
		while (p < lim && blank((unsigned char)*p))
			p++;
	return (size_t)(lim - p) < key->start_char ? lim : p + key->start_char;
}

/* GNU's limfield: where a key ends. */
static char *key_end(const struct line *line, const struct key *key)
{
	char *p = line->text, *lim = line->text + line->length;
	size_t field = key->end_field, chars = key->end_char;

	if (chars == 0)
		field++;
	if (tab >= 0) {
		while (p < lim && field--) {
			while (p < lim && *p != (char)tab)
				p++;
			if (p < lim && (field || chars))
				p++;
		}
	} else {
		while (p < lim && field--) {
			while (p < lim && blank((unsigned char)*p))
				p++;
			while (p < lim && !blank((unsigned char)*p))
				p++;
		}
	}
	if (chars != 0) {
		if (key->skip_end_blanks)
			while (p < lim && blank((unsigned char)*p))
				p++;
		p = (size_t)(lim - p) < chars ? lim : p + chars;
	}
	return p;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* gnulib's fraccompare (decimal point '.'). */
static int fraction_compare(const unsigned char *a, const unsigned char *b)
{
	if (*a == '.' && *b == '.') {
		while (*++a == *++b)
			if (!is_digit(*a))
				return 0;
		if (is_digit(*a) && is_digit(*b))
			return *a - *b;
		if (is_digit(*a))
			goto a_trailing_nonzero;
		if (is_digit(*b))
			goto b_trailing_nonzero;
		return 0;
	} else if (*a++ == '.') {
a_trailing_nonzero:
		while (*a == '0')
			a++;
		return is_digit(*a);
	} else if (*b++ == '.') {
b_trailing_nonzero:
		while (*b == '0')
			b++;
		return -is_digit(*b);
	}
	return 0;
}

/*
 * numcompare's comparison of two numbers of the same sign, by magnitude: a
 * and b past the sign and the leading zeros.
 */
static int magnitude_compare(const unsigned char *a, const unsigned char *b)
{
	unsigned char ta = *a, tb = *b;
	int tmp;
	size_t log_a, log_b;

	while (ta == tb && is_digit(ta)) {
		ta = *++a;
		tb = *++b;
	}
	if ((ta == '.' && !is_digit(tb)) || (tb == '.' && !is_digit(ta)))
		return fraction_compare(a, b);
	tmp = ta - tb;
	for (log_a = 0; is_digit(ta); log_a++)
		ta = *++a;
	for (log_b = 0; is_digit(tb); log_b++)
		tb = *++b;
	if (log_a != log_b)
		return log_a < log_b ? -1 : 1;
	if (!log_a)
		return 0;
	return tmp;
}

/*
 * Whether the number at p (past its sign) is not zero: leading zeros, then
 * a point and zeros, then a digit.
 */
static bool is_nonzero(const unsigned char *p)
{
	while (*p == '0')
		p++;
	if (*p == '.')
		do
			p++;
		while (*p == '0');
	return is_digit(*p);
}

/* gnulib's numcompare for the C locale (no thousands separator); NUL-terminated. */
static int number_compare(const unsigned char *a, const unsigned char *b)
{
	while (blank(*a))
		a++;
	while (blank(*b))
		b++;
	/* Of two signs, the negative number is less unless both are zero. */
	if (*a == '-' && *b != '-')
		return is_nonzero(a + 1) ? -1 : -is_nonzero(b);
	if (*b == '-' && *a != '-')
		return is_nonzero(b + 1) ? 1 : is_nonzero(a);
	bool negative = *a == '-';
	if (negative) {
		a++;
		b++;
	}
	while (*a == '0')
		a++;
	while (*b == '0')
		b++;
	return negative ? magnitude_compare(b, a) : magnitude_compare(a, b);
}

/* A key's bytes with ignored ones dropped and the rest translated, NUL-terminated. */
static unsigned char *filtered_copy(const char *text, const char *lim, const struct key *key)
{
	unsigned char *copy = malloc((size_t)(lim - text) + 1);
	size_t n = 0;

	if (copy == NULL)
		die("%s", strerror(ENOMEM));
	for (const char *p = text; p < lim; p++) {
		unsigned char c = (unsigned char)*p;
		if (key->ignore != NULL && key->ignore[c])
			continue;
		copy[n++] = key->translate != NULL ? key->translate[c] : c;
	}
	copy[n] = '\0';
	return copy;
}

static int compare_numbers(char *ta, char *la, char *tb, char *lb, const struct key *key)
{
	if (key->ignore != NULL || key->translate != NULL) {
		unsigned char *ca = filtered_copy(ta, la, key), *cb = filtered_copy(tb, lb, key);
		int diff = number_compare(ca, cb);
		free(ca);
		free(cb);
		return diff;
	}
	/* In place, each key NUL-terminated for the moment (text[length] is ours). */
	char saved_a = *la, saved_b = *lb;
	*la = '\0';
	*lb = '\0';
	int diff = number_compare((unsigned char *)ta, (unsigned char *)tb);
	*la = saved_a;
	*lb = saved_b;
	return diff;
}

/* GNU's keycompare. */
static int compare_keys(const struct line *a, const struct line *b)
{
	for (const struct key *key = keys; key != NULL; key = key->next) {
		char *la = key->end_field == NO_FIELD ? a->text + a->length : key_end(a, key);
		char *lb = key->end_field == NO_FIELD ? b->text + b->length : key_end(b, key);
		char *ta, *tb;
		if (key->start_field != NO_FIELD) {
			ta = key_start(a, key);
			tb = key_start(b, key);
		} else {
			ta = a->text;
			tb = b->text;
			if (key->skip_start_blanks) {
				while (ta < la && blank((unsigned char)*ta))
					ta++;
				while (tb < lb && blank((unsigned char)*tb))
					tb++;
			}
		}
		if (la < ta)
			la = ta;
		if (lb < tb)
			lb = tb;

		int diff = 0;
		if (key->numeric) {
			diff = compare_numbers(ta, la, tb, lb, key);
		} else if (key->ignore != NULL) {
			const unsigned char *tr = key->translate;
			for (;;) {
				while (ta < la && key->ignore[(unsigned char)*ta])
					ta++;
				while (tb < lb && key->ignore[(unsigned char)*tb])
					tb++;
				if (!(ta < la && tb < lb))
					break;
				unsigned char ca = (unsigned char)*ta, cb = (unsigned char)*tb;
				diff = tr != NULL ? tr[ca] - tr[cb] : ca - cb;
				if (diff)
					break;
				ta++;
				tb++;
			}
			if (!diff)
				diff = (ta < la) - (tb < lb);
		} else {
			size_t lena = (size_t)(la - ta), lenb = (size_t)(lb - tb);
			if (key->translate != NULL) {
				for (; ta < la && tb < lb; ta++, tb++) {
					diff = key->translate[(unsigned char)*ta] -
					       key->translate[(unsigned char)*tb];
					if (diff)
						break;
				}
			} else {
				diff = memcmp(ta, tb, lena < lenb ? lena : lenb);
			}
			if (!diff)
				diff = lena < lenb ? -1 : lena != lenb;
		}
		if (diff)
			return key->reverse ? (diff < 0 ? 1 : -1) : diff;
	}
	return 0;
}

/* GNU's compare: the keys, then (unless -s or -u) the whole line. */
static int compare(const struct line *a, const struct line *b)
{
	int diff;

	if (keys != NULL) {
		diff = compare_keys(a, b);
		if (diff || unique || stable)
			return diff;
	}
	size_t la = a->length, lb = b->length;
	diff = memcmp(a->text, b->text, la < lb ? la : lb);
	if (!diff)
		diff = la < lb ? -1 : la != lb;
	return reverse_all ? -diff : diff;
}

/* A stable merge sort. */
static void merge_sort(struct line *lines, struct line *scratch, size_t n)
{
	if (n < 2)
		return;
	size_t half = n / 2;
	merge_sort(lines, scratch, half);
	merge_sort(lines + half, scratch, n - half);
	if (compare(&lines[half - 1], &lines[half]) <= 0)
		return;
	memcpy(scratch, lines, half * sizeof(*lines));
	size_t i = 0, j = half, k = 0;
	while (i < half && j < n) {
		if (compare(&lines[j], &scratch[i]) < 0)
			lines[k++] = lines[j++];
		else
			lines[k++] = scratch[i++];
	}
	while (i < half)
		lines[k++] = scratch[i++];
}

/* All input, kept for the lines to point into. */
static char *input;
static size_t input_length, input_size;

static void reserve(size_t more)
{
	if (input_length + more <= input_size)
		return;
	size_t size = input_size == 0 ? 65536 : input_size;
	while (input_length + more > size)
		size *= 2;
	char *bigger = realloc(input, size);
	if (bigger == NULL)
		die("%s", strerror(ENOMEM));
	input = bigger;
	input_size = size;
}

static void read_input(const char *name)
{
	bool is_stdin = strcmp(name, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(name, O_RDONLY);

	if (fd < 0) {
		fflush(stdout);
		fprintf(stderr, "sort: cannot read: %s: %s\n", name, strerror(errno));
		exit(2);
	}
	size_t start = input_length;
	for (;;) {
		reserve(65536);
		ssize_t n = read(fd, input + input_length, input_size - input_length);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fflush(stdout);
			fprintf(stderr, "sort: read failed: %s: %s\n", is_stdin ? "-" : name,
				strerror(errno));
			exit(2);
		}
		input_length += (size_t)n;
	}
	if (!is_stdin)
		close(fd);
	/* Every file's last line ends with a newline. */
	if (input_length > start && input[input_length - 1] != '\n') {
		reserve(1);
		input[input_length++] = '\n';
	}
}

/* Parses a decimal count; GNU's messages for bad ones. */
static const char *parse_count(const char *s, size_t *value, const char *what, const char *spec)
{
	if (!is_digit((unsigned char)*s)) {
		fflush(stdout);
		fprintf(stderr, "sort: %s: invalid count at start of '%s'\n", what, s);
		exit(2);
	}
	size_t n = 0;
	for (; is_digit((unsigned char)*s); s++)
		n = n > (SIZE_MAX - 9) / 10 ? SIZE_MAX - 1 : n * 10 + (size_t)(*s - '0');
	(void)spec;
	*value = n;
	return s;
}

static bool plain_key(const struct key *key)
{
	return !key->skip_start_blanks && !key->skip_end_blanks && !key->numeric &&
	       key->ignore == NULL && key->translate == NULL;
}

/* Ordering letters after a key position (or global ones); returns where they stop. */
static const char *set_ordering(const char *s, struct key *key, bool at_start)
{
	for (;; s++) {
		switch (*s) {
		case 'b':
			if (at_start)
				key->skip_start_blanks = true;
			else
				key->skip_end_blanks = true;
			break;
		case 'd':
			key->ignore = nondictionary;
			break;
		case 'i':
			key->ignore = nonprinting;
			break;
		case 'f':
			key->translate = fold_upper;
			break;
		case 'n':
			key->numeric = true;
			break;
		case 'r':
			key->reverse = true;
			break;
		default:
			return s;
		}
	}
}

static void bad_field(const char *spec, const char *message)
{
	fflush(stdout);
	fprintf(stderr, "sort: %s: invalid field specification '%s'\n", message, spec);
	exit(2);
}

static void add_key(const char *spec)
{
	struct key *key = calloc(1, sizeof(*key));
	if (key == NULL)
		die("%s", strerror(ENOMEM));
	const char *s = parse_count(spec, &key->start_field, "invalid number at field start", spec);
	if (key->start_field-- == 0)
		bad_field(spec, "field number is zero");
	if (*s == '.') {
		s = parse_count(s + 1, &key->start_char, "invalid number after '.'", spec);
		if (key->start_char-- == 0)
			bad_field(spec, "character offset is zero");
	}
	if (key->start_field == 0 && key->start_char == 0)
		key->start_field = NO_FIELD;
	s = set_ordering(s, key, true);
	if (*s != ',') {
		key->end_field = NO_FIELD;
		key->end_char = 0;
	} else {
		s = parse_count(s + 1, &key->end_field, "invalid number after ','", spec);
		if (key->end_field-- == 0)
			bad_field(spec, "field number is zero");
		if (*s == '.')
			s = parse_count(s + 1, &key->end_char, "invalid number after '.'", spec);
		s = set_ordering(s, key, false);
	}
	if (*s != '\0')
		bad_field(spec, "stray character in field spec");
	struct key **tail = &keys;
	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = key;
}

static int usage(const char *message, const char *arg)
{
	fflush(stdout);
	fprintf(stderr, "sort: %s '%s'\n", message, arg);
	fputs("Usage: sort [-bdfinrsu] [-c|-C] [-t C] [-k F[.C][OPTS][,F[.C][OPTS]]]... [-o FILE] "
	      "[FILE]...\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	char *files[argc > 1 ? argc : 1];
	int nfiles = 0;
	const char *output = NULL;
	int check = 0; /* 1: -c, 2: -C */
	bool options_done = false;

	for (int c = 0; c < 256; c++) {
		nondictionary[c] = !isalnum(c) && !blank((unsigned char)c);
		nonprinting[c] = !isprint(c);
		fold_upper[c] = (unsigned char)toupper(c);
	}
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (gnu_operand(argv[i], &options_done, files, &nfiles))
			continue;
		if (arg[1] == '-') {
			static const struct {
				const char *name;
				char letter;
			} LONG[] = {
				{"--reverse", 'r'},
				{"--numeric-sort", 'n'},
				{"--unique", 'u'},
				{"--ignore-case", 'f'},
				{"--stable", 's'},
				{"--ignore-leading-blanks", 'b'},
				{"--dictionary-order", 'd'},
				{"--ignore-nonprinting", 'i'},
			};
			const char *value = strchr(arg, '=');
			if (value != NULL && strncmp(arg, "--key=", 6) == 0) {
				add_key(value + 1);
				continue;
			}
			if (value != NULL && strncmp(arg, "--field-separator=", 18) == 0) {
				if (value[1] == '\0' || value[2] != '\0')
					die(value[1] == '\0' ? "empty tab%s" : "multi-character tab '%s'",
					    value + 1);
				tab = (unsigned char)value[1];
				continue;
			}
			if (value != NULL && strncmp(arg, "--output=", 9) == 0) {
				output = value + 1;
				continue;
			}
			if (strcmp(arg, "--check") == 0 || strcmp(arg, "--check=diagnose-first") == 0) {
				check = 1;
				continue;
			}
			if (strcmp(arg, "--check=quiet") == 0 || strcmp(arg, "--check=silent") == 0) {
				check = 2;
				continue;
			}
			bool found = false;
			for (size_t o = 0; o < sizeof(LONG) / sizeof(LONG[0]); o++) {
				if (strcmp(arg, LONG[o].name) == 0) {
					char letters[2] = {LONG[o].letter, '\0'};
					if (LONG[o].letter == 'r')
						reverse_all = true;
					else if (LONG[o].letter == 'u')
						unique = true;
					else if (LONG[o].letter == 's')
						stable = true;
					else if (LONG[o].letter == 'b')
						global_key.skip_start_blanks =
							global_key.skip_end_blanks = true;
					else
						set_ordering(letters, &global_key, true);
					found = true;
				}
			}
			if (!found)
				return usage("unrecognized option", arg);
			continue;
		}
		for (const char *p = arg + 1; *p != '\0'; p++) {
			const char *value = NULL;
			switch (*p) {
			case 'r':
				reverse_all = true;
				continue;
			case 'u':
				unique = true;
				continue;
			case 's':
				stable = true;
				continue;
			case 'c':
				check = 1;
				continue;
			case 'C':
				check = 2;
				continue;
			case 'b':
				global_key.skip_start_blanks = global_key.skip_end_blanks = true;
				continue;
			case 'd':
			case 'f':
			case 'i':
			case 'n': {
				char letters[2] = {*p, '\0'};
				set_ordering(letters, &global_key, true);
				continue;
			}
			case 'k':
			case 't':
			case 'o':
			case 'S':
			case 'T':
				value = p[1] != '\0' ? p + 1 : argv[++i];
				if (value == NULL) {
					char option[2] = {*p, '\0'};
					return usage("option requires an argument --", option);
				}
				break;
			default: {
				char option[2] = {*p, '\0'};
				return usage("invalid option --", option);
			}
			}
			if (*p == 'k') {
				add_key(value);
			} else if (*p == 't') {
				if (value[0] == '\0')
					die("empty tab%s", "");
				if (value[1] != '\0' && strcmp(value, "\\0") != 0)
					die("multi-character tab '%s'", value);
				tab = value[1] != '\0' ? '\0' : (unsigned char)value[0];
			} else if (*p == 'o') {
				output = value;
			}
			/* -S and -T (buffer size, temporary directory) mean nothing here. */
			break;
		}
	}

	/* Keys without letters of their own take the global ones. */
	for (struct key *key = keys; key != NULL; key = key->next) {
		if (plain_key(key) && !key->reverse) {
			key->ignore = global_key.ignore;
			key->translate = global_key.translate;
			key->skip_start_blanks = global_key.skip_start_blanks;
			key->skip_end_blanks = global_key.skip_end_blanks;
			key->numeric = global_key.numeric;
			key->reverse = reverse_all;
		}
	}
	if (keys == NULL && !plain_key(&global_key)) {
		global_key.reverse = reverse_all;
		keys = &global_key;
	}

	if (nfiles == 0)
		files[nfiles++] = "-";
	if (check != 0 && nfiles > 1) {
		fprintf(stderr, "sort: extra operand '%s' not allowed with -c\n", files[1]);
		return 2;
	}
	for (int f = 0; f < nfiles; f++)
		read_input(files[f]);
	reserve(1); /* room for a NUL after the last line */

	size_t count = 0;
	for (size_t i = 0; i < input_length; i++)
		count += input[i] == '\n';
	struct line *lines = malloc((count + 1) * sizeof(*lines));
	struct line *scratch = malloc((count / 2 + 1) * sizeof(*lines));
	if (lines == NULL || scratch == NULL)
		die("%s", strerror(ENOMEM));
	char *p = input;
	for (size_t n = 0; n < count; n++) {
		char *newline = memchr(p, '\n', (size_t)(input + input_length - p));
		lines[n].text = p;
		lines[n].length = (size_t)(newline - p);
		p = newline + 1;
	}

	if (check != 0) {
		for (size_t n = 1; n < count; n++) {
			int diff = compare(&lines[n - 1], &lines[n]);
			if (diff > 0 || (unique && diff == 0)) {
				if (check == 1) {
					fprintf(stderr, "sort: %s:%zu: disorder: ", files[0], n + 1);
					fwrite(lines[n].text, 1, lines[n].length, stderr);
					fputc('\n', stderr);
				}
				return 1;
			}
		}
		return 0;
	}

	merge_sort(lines, scratch, count);

	FILE *out = stdout;
	if (output != NULL) {
		out = fopen(output, "w");
		if (out == NULL) {
			fprintf(stderr, "sort: open failed: %s: %s\n", output, strerror(errno));
			return 2;
		}
	}
	for (size_t n = 0; n < count; n++) {
		if (unique && n > 0 && compare(&lines[n - 1], &lines[n]) == 0)
			continue;
		fwrite(lines[n].text, 1, lines[n].length + 1, out);
	}
	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
		fprintf(stderr, "sort: write failed: %s\n", strerror(errno));
		return 2;
	}
	return 0;
}
