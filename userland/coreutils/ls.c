/*
 * ls.c: lists files and directories as GNU ls does in the C locale (names in
 * byte order). Options: -l (long format: mode, links, owner, group, size or
 * "major, minor", modification time, name, "-> target"; "total N" in 1 KiB
 * blocks for each directory), -a (names starting with '.', "." and ".."
 * included), -A (the same without "." and ".."), -R (each subdirectory after
 * its parent, "DIR:" headers), -d (directories themselves, not their
 * contents), -1 (one name a line, the default when stdout is not a
 * terminal) and -C (columns, the default on a terminal: as wide as COLUMNS
 * or the terminal, else 80). Times are UTC: denix has no time zones. A
 * command-line symbolic link to a directory is followed unless -l or -d is
 * given. Names are printed as they are (no quoting). Exit status 0, 1 for a
 * problem below the command line (a subdirectory that cannot be read), 2 for
 * a command-line operand that cannot be listed or a bad option.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "file_info.h"
#include "options.h"

struct entry {
	char *name;
	char *link; /* a symbolic link's target (-l), or NULL */
	struct linux_statx sx;
	int stat_ok;
};

struct list {
	struct entry *items;
	size_t count;
	size_t room;
	uint64_t blocks; /* 512-byte blocks of every entry, for "total" */
};

static int long_format;
static int show_all;    /* -a */
static int almost_all;  /* -A */
static int recursive;   /* -R */
static int dirs_as_files; /* -d */
static int columns;     /* -C (or a terminal without -1) */
static int status;
static int print_dir_name = 1;
static int first_dir = 1;
static struct timespec now;

static void die_oom(void)
{
	fflush(stdout);
	fputs("ls: out of memory\n", stderr);
	exit(2);
}

static char *copy_string(const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		die_oom();
	return copy;
}

/* "dir/name", or just name when dir is "." (as GNU builds the paths it stats). */
static char *join(const char *dir, const char *name, int keep_dot)
{
	size_t dlen = strlen(dir);
	char *path;

	if (!keep_dot && strcmp(dir, ".") == 0)
		return copy_string(name);
	path = malloc(dlen + strlen(name) + 2);
	if (path == NULL)
		die_oom();
	strcpy(path, dir);
	if (dlen > 0 && dir[dlen - 1] != '/')
		path[dlen++] = '/';
	strcpy(path + dlen, name);
	return path;
}

static void warn(const char *what, const char *path, int err, int serious)
{
	fflush(stdout);
	fprintf(stderr, "ls: %s '%s': %s\n", what, path, strerror(err));
	if (serious)
		status = 2;
	else if (status == 0)
		status = 1;
}

static struct entry *add(struct list *list, const char *name)
{
	struct entry *e;

	if (list->count == list->room) {
		size_t room = list->room ? list->room * 2 : 32;
		struct entry *items = realloc(list->items, room * sizeof(*items));

		if (items == NULL)
			die_oom();
		list->items = items;
		list->room = room;
	}
	e = &list->items[list->count++];
	memset(e, 0, sizeof(*e));
	e->name = copy_string(name);
	return e;
}

