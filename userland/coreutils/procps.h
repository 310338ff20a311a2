/*
 * procps.h: what ps, top, free, uptime and kill share, as static inline
 * functions: reading a whole /proc file (their size is 0: read until the end),
 * the process list (/proc's numeric names), one process's /proc/PID/stat,
 * status (its uid) and cmdline, /proc/meminfo keys, /proc/uptime,
 * /proc/loadavg and /proc/stat's btime, user names from /etc/passwd (the
 * number without one), procps's uptime line and its time formats. Times in
 * /proc are in USER_HZ ticks (100 per second); the time of day is UTC
 * (denix has no time zones).
 */
#ifndef PROCPS_H
#define PROCPS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Ticks per second of the times in /proc/stat and /proc/PID/stat. */
#define USER_HZ 100
/* Bytes per page (/proc/PID/stat's rss is in pages). */
#define PROC_PAGE_SIZE 4096

/* The whole of a file, NUL-terminated, in a malloc'd buffer; NULL and errno on failure. */
static inline char *read_whole(const char *path, size_t *length)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	size_t size = 0, room = 4096;
	char *buf = malloc(room);
	for (;;) {
		if (buf == NULL) {
			close(fd);
			errno = ENOMEM;
			return NULL;
		}
		if (size + 1 >= room) {
			room *= 2;
			char *bigger = realloc(buf, room);
			if (bigger == NULL)
				free(buf);
			buf = bigger;
			continue;
		}
		ssize_t n = read(fd, buf + size, room - size - 1);
		if (n < 0) {
			int saved = errno;
			free(buf);
			close(fd);
			errno = saved;
			return NULL;
		}
		if (n == 0)
			break;
		size += (size_t)n;
	}
	close(fd);
	buf[size] = '\0';
	if (length)
		*length = size;
	return buf;
}

/* What ps and top show of a process. */
struct proc_info {
	int pid;
	char comm[64];
	char state;
	int ppid, pgrp, session, tty_nr, tpgid;
	unsigned long long utime, stime; /* USER_HZ ticks */
	long priority, nice, threads;
	unsigned long long starttime; /* USER_HZ ticks after boot */
	unsigned long long vsize;     /* bytes */
	long long rss;		      /* pages */
	int uid;
	char *cmdline; /* argv joined by spaces, "" for none (malloc'd), or NULL if not asked */
};

/* The next space-separated number of a /proc/PID/stat line. */
static inline long long stat_field(char **at)
{
	char *end;
	long long v = strtoll(*at, &end, 10);
	*at = end;
	return v;
}

/* argv of process pid joined by spaces (malloc'd; "" when it has none), NULL on failure; a
 * control character inside an argument shows as '?', as procps shows it, so one process is
 * one line. */
