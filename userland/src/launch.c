/*
 * launch.c: the child side of the kernel's process-spawn call (CTL.SPAWN, abi/process.ts),
 * as glibc's posix_spawn runs file actions in the child between clone and exec. The kernel
 * starts every process a service spawns from this image, with the descriptors, process group
 * and session already in place, and argv built from the validated request:
 *
 *   launch [ACTION]... -- PATH ARG0 [ARGS...]   exec PATH (a name without '/' is searched
 *                                               for in $PATH), argv ARG0 ARGS...
 *   launch [ACTION]... -p TEXT                  write TEXT on descriptor 1, exit 0
 *   launch [ACTION]... -g PATTERN...            each pattern's matches (or the pattern
 *                                               itself when none), sorted, each ended by
 *                                               NUL, and an empty one after each pattern's
 *   launch [ACTION]... -l DIR                   DIR's entries but . and .., each ended by
 *                                               NUL, a directory's with a '/'
 *   launch [ACTION]...                          exit 0 once the actions succeed
 *
 * ACTION, applied in order: `-C DIR` chdir; `-o FD FLAGS PATH` open PATH (FLAGS: Linux O_*
 * in decimal, mode 0666) onto FD; `-d NEW OLD` dup2(OLD, NEW); `-c FD` close FD.
 * A failed action prints `sh: WHAT: reason` on stderr and exits 1; an exec that fails exits
 * 127 when the program does not exist (`sh: NAME: not found`), 126 otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux_syscall.h"
#include "posix_ext.h"

#define FAILED 1
#define CANNOT_EXEC 126
#define NOT_FOUND 127
#define MATCHES_MAX 4096
#define PATH_BYTES 4096

static int fail(const char *what, int err)
{
	fprintf(stderr, "sh: %s: %s\n", what, strerror(err));
	return FAILED;
}

static int number(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 0x7fffffff)
		return -1;
	*out = (int)v;
	return 0;
}

/* open(2) with Linux's flag bits, which picolibc's O_* need not share. */
static int open_linux(const char *path, int flags)
{
	long r = syscall4(SYS_openat, LINUX_AT_FDCWD, (long)path, flags, 0666);

	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (int)r;
}

static int open_onto(int fd, int flags, const char *path)
{
	int got = open_linux(path, flags);

	if (got < 0)
		return fail(path, errno);
	if (got != fd) {
		if (dup2(got, fd) < 0)
			return fail(path, errno);
		close(got);
	}
	return 0;
}

/* Runs the actions from argv[*at]; stops at the first argument that is not one. */
static int actions(int argc, char **argv, int *at)
{
	int i = *at;
	int a, b;

	while (i < argc) {
		const char *op = argv[i];
		if (strcmp(op, "-C") == 0 && i + 1 < argc) {
			if (chdir(argv[i + 1]) < 0)
				return fail(argv[i + 1], errno);
			i += 2;
		} else if (strcmp(op, "-o") == 0 && i + 3 < argc) {
			if (number(argv[i + 1], &a) < 0 || number(argv[i + 2], &b) < 0)
				return fail("launch", EINVAL);
			if (open_onto(a, b, argv[i + 3]) != 0)
				return FAILED;
			i += 4;
		} else if (strcmp(op, "-d") == 0 && i + 2 < argc) {
			if (number(argv[i + 1], &a) < 0 || number(argv[i + 2], &b) < 0)
				return fail("launch", EINVAL);
			if (dup2(b, a) < 0) {
				char what[16];
				snprintf(what, sizeof(what), "%d", b);
				return fail(what, errno);
			}
			i += 3;
		} else if (strcmp(op, "-c") == 0 && i + 1 < argc) {
			if (number(argv[i + 1], &a) < 0)
				return fail("launch", EINVAL);
			close(a);
			i += 2;
		} else {
			break;
		}
	}
	*at = i;
	return 0;
}

static int write_all(int fd, const char *bytes, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, bytes, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		bytes += w;
		n -= (size_t)w;
	}
	return 0;
}

