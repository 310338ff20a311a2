/*
 * df.c: file system space, GNU coreutils' way: one row per mount of
 * /proc/mounts with statfs(2)'s figures — `Filesystem 1K-blocks Used
 * Available Use% Mounted on`, or with -h `Size Used Avail` in powers of
 * 1024 ("1.5G", rounded up), -k the default 1K blocks, -T a `Type` column.
 * As GNU df does, pseudo file systems (proc, sysfs, devpts, ...) and those
 * with no blocks are left out, and of the mounts of one device (st_dev)
 * only one is shown, unless -a asks for all. Columns are as wide as their
 * widest cell (the first at least 14, numbers at least 5), text to the left,
 * numbers to the right; Use% is used / (used + available), rounded up.
 * A mount that cannot be examined prints `df: DIR: reason` and makes the
 * status 1 — unless it is out of reach (EACCES, ENOENT): left out, or with
 * -a shown with "-" figures; no rows at all is `df: no file systems
 * processed`, status 1; a bad option prints a usage message, status 1.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "procps.h"

#define MAX_MOUNTS 64
#define COLUMNS 7

struct mount_entry {
	char source[256], dir[1024], type[64];
	int dummy;
	dev_t dev;
	int have_dev;
};

static struct mount_entry mounts[MAX_MOUNTS];
static int mount_count;
static int human, show_all, show_type;
static int status;

/* gnulib's ME_DUMMY: file systems with nothing on a disk. */
static int is_dummy(const char *type)
{
	static const char *const dummies[] = { "autofs",  "proc",	  "subfs",  "debugfs",
					       "devpts",  "fusectl",	  "mqueue", "rpc_pipefs",
					       "sysfs",   "devfs",	  "kernfs", "ignore",
					       "none",	  "fuse.portal" };
	for (size_t i = 0; i < sizeof(dummies) / sizeof(dummies[0]); i++)
		if (strcmp(type, dummies[i]) == 0)
			return 1;
	return 0;
}

/* gnulib's human_readable with -h's options: autoscaled by 1024, rounded up, "4.0K". */
static void human_size(char *buf, size_t size, uint64_t bytes)
{
	static const char suffixes[] = "KMGTPEZY";
	uint64_t amount = bytes;
	unsigned tenths = 0, rounding = 0; /* rounding: 0 exact, 1 < half, 2 half, 3 > half */
	int exponent = -1;

	if (amount < 1024) {
		snprintf(buf, size, "%llu", (unsigned long long)amount);
		return;
	}
	while (amount >= 1024 && exponent < 7) {
		unsigned r10 = (unsigned)(amount % 1024) * 10 + tenths;
		unsigned r2 = (r10 % 1024) * 2 + (rounding >> 1);
		amount /= 1024;
		tenths = r10 / 1024;
		rounding = r2 < 1024 ? (r2 != 0) : 2 + (1024 < r2);
		exponent++;
	}
	if (amount < 10) {
		if (rounding) { /* round up */
			tenths++;
			rounding = 0;
			if (tenths == 10) {
				amount++;
				tenths = 0;
			}
		}
		if (amount < 10) {
			snprintf(buf, size, "%llu.%u%c", (unsigned long long)amount, tenths,
				 suffixes[exponent]);
			return;
		}
	}
	if (tenths || rounding) {
		amount++;
		if (amount == 1024 && exponent < 7) {
			exponent++;
			snprintf(buf, size, "1.0%c", suffixes[exponent]);
			return;
		}
	}
	snprintf(buf, size, "%llu%c", (unsigned long long)amount, suffixes[exponent]);
}

static void read_mounts(void)
{
	char *text = read_whole("/proc/mounts", NULL);
	if (text == NULL) {
		fprintf(stderr, "df: /proc/mounts: %s\n", strerror(errno));
		exit(1);
	}
	for (char *line = strtok(text, "\n"); line && mount_count < MAX_MOUNTS;
	     line = strtok(NULL, "\n")) {
		struct mount_entry *m = &mounts[mount_count];
		if (sscanf(line, "%255s %1023s %63s", m->source, m->dir, m->type) != 3)
			continue;
		m->dummy = is_dummy(m->type);
		mount_count++;
	}
	free(text);
}

/* GNU df's filter_mount_list: of the mounts of one device, keep the one it prefers. */
static void filter_duplicates(int *keep)
{
	for (int i = 0; i < mount_count; i++) {
		struct mount_entry *m = &mounts[i];
		struct stat st;
		keep[i] = 1;
		if ((m->dummy && !show_all) || stat(m->dir, &st) < 0)
			continue;
		m->dev = st.st_dev;
		m->have_dev = 1;
		for (int j = 0; j < i; j++) {
			struct mount_entry *seen = &mounts[j];
			if (!keep[j] || !seen->have_dev || seen->dev != m->dev)
				continue;
			int replace = (strchr(m->source, '/') && !strchr(seen->source, '/')) ||
				      strlen(seen->dir) > strlen(m->dir) ||
				      (strcmp(seen->source, m->source) != 0 &&
				       strcmp(seen->dir, m->dir) == 0);
			if (replace)
				keep[j] = 0; /* m takes its place */
			else
				keep[i] = 0;
			break;
		}
	}
}

static char *cells[MAX_MOUNTS + 1][COLUMNS];
static int rows;