static inline char *proc_cmdline(int pid)
{
	char path[32];
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	char *text = read_whole(path, &n);
	if (text == NULL)
		return NULL;
	while (n > 0 && text[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (text[i] == '\0')
			text[i] = ' ';
		else if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			text[i] = '?';
	text[n] = '\0';
	return text;
}

/* Reads process pid's stat (and status's uid, and its cmdline if asked): 0, or -1 and errno. */
static inline int proc_read(int pid, struct proc_info *p, int want_cmdline)
{
	char path[32];

	memset(p, 0, sizeof(*p));
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	char *text = read_whole(path, NULL);
	if (text == NULL)
		return -1;
	char *open_paren = strchr(text, '(');
	char *close_paren = strrchr(text, ')');
	if (open_paren == NULL || close_paren == NULL || close_paren < open_paren) {
		free(text);
		errno = EINVAL;
		return -1;
	}
	p->pid = (int)strtol(text, NULL, 10);
	size_t len = (size_t)(close_paren - open_paren - 1);
	if (len >= sizeof(p->comm))
		len = sizeof(p->comm) - 1;
	memcpy(p->comm, open_paren + 1, len);
	p->comm[len] = '\0';
	char *at = close_paren + 1;
	while (*at == ' ')
		at++;
	p->state = *at ? *at++ : '?';
	p->ppid = (int)stat_field(&at);
	p->pgrp = (int)stat_field(&at);
	p->session = (int)stat_field(&at);
	p->tty_nr = (int)stat_field(&at);
	p->tpgid = (int)stat_field(&at);
	for (int i = 0; i < 5; i++) /* flags, minflt, cminflt, majflt, cmajflt */
		stat_field(&at);
	p->utime = (unsigned long long)stat_field(&at);
	p->stime = (unsigned long long)stat_field(&at);
	stat_field(&at); /* cutime */
	stat_field(&at); /* cstime */
	p->priority = (long)stat_field(&at);
	p->nice = (long)stat_field(&at);
	p->threads = (long)stat_field(&at);
	stat_field(&at); /* itrealvalue */
	p->starttime = (unsigned long long)stat_field(&at);
	p->vsize = (unsigned long long)stat_field(&at);
	p->rss = stat_field(&at);
	free(text);

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	text = read_whole(path, NULL);
	if (text != NULL) {
		char *uid = strstr(text, "\nUid:");
		if (uid != NULL)
			p->uid = (int)strtol(uid + 5, NULL, 10);
		free(text);
	}
	if (want_cmdline) {
		p->cmdline = proc_cmdline(pid);
		if (p->cmdline == NULL)
			p->cmdline = calloc(1, 1);
	}
	return 0;
}

static inline int compare_ints(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The pids /proc lists, ascending, in *pids (malloc'd); their count, or -1 and errno. */
static inline int proc_pids(int **pids)
{
	DIR *dir = opendir("/proc");
	if (dir == NULL)
		return -1;
	int count = 0, room = 64;
	int *out = malloc(sizeof(int) * (size_t)room);
	struct dirent *entry;
	while (out != NULL && (entry = readdir(dir)) != NULL) {
		char *end;
		long pid = strtol(entry->d_name, &end, 10);
		if (*end != '\0' || pid <= 0 || entry->d_name[0] == '\0')
			continue;
		if (count == room) {
			room *= 2;
			int *bigger = realloc(out, sizeof(int) * (size_t)room);
			if (bigger == NULL)
				free(out);
			out = bigger;
			if (out == NULL)
				break;
		}
		out[count++] = (int)pid;
	}
	closedir(dir);
	if (out == NULL) {
		errno = ENOMEM;
		return -1;
	}
	qsort(out, (size_t)count, sizeof(int), compare_ints);
	*pids = out;
	return count;
}

/* The value of `key` (e.g. "MemTotal") in /proc/meminfo's text, in kB; -1 if missing. */
static inline long long meminfo_kb(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *line = text; line != NULL && *line;) {
		if (strncmp(line, key, n) == 0 && line[n] == ':')
			return strtoll(line + n + 1, NULL, 10);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

/* Seconds since boot, from /proc/uptime; -1 and errno on failure. */
static inline double read_uptime(void)
{
	char *text = read_whole("/proc/uptime", NULL);
	if (text == NULL)
		return -1;
	double up = strtod(text, NULL);
	free(text);
	return up;
}

/* The 1, 5 and 15 minute load averages from /proc/loadavg: 0, or -1 and errno. */
static inline int read_loadavg(double av[3])
{
	char *text = read_whole("/proc/loadavg", NULL);
	if (text == NULL)
		return -1;
	char *at = text;
	for (int i = 0; i < 3; i++)
		av[i] = strtod(at, &at);
	free(text);
	return 0;
}

/* /proc/stat's btime: when the system started, in seconds since the epoch (0 if unknown). */
static inline long long read_btime(void)
{
	char *text = read_whole("/proc/stat", NULL);
	if (text == NULL)
		return 0;
	char *line = strstr(text, "\nbtime ");
	long long btime = line ? strtoll(line + 7, NULL, 10) : 0;
	free(text);
	return btime;
}

/* The name of user `uid` from /etc/passwd, or its number, into buf. */
static inline const char *user_name(int uid, char *buf, size_t size)
{
	static char *passwd;
	static int loaded;

	if (!loaded) {
		passwd = read_whole("/etc/passwd", NULL);
		loaded = 1;
	}
	for (char *line = passwd; line != NULL && *line;) {
		char *colon1 = strchr(line, ':');
		char *colon2 = colon1 ? strchr(colon1 + 1, ':') : NULL;
		char *eol = strchr(line, '\n');
		int in_line = colon2 != NULL && (eol == NULL || colon2 < eol);
		if (in_line && colon2[1] >= '0' && colon2[1] <= '9' &&
		    strtol(colon2 + 1, NULL, 10) == uid) {
			size_t n = (size_t)(colon1 - line);
			if (n >= size)
				n = size - 1;
			memcpy(buf, line, n);
			buf[n] = '\0';
			return buf;
		}
		line = eol ? eol + 1 : NULL;
	}
	snprintf(buf, size, "%d", uid);
	return buf;
}

/*
 * procps's uptime line: " HH:MM:SS up [D days, ]{HH:MM|M min},  U users,  load average:
 * a, b, c" (no users are logged in on denix: 0).
 */
static inline void format_uptime(char *buf, size_t size, double up, const double av[3])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	int pos = snprintf(buf, size, " %02d:%02d:%02d up ", tm.tm_hour, tm.tm_min, tm.tm_sec);
	int days = 0, hours = 0, minutes = 0;
	int comma = 0;

	if (up > 60 * 60 * 24) {
		days = (int)up / (60 * 60 * 24);
		up -= days * 60 * 60 * 24;
	}
	if (up > 60 * 60) {
		hours = (int)up / (60 * 60);
		up -= hours * 60 * 60;
	}
	if (up > 60) {
		minutes = (int)up / 60;
		up -= minutes * 60;
	}
	if (days) {
		pos += snprintf(buf + pos, size - (size_t)pos, "%d %s", days,
				days != 1 ? "days" : "day");
		comma = 1;
	}
	if (hours)
		pos += snprintf(buf + pos, size - (size_t)pos, "%s%2d:%02d", comma ? ", " : "",
				hours, minutes);
	else
		pos += snprintf(buf + pos, size - (size_t)pos, "%s%d min", comma ? ", " : "",
				minutes);
	snprintf(buf + pos, size - (size_t)pos, ", %2d users,  load average: %.2f, %.2f, %.2f", 0,
		 av[0], av[1], av[2]);
}

/* ps's TIME: [DD-]HH:MM:SS of `seconds`. */
static inline void format_hms(char *buf, size_t size, unsigned long long seconds)
{
	unsigned long long days = seconds / 86400;
	unsigned hours = (unsigned)(seconds / 3600 % 24), minutes = (unsigned)(seconds / 60 % 60),
		 secs = (unsigned)(seconds % 60);
	if (days)
		snprintf(buf, size, "%llu-%02u:%02u:%02u", days, hours, minutes, secs);
	else
		snprintf(buf, size, "%02u:%02u:%02u", hours, minutes, secs);
}

/* ps's STIME and START: HH:MM within a day, MmmDD within a year, else the year. */
static inline void format_start(char *buf, size_t size, time_t start, time_t now)
{
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	gmtime_r(&start, &tm);
	if (now - start < 24 * 60 * 60)
		snprintf(buf, size, "%02d:%02d", tm.tm_hour, tm.tm_min);
	else if (now - start < 365 * 24 * 60 * 60)
		snprintf(buf, size, "%s%02d", months[tm.tm_mon % 12], tm.tm_mday);
	else
		snprintf(buf, size, "%5d", tm.tm_year + 1900);
}

#endif
