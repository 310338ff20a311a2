/*
 * file_info.h: what ls and stat both print about a file, shared as static
 * inline functions: its attributes from statx (the kernel's full record:
 * picolibc's struct stat keeps only 16 bits of an inode number, a link count
 * or an id), the ten-character mode string GNU prints ("drwxr-xr-x"), user
 * and group names from /etc/passwd and /etc/group when those exist (the
 * numbers otherwise), and broken-down UTC times (denix has no time zones:
 * compare with GNU tools run with TZ=UTC).
 */
#ifndef FILE_INFO_H
#define FILE_INFO_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "linux_syscall.h"
#include "posix_ext.h"

/* statx of path (relative to dirfd), following a final symbolic link or not; -1 and errno. */
static inline int file_statx(int dirfd, const char *path, int follow, struct linux_statx *sx)
{
	return statx(dirfd, path, follow ? 0 : AT_SYMLINK_NOFOLLOW,
		     LINUX_STATX_BASIC_STATS | LINUX_STATX_BTIME, sx);
}

/* GNU's file type letter. */
static inline char file_type_letter(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return '-';
	case S_IFDIR:
		return 'd';
	case S_IFLNK:
		return 'l';
	case S_IFCHR:
		return 'c';
	case S_IFBLK:
		return 'b';
	case S_IFIFO:
		return 'p';
	case S_IFSOCK:
		return 's';
	default:
		return '?';
	}
}

/* "drwxr-xr-x" with set-user-ID, set-group-ID and sticky as s/S, s/S, t/T; buf holds 11. */
static inline void mode_string(unsigned mode, char *buf)
{
	static const char rwx[] = "rwxrwxrwx";

	buf[0] = file_type_letter(mode);
	for (int i = 0; i < 9; i++)
		buf[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & S_ISUID)
		buf[3] = (mode & S_IXUSR) ? 's' : 'S';
	if (mode & S_ISGID)
		buf[6] = (mode & S_IXGRP) ? 's' : 'S';
	if (mode & S_ISVTX)
		buf[9] = (mode & S_IXOTH) ? 't' : 'T';
	buf[10] = '\0';
}

/* One of /etc/passwd or /etc/group, read whole the first time a name is asked for. */
struct id_table {
	const char *path;
	int loaded;
	char *text;
};

static inline void id_table_load(struct id_table *table)
{
	FILE *file;
	size_t size = 0;
	size_t room = 0;
	size_t n;
	char chunk[1024];

	table->loaded = 1;
	file = fopen(table->path, "r");
	if (file == NULL)
		return;
	while ((n = fread(chunk, 1, sizeof(chunk), file)) > 0) {
		if (size + n + 1 > room) {
			char *bigger;

			room = (size + n + 1) * 2;
			bigger = realloc(table->text, room);
			if (bigger == NULL)
				break;
			table->text = bigger;
		}
		memcpy(table->text + size, chunk, n);
		size += n;
		table->text[size] = '\0';
	}
	fclose(file);
}

/*
 * The name of the first line whose third field is id ("name:x:id:..."),
 * copied into buf; NULL when the file or such a line is missing.
 */
static inline const char *id_name(struct id_table *table, uint32_t id, char *buf, size_t size)
{
	const char *line;

	if (!table->loaded)
		id_table_load(table);
	for (line = table->text; line != NULL && *line != '\0';) {
		const char *end = strchr(line, '\n');
		const char *colon1 = memchr(line, ':', end ? (size_t)(end - line) : strlen(line));
		const char *next = end ? end + 1 : NULL;

		if (colon1 != NULL) {
			const char *colon2 = strchr(colon1 + 1, ':');
			char *stop;

			if (colon2 != NULL && (end == NULL || colon2 < end)) {
				unsigned long value = strtoul(colon2 + 1, &stop, 10);

				if (stop != colon2 + 1 && *stop == ':' && value == id &&
				    (size_t)(colon1 - line) < size) {
					memcpy(buf, line, (size_t)(colon1 - line));
					buf[colon1 - line] = '\0';
					return buf;
				}
			}
		}
		line = next;
	}
	return NULL;
}

/* The user's name, or NULL. */
static inline const char *user_name(uint32_t uid)
{
	static struct id_table passwd_table = { "/etc/passwd", 0, NULL };
	static char buf[256];

	return id_name(&passwd_table, uid, buf, sizeof(buf));
}

/* The group's name, or NULL. */
static inline const char *group_name(uint32_t gid)
{
	static struct id_table group_table = { "/etc/group", 0, NULL };
	static char buf[256];

	return id_name(&group_table, gid, buf, sizeof(buf));
}

/* Seconds since the epoch as UTC fields (64-bit, any year). */
static inline void utc_time(int64_t seconds, struct tm *tm)
{
	time_t t = (time_t)seconds;

	gmtime_r(&t, tm);
}

/* "Jan".."Dec" (the C locale's abbreviations). */
static inline const char *month_name(int month)
{
	static const char names[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

	return names[month];
}

/* Linux's encoding of a device number (glibc's makedev). */
static inline uint64_t device_number(uint32_t major, uint32_t minor)
{
	return ((uint64_t)(major & 0xfffff000u) << 32) | ((uint64_t)(major & 0xfffu) << 8) |
	       ((uint64_t)(minor & 0xffffff00u) << 12) | (minor & 0xffu);
}

#endif