/* With -a, a mount that cannot be examined: "-" for its type and figures, as GNU df shows it. */
static void add_unknown_row(const struct mount_entry *m)
{
	int c = 0;

	cells[rows][c++] = strdup(m->source);
	if (show_type)
		cells[rows][c++] = strdup("-");
	for (int i = 0; i < 4; i++)
		cells[rows][c++] = strdup("-");
	cells[rows][c++] = strdup(m->dir);
	rows++;
}

static void add_row(const struct mount_entry *m, const struct statfs *fs)
{
	char buf[COLUMNS][64];
	uint64_t unit = fs->f_frsize ? fs->f_frsize : fs->f_bsize;
	uint64_t total = fs->f_blocks * unit, avail = fs->f_bavail * unit,
		 used = (fs->f_blocks - fs->f_bfree) * unit;
	int c = 0;

	cells[rows][c++] = strdup(m->source);
	if (show_type)
		cells[rows][c++] = strdup(m->type);
	uint64_t values[3] = { total, used, avail };
	for (int i = 0; i < 3; i++) {
		if (human)
			human_size(buf[i], sizeof(buf[i]), values[i]);
		else /* 1K blocks, rounded up */
			snprintf(buf[i], sizeof(buf[i]), "%llu",
				 (unsigned long long)((values[i] + 1023) / 1024));
		cells[rows][c++] = strdup(buf[i]);
	}
	uint64_t u = fs->f_blocks - fs->f_bfree, nonroot = u + fs->f_bavail;
	if (nonroot == 0)
		snprintf(buf[3], sizeof(buf[3]), "-");
	else
		snprintf(buf[3], sizeof(buf[3]), "%llu%%",
			 (unsigned long long)(u * 100 / nonroot + (u * 100 % nonroot != 0)));
	cells[rows][c++] = strdup(buf[3]);
	cells[rows][c++] = strdup(m->dir);
	rows++;
}

static int usage(void)
{
	fprintf(stderr, "Usage: df [OPTION]...\n"
			"  -a, --all             include pseudo, duplicate, inaccessible file "
			"systems\n"
			"  -h, --human-readable  print sizes in powers of 1024 (e.g., 1023M)\n"
			"  -k                    like --block-size=1K\n"
			"  -T, --print-type      print file system type\n");
	return 1;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--all") == 0)
			show_all = 1;
		else if (strcmp(a, "--human-readable") == 0)
			human = 1;
		else if (strcmp(a, "--print-type") == 0)
			show_type = 1;
		else if (a[0] == '-' && a[1] != '-' && a[1] != '\0') {
			for (const char *c = a + 1; *c; c++) {
				if (*c == 'a')
					show_all = 1;
				else if (*c == 'h')
					human = 1;
				else if (*c == 'k')
					human = 0;
				else if (*c == 'T')
					show_type = 1;
				else {
					fprintf(stderr, "df: invalid option -- '%c'\n", *c);
					return usage();
				}
			}
		} else {
			return usage();
		}
	}

	read_mounts();
	int keep[MAX_MOUNTS];
	if (show_all)
		for (int i = 0; i < mount_count; i++)
			keep[i] = 1;
	else
		filter_duplicates(keep);

	int ncols = show_type ? 7 : 6;
	static const char *const header[] = { "Filesystem", "Type", NULL, "Used", NULL, "Use%",
					       "Mounted on" };
	static const int min_width[] = { 14, 4, 5, 5, 5, 4, 0 };
	int column_of[COLUMNS]; /* header/min_width index of each shown column */
	for (int c = 0, k = 0; k < COLUMNS; k++)
		if (k != 1 || show_type)
			column_of[c++] = k;
	for (int c = 0; c < ncols; c++) {
		int k = column_of[c];
		const char *h = header[k];
		if (k == 2)
			h = human ? "Size" : "1K-blocks";
		if (k == 4)
			h = human ? "Avail" : "Available";
		cells[0][c] = strdup(h);
	}
	rows = 1;

	for (int i = 0; i < mount_count; i++) {
		struct mount_entry *m = &mounts[i];
		struct statfs fs;
		if (!keep[i] || (m->dummy && !show_all))
			continue;
		if (statfs(m->dir, &fs) < 0) {
			if (errno == EACCES || errno == ENOENT) {
				if (show_all)
					add_unknown_row(m);
				continue;
			}
			fprintf(stderr, "df: %s: %s\n", m->dir, strerror(errno));
			status = 1;
			continue;
		}
		if (fs.f_blocks == 0 && !show_all)
			continue;
		add_row(m, &fs);
	}

	if (rows == 1) {
		if (status == 0)
			fprintf(stderr, "df: no file systems processed\n");
		return 1;
	}

	int width[COLUMNS];
	for (int c = 0; c < ncols; c++) {
		width[c] = min_width[column_of[c]];
		for (int r = 0; r < rows; r++) {
			int w = (int)strlen(cells[r][c]);
			if (w > width[c])
				width[c] = w;
		}
	}
	for (int r = 0; r < rows; r++) {
		for (int c = 0; c < ncols; c++) {
			int k = column_of[c];
			int right = k >= 2 && k <= 5;
			if (c)
				putchar(' ');
			if (right)
				printf("%*s", width[c], cells[r][c]);
			else if (c + 1 < ncols)
				printf("%-*s", width[c], cells[r][c]);
			else
				printf("%s", cells[r][c]);
		}
		putchar('\n');
	}
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}
