/*
 * options.h: reading command lines, shared by the coreutils as static inline
 * functions. POSIX order (cp, rm, mv, rmdir, ln, mkdir, touch, tee, cat, ls,
 * stat, hexdump): option clusters ("-rf") come first and end at the first
 * operand, at "-" or after "--"; an option's value is the rest of its
 * cluster or the next argument. GNU order (head, tail, sort, wc, grep):
 * options and operands mix until "--". And GNU's wording for the usual
 * mistakes ("cp: invalid option -- 'x'", "rm: missing operand").
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Where a POSIX-order scan of argv stands. */
struct short_options {
	int argc;
	char **argv;
	int index;	/* the argument being read; once the scan ends, the first operand */
	const char *at; /* the next letter of argv[index]; NULL before it is entered */
};

#define SHORT_OPTIONS(argc, argv) { (argc), (argv), 1, NULL }

/*
 * The next option letter, or 0 where the options end: at the first operand
 * (anything not starting with '-', or "-"), or past "--".
 */
static inline int next_option(struct short_options *s)
{
	while (s->at == NULL || *s->at == '\0') {
		if (s->at != NULL) {
			s->index++;
			s->at = NULL;
		}
		if (s->index >= s->argc)
			return 0;
		const char *arg = s->argv[s->index];
		if (strcmp(arg, "--") == 0) {
			s->index++;
			return 0;
		}
		if (arg[0] != '-' || arg[1] == '\0')
			return 0;
		s->at = arg + 1;
	}
	return (unsigned char)*s->at++;
}

/*
 * The value of the option letter just read: the rest of its cluster, or else
 * the next argument; NULL where there is none. Either way the cluster ends.
 */
static inline const char *option_value(struct short_options *s)
{
	const char *value = NULL;

	if (*s->at != '\0')
		value = s->at;
	else if (s->index + 1 < s->argc)
		value = s->argv[++s->index];
	s->at = "";
	return value;
}

/* `PROGRAM: invalid option -- 'C'`; returns the exit status 1. */
static inline int invalid_option(const char *program, int c)
{
	fprintf(stderr, "%s: invalid option -- '%c'\n", program, c);
	return 1;
}

/* `PROGRAM: option requires an argument -- 'C'`; returns the exit status 1. */
static inline int missing_value(const char *program, int c)
{
	fprintf(stderr, "%s: option requires an argument -- '%c'\n", program, c);
	return 1;
}

/* `PROGRAM: missing operand`; returns the exit status 1. */
static inline int missing_operand(const char *program)
{
	fprintf(stderr, "%s: missing operand\n", program);
	return 1;
}

/*
 * GNU order: whether arg is dealt with as no option: an operand (anything
 * not starting with '-', "-", and all after "--") is appended to
 * operands[*count]; the "--" itself sets *options_done.
 */
static inline bool gnu_operand(char *arg, bool *options_done, char **operands, int *count)
{
	if (*options_done || arg[0] != '-' || arg[1] == '\0') {
		operands[(*count)++] = arg;
		return true;
	}
	if (strcmp(arg, "--") == 0) {
		*options_done = true;
		return true;
	}
	return false;
}

#endif