static void free_list(struct list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		free(list->items[i].name);
		free(list->items[i].link);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static int is_dir(const struct entry *e)
{
	return e->stat_ok && (e->sx.stx_mode & S_IFMT) == S_IFDIR;
}

/* The target of a symbolic link at dirfd/path, for -l (NULL when unreadable). */
static char *read_link(int dirfd, const char *path, uint64_t size)
{
	size_t room = size > 0 && size < 65536 ? (size_t)size + 1 : 4096;
	char *target = malloc(room);
	ssize_t n;

	if (target == NULL)
		die_oom();
	n = readlinkat(dirfd, path, target, room - 1);
	if (n < 0) {
		free(target);
		return NULL;
	}
	target[n] = '\0';
	return target;
}

static int digits(uint64_t n)
{
	int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

static int is_device(const struct entry *e)
{
	unsigned type = e->sx.stx_mode & S_IFMT;

	return e->stat_ok && (type == S_IFCHR || type == S_IFBLK);
}

/* Column widths of a long listing, over every entry of the group (as GNU measures them). */
struct widths {
	int links, owner, group, size, major, minor;
};

static int id_width(const char *name, uint32_t id)
{
	return name ? (int)strlen(name) : digits(id);
}

static void measure(const struct list *list, struct widths *w)
{
	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < list->count; i++) {
		const struct entry *e = &list->items[i];
		int n;

		if (!e->stat_ok)
			continue;
		n = digits(e->sx.stx_nlink);
		if (n > w->links)
			w->links = n;
		n = id_width(user_name(e->sx.stx_uid), e->sx.stx_uid);
		if (n > w->owner)
			w->owner = n;
		n = id_width(group_name(e->sx.stx_gid), e->sx.stx_gid);
		if (n > w->group)
			w->group = n;
		if (is_device(e)) {
			n = digits(e->sx.stx_rdev_major);
			if (n > w->major)
				w->major = n;
			n = digits(e->sx.stx_rdev_minor);
			if (n > w->minor)
				w->minor = n;
			n = w->major + 2 + w->minor;
		} else {
			n = digits(e->sx.stx_size);
		}
		if (n > w->size)
			w->size = n;
	}
}

static void print_id(const char *name, uint32_t id, int width)
{
	if (name)
		printf("%-*s ", width, name);
	else
		printf("%*lu ", width, (unsigned long)id);
}

/* "Mon dd HH:MM" within six months before now, "Mon dd  YYYY" otherwise (GNU's default). */
static void print_time(const struct linux_statx_timestamp *t)
{
	struct tm tm;
	int64_t sec = t->tv_sec;
	long nsec = (long)t->tv_nsec;
	int64_t half_year_ago;
	int recent;

	/* A time in the future is compared with a fresh "now", as GNU does. */
	if (sec > now.tv_sec || (sec == now.tv_sec && nsec > now.tv_nsec))
		clock_gettime(CLOCK_REALTIME, &now);
	half_year_ago = (int64_t)now.tv_sec - 31556952 / 2;
	recent = (sec > half_year_ago || (sec == half_year_ago && nsec > now.tv_nsec)) &&
		 (sec < now.tv_sec || (sec == now.tv_sec && nsec <= now.tv_nsec));
	utc_time(sec, &tm);
	if (recent)
		printf("%s %2d %02d:%02d ", month_name(tm.tm_mon), tm.tm_mday, tm.tm_hour,
		       tm.tm_min);
	else
		printf("%s %2d  %d ", month_name(tm.tm_mon), tm.tm_mday, tm.tm_year + 1900);
}

static void print_long(const struct entry *e, const struct widths *w)
{
	char mode[11];

	if (!e->stat_ok) {
		printf("l????????? ? ? ? ? ? %s\n", e->name);
		return;
	}
	mode_string(e->sx.stx_mode, mode);
	printf("%s %*lu ", mode, w->links, (unsigned long)e->sx.stx_nlink);
	print_id(user_name(e->sx.stx_uid), e->sx.stx_uid, w->owner);
	print_id(group_name(e->sx.stx_gid), e->sx.stx_gid, w->group);
	if (is_device(e)) {
		int blanks = w->size - (w->major + 2 + w->minor);

		printf("%*lu, %*lu ", w->major + (blanks > 0 ? blanks : 0),
		       (unsigned long)e->sx.stx_rdev_major, w->minor,
		       (unsigned long)e->sx.stx_rdev_minor);
	} else {
		printf("%*llu ", w->size, (unsigned long long)e->sx.stx_size);
	}
	print_time(&e->sx.stx_mtime);
	fputs(e->name, stdout);
	if (e->link != NULL)
		printf(" -> %s", e->link);
	putchar('\n');
}

/* The width to fill: COLUMNS, else the terminal's, else 80. */
static size_t line_width(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;

	if (env != NULL && *env != '\0') {
		char *end;
		unsigned long n = strtoul(env, &end, 10);

		if (*end == '\0' && n > 0)
			return n;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Spaces and tabs (8 wide) from column `from` to `to`, as GNU's indent(). */
static void indent(size_t from, size_t to)
{
	while (from < to) {
		if (to / 8 > (from + 1) / 8) {
			putchar('\t');
			from += 8 - from % 8;
		} else {
			putchar(' ');
			from++;
		}
	}
}

/* Names in columns, filled down then across, as many columns as fit (GNU's algorithm). */
static void print_columns(const struct list *list)
{
	size_t n = list->count;
	size_t width = line_width();
	size_t max_cols = width / 3 ? width / 3 : 1;
	size_t cols;
	size_t *col_width;
	size_t *line_len;
	int *valid;

	if (n == 0)
		return;
	if (max_cols > n)
		max_cols = n;
	col_width = calloc(max_cols * (max_cols + 1) / 2, sizeof(size_t));
	line_len = calloc(max_cols, sizeof(size_t));
	valid = calloc(max_cols, sizeof(int));
	if (col_width == NULL || line_len == NULL || valid == NULL)
		die_oom();
	/* Layout i (i + 1 columns) keeps its widths at col_width[i * (i + 1) / 2 ...]. */
	for (size_t i = 0; i < max_cols; i++) {
		valid[i] = 1;
		line_len[i] = (i + 1) * 3;
		for (size_t j = 0; j <= i; j++)
			col_width[i * (i + 1) / 2 + j] = 3;
	}
	for (size_t f = 0; f < n; f++) {
		size_t len = strlen(list->items[f].name);

		for (size_t i = 0; i < max_cols; i++) {
			size_t idx, real;
			size_t *cw;

			if (!valid[i])
				continue;
			idx = f / ((n + i) / (i + 1));
			real = len + (idx == i ? 0 : 2);
			cw = &col_width[i * (i + 1) / 2 + idx];
			if (*cw < real) {
				line_len[i] += real - *cw;
				*cw = real;
				valid[i] = line_len[i] < width;
			}
		}
	}
	for (cols = max_cols; cols > 1; cols--)
		if (valid[cols - 1])
			break;
	{
		size_t rows = n / cols + (n % cols != 0);
		size_t *cw = &col_width[(cols - 1) * cols / 2];

		for (size_t row = 0; row < rows; row++) {
			size_t pos = 0;
			size_t f = row;

			for (size_t col = 0;; col++) {
				const char *name = list->items[f].name;

				fputs(name, stdout);
				f += rows;
				if (f >= n)
					break;
				indent(pos + strlen(name), pos + cw[col]);
				pos += cw[col];
			}
			putchar('\n');
		}
	}
	free(col_width);
	free(line_len);
	free(valid);
}

static void print_list(const struct list *list)
{
	if (long_format) {
		struct widths w;

		measure(list, &w);
		for (size_t i = 0; i < list->count; i++)
			print_long(&list->items[i], &w);
	} else if (columns) {
		print_columns(list);
	} else {
		for (size_t i = 0; i < list->count; i++)
			printf("%s\n", list->items[i].name);
	}
}

static int shown(const char *name)
{
	if (name[0] != '.')
		return 1;
	if (show_all)
		return 1;
	if (almost_all)
		return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
	return 0;
}

static void list_dir(const char *path, int command_line)
{
	struct list list = { 0 };
	DIR *dir = opendir(path);
	struct dirent *d;
	int fd;

	if (dir == NULL) {
		warn("cannot open directory", path, errno, command_line);
		return;
	}
	fd = dirfd(dir);
	if (recursive || print_dir_name) {
		if (!first_dir)
			putchar('\n');
		first_dir = 0;
		printf("%s:\n", path);
	}
	errno = 0;
	while ((d = readdir(dir)) != NULL) {
		struct entry *e;

		if (!shown(d->d_name)) {
			errno = 0;
			continue;
		}
		e = add(&list, d->d_name);
		if (file_statx(fd, d->d_name, 0, &e->sx) == 0) {
			e->stat_ok = 1;
			list.blocks += e->sx.stx_blocks;
			if (long_format && (e->sx.stx_mode & S_IFMT) == S_IFLNK)
				e->link = read_link(fd, d->d_name, e->sx.stx_size);
		} else {
			char *full = join(path, d->d_name, 1);

			warn("cannot access", full, errno, 0);
			free(full);
		}
		errno = 0;
	}
	if (errno != 0)
		warn("reading directory", path, errno, command_line);
	closedir(dir);
	qsort(list.items, list.count, sizeof(*list.items), by_name);
	if (long_format)
		printf("total %llu\n", (unsigned long long)((list.blocks + 1) / 2));
	print_list(&list);
	if (recursive) {
		for (size_t i = 0; i < list.count; i++) {
			struct entry *e = &list.items[i];
			char *sub;

			if (!is_dir(e) || strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0)
				continue;
			sub = join(path, e->name, 1);
			list_dir(sub, 0);
			free(sub);
		}
	}
	free_list(&list);
}

static void usage(char option)
{
	fprintf(stderr, "ls: invalid option -- '%c'\nusage: ls [-1aACdlR] [FILE]...\n", option);
	exit(2);
}

int main(int argc, char **argv)
{
	struct list args = { 0 };
	struct list files = { 0 };
	struct list dirs = { 0 };
	int one_per_line = 0;
	int operands;
	struct short_options s = SHORT_OPTIONS(argc, argv);
	int c, i;

	while ((c = next_option(&s)) != 0) {
		switch (c) {
		case 'l':
			long_format = 1;
			/* Otherwise the last of -l, -1 and -C wins. */
			columns = one_per_line = 0;
			break;
		case 'a':
			show_all = 1;
			almost_all = 0;
			break;
		case 'A':
			almost_all = !show_all;
			break;
		case 'R':
			recursive = 1;
			break;
		case 'd':
			dirs_as_files = 1;
			break;
		case '1':
			/* -1 does not undo -l, as in GNU ls. */
			if (!long_format) {
				one_per_line = 1;
				columns = 0;
			}
			break;
		case 'C':
			columns = 1;
			one_per_line = 0;
			long_format = 0;
			break;
		default:
			usage((char)c);
		}
	}
	i = s.index;
	operands = argc - i;
	if (!long_format && !one_per_line && !columns && isatty(STDOUT_FILENO))
		columns = 1;
	clock_gettime(CLOCK_REALTIME, &now);

	if (i == argc) {
		struct entry *e = add(&args, ".");

		e->stat_ok = file_statx(AT_FDCWD, ".", 1, &e->sx) == 0;
	}
	for (; i < argc; i++) {
		struct entry e = { 0 };
		int follow = !long_format && !dirs_as_files;

		e.name = argv[i];
		if (file_statx(AT_FDCWD, argv[i], follow, &e.sx) == 0) {
			/* Follow a symbolic link only to a directory; lstat otherwise. */
			if (follow && (e.sx.stx_mode & S_IFMT) != S_IFDIR &&
			    file_statx(AT_FDCWD, argv[i], 0, &e.sx) != 0) {
				warn("cannot access", argv[i], errno, 1);
				continue;
			}
		} else if (!follow || (errno != ENOENT && errno != ELOOP) ||
			   file_statx(AT_FDCWD, argv[i], 0, &e.sx) != 0) {
			warn("cannot access", argv[i], errno, 1);
			continue;
		}
		struct entry *kept = add(&args, argv[i]);

		kept->sx = e.sx;
		kept->stat_ok = 1;
		if (long_format && (e.sx.stx_mode & S_IFMT) == S_IFLNK)
			kept->link = read_link(AT_FDCWD, argv[i], e.sx.stx_size);
	}
	qsort(args.items, args.count, sizeof(*args.items), by_name);

	/* Files first (measured with the directories, as GNU does), then each directory. */
	{
		struct widths w;

		if (long_format)
			measure(&args, &w);
		for (size_t k = 0; k < args.count; k++) {
			struct entry *e = &args.items[k];
			struct entry *copy;

			if (is_dir(e) && !dirs_as_files) {
				add(&dirs, e->name);
				continue;
			}
			copy = add(&files, e->name);
			copy->sx = e->sx;
			copy->stat_ok = e->stat_ok;
			if (e->link != NULL)
				copy->link = copy_string(e->link);
		}
		if (long_format) {
			for (size_t k = 0; k < files.count; k++)
				print_long(&files.items[k], &w);
		} else {
			print_list(&files);
		}
	}
	if (files.count > 0 && dirs.count > 0)
		putchar('\n');
	else if (files.count == 0 && operands <= 1 && dirs.count == 1)
		print_dir_name = 0;
	for (size_t k = 0; k < dirs.count; k++)
		list_dir(dirs.items[k].name, 1);
	free_list(&args);
	free_list(&files);
	free_list(&dirs);
	if (fflush(stdout) != 0)
		status = 2;
	return status;
}