/* `*`, `?` and `[...]` (with `!` or `^` to negate, and ranges) against one name. */
static int match(const char *p, const char *s)
{
	for (; *p; p++, s++) {
		if (*p == '*') {
			while (p[1] == '*')
				p++;
			for (const char *t = s;; t++) {
				if (match(p + 1, t))
					return 1;
				if (*t == '\0')
					return 0;
			}
		}
		if (*s == '\0')
			return 0;
		if (*p == '?')
			continue;
		if (*p == '[') {
			const char *q = p + 1;
			int negate = *q == '!' || *q == '^';
			int hit = 0;
			if (negate)
				q++;
			do {
				if (q[1] == '-' && q[2] != ']' && q[2] != '\0') {
					hit |= (unsigned char)*s >= (unsigned char)q[0] &&
					       (unsigned char)*s <= (unsigned char)q[2];
					q += 3;
				} else {
					hit |= *q == *s;
					q++;
				}
			} while (*q != ']' && *q != '\0');
			if (*q == '\0') { /* no closing bracket: a literal '[' */
				if (*s != '[')
					return 0;
				continue;
			}
			if (hit == negate)
				return 0;
			p = q;
			continue;
		}
		if (*p == '\\' && p[1] != '\0')
			p++;
		if (*p != *s)
			return 0;
	}
	return *s == '\0';
}

static int magic(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[')
			return 1;
	return 0;
}

struct matches {
	char *items[MATCHES_MAX];
	int count;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Expands `pattern` below `prefix` (a path ending in '/' or empty) into `out`. */
static void expand(const char *prefix, const char *pattern, struct matches *out)
{
	const char *slash = strchr(pattern, '/');
	size_t len = slash ? (size_t)(slash - pattern) : strlen(pattern);
	char part[256];
	char path[PATH_BYTES];

	if (len >= sizeof(part))
		return;
	memcpy(part, pattern, len);
	part[len] = '\0';
	if (!magic(part, len)) {
		snprintf(path, sizeof(path), "%s%s%s", prefix, part, slash ? "/" : "");
		struct stat st;
		if (slash)
			expand(path, slash + 1, out);
		else if (lstat(path, &st) == 0 && out->count < MATCHES_MAX)
			out->items[out->count++] = strdup(path);
		return;
	}
	DIR *dir = opendir(*prefix ? prefix : ".");
	if (dir == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.' && part[0] != '.')
			continue;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (!match(part, e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s%s", prefix, e->d_name);
		if (slash) {
			struct stat st;
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
				strncat(path, "/", sizeof(path) - strlen(path) - 1);
				expand(path, slash + 1, out);
			}
		} else if (out->count < MATCHES_MAX) {
			out->items[out->count++] = strdup(path);
		}
	}
	closedir(dir);
}

static int glob_patterns(int argc, char **argv)
{
	static struct matches found;

	for (int i = 0; i < argc; i++) {
		found.count = 0;
		const char *pattern = argv[i];
		expand(pattern[0] == '/' ? "/" : "", pattern[0] == '/' ? pattern + 1 : pattern,
		       &found);
		if (found.count == 0 && write_all(1, pattern, strlen(pattern) + 1) < 0)
			return fail("glob", errno);
		qsort(found.items, (size_t)found.count, sizeof(char *), by_name);
		for (int j = 0; j < found.count; j++) {
			if (write_all(1, found.items[j], strlen(found.items[j]) + 1) < 0)
				return fail("glob", errno);
			free(found.items[j]);
		}
		if (write_all(1, "", 1) < 0)
			return fail("glob", errno);
	}
	return 0;
}

static int list(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	char full[PATH_BYTES];

	if (dir == NULL)
		return fail(path, errno);
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		struct stat st;
		snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
		int isdir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
		if (write_all(1, e->d_name, strlen(e->d_name)) < 0 ||
		    write_all(1, isdir ? "/" : "", isdir ? 2 : 1) < 0)
			return fail(path, errno);
	}
	closedir(dir);
	return 0;
}

/* execvp: a name without '/' is searched for in $PATH. */
static int run(const char *name, char **argv)
{
	execvp(name, argv);
	if (errno == ENOENT) {
		fprintf(stderr, "sh: %s: not found\n", name);
		return NOT_FOUND;
	}
	fprintf(stderr, "sh: %s: %s\n", name, strerror(errno));
	return CANNOT_EXEC;
}

int main(int argc, char **argv)
{
	int at = 1;

	if (actions(argc, argv, &at) != 0)
		return FAILED;
	if (at == argc)
		return 0;
	if (strcmp(argv[at], "--") == 0 && at + 2 < argc)
		return run(argv[at + 1], argv + at + 2);
	if (strcmp(argv[at], "-p") == 0 && at + 2 == argc)
		return write_all(1, argv[at + 1], strlen(argv[at + 1])) < 0 ? fail("write", errno) : 0;
	if (strcmp(argv[at], "-g") == 0)
		return glob_patterns(argc - at - 1, argv + at + 1);
	if (strcmp(argv[at], "-l") == 0 && at + 2 == argc)
		return list(argv[at + 1]);
	return fail("launch", EINVAL);
}
