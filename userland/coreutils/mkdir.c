/*
 * mkdir.c: creates directories, as GNU mkdir does. -p creates missing
 * parents too (u+wx added to their mode) and accepts a directory that
 * already exists; -m MODE gives the new directories (the last component
 * with -p) exactly MODE, octal or symbolic ("u=rwx,go-w", relative to
 * a=rwx, with the umask applied where no "who" is named, as chmod does).
 * Errors print `mkdir: cannot create directory 'PATH': reason` on stderr and
 * make the exit status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"

/*
 * The mode that `spec` makes of `base`: octal digits, or GNU's symbolic
 * clauses [ugoa]*[-+=][rwxXst]* or [-+=][ugo], separated by commas. -1 when
 * it is not a mode.
 */
static long parse_mode(const char *spec, mode_t base, mode_t mask)
{
	mode_t mode = base;
	const char *p = spec;

	if (*p >= '0' && *p <= '7') {
		char *end;
		unsigned long value = strtoul(spec, &end, 8);

		return *end == '\0' && value <= 07777 ? (long)value : -1;
	}
	for (;;) {
		mode_t who = 0;

		for (; strchr("ugoa", *p) && *p; p++)
			who |= *p == 'u' ? 04700 : *p == 'g' ? 02070 : *p == 'o' ? 01007 : 07777;
		if (*p != '+' && *p != '-' && *p != '=')
			return -1;
		while (*p == '+' || *p == '-' || *p == '=') {
			char op = *p++;
			mode_t bits = 0;

			if (*p && strchr("ugo", *p)) {
				/* Copy another class's permissions. */
				int shift = *p == 'u' ? 6 : *p == 'g' ? 3 : 0;
				mode_t from = (mode >> shift) & 7;

				bits = from * 0111;
				p++;
			} else {
				for (; *p && strchr("rwxXst", *p); p++) {
					switch (*p) {
					case 'r':
						bits |= 0444;
						break;
					case 'w':
						bits |= 0222;
						break;
					case 'x':
						bits |= 0111;
						break;
					case 'X':
						bits |= 0111; /* a directory: always */
						break;
					case 's':
						bits |= 06000;
						break;
					case 't':
						bits |= 01000;
						break;
					}
				}
			}
			/* Without a "who", the umask's bits are left alone. */
			bits &= who ? who : (mode_t)(07777 & ~mask);
			if (op == '+') {
				mode |= bits;
			} else if (op == '-') {
				mode &= ~bits;
			} else {
				mode_t affected = who ? who : 07777;

				mode = (mode & ~affected) | bits;
			}
		}
		if (*p == '\0')
			break;
		if (*p != ',')
			return -1;
		p++;
	}
	return (long)mode;
}

static int make_dir(const char *path, mode_t mode, int exact, int parents)
{
	if (mkdir(path, mode) == 0) {
		if (exact && chmod(path, mode) != 0) {
			fprintf(stderr, "mkdir: cannot set permissions of '%s': %s\n", path,
				strerror(errno));
			return -1;
		}
		return 0;
	}
	if (parents && errno == EEXIST) {
		struct stat st;

		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		errno = EEXIST;
	}
	fprintf(stderr, "mkdir: cannot create directory '%s': %s\n", path, strerror(errno));
	return -1;
}

/* Creates each missing ancestor of path, as GNU mkdir -p does. */
static int make_parents(const char *path, mode_t mask)
{
	char *copy = strdup(path);
	int result = 0;

	if (copy == NULL)
		return -1;
	for (char *p = copy + 1; *p; p++) {
		struct stat st;

		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		if (stat(copy, &st) != 0 || !S_ISDIR(st.st_mode)) {
			if (make_dir(copy, (0777 & ~mask) | 0300, 1, 1) != 0) {
				result = -1;
				break;
			}
		}
		*p = '/';
	}
	free(copy);
	return result;
}

int main(int argc, char **argv)
{
	const char *mode_spec = NULL;
	int parents = 0;
	int status = 0;
	mode_t mask = umask(0);
	mode_t mode;
	struct short_options s = SHORT_OPTIONS(argc, argv);
	int c, i;

	umask(mask);
	while ((c = next_option(&s)) != 0) {
		if (c == 'p') {
			parents = 1;
		} else if (c == 'm') {
			mode_spec = option_value(&s);
			if (mode_spec == NULL)
				return missing_value("mkdir", c);
		} else {
			return invalid_option("mkdir", c);
		}
	}
	i = s.index;
	if (mode_spec != NULL) {
		long parsed = parse_mode(mode_spec, 0777, mask);

		if (parsed < 0) {
			fprintf(stderr, "mkdir: invalid mode '%s'\n", mode_spec);
			return 1;
		}
		mode = (mode_t)parsed;
	} else {
		mode = 0777 & ~mask;
	}
	if (i == argc) {
		fputs("mkdir: missing operand\n", stderr);
		return 1;
	}
	for (; i < argc; i++) {
		if (parents && make_parents(argv[i], mask) != 0) {
			status = 1;
			continue;
		}
		if (make_dir(argv[i], mode, mode_spec != NULL, parents) != 0)
			status = 1;
	}
	return status;
}
