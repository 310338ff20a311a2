/*
 * ps.c: a snapshot of the processes, from /proc, in procps-ng's formats.
 * Selection: every process, always (`ps`, `ps -e`/`-A`, `ps aux` alike):
 * every denix process runs as root and the kernel does not record
 * controlling terminals, so procps's default (the caller's user and
 * terminal) could not be told from "all". Formats:
 *   ps, ps -e      PID TTY TIME CMD (CMD: the program's name)
 *   ps -f, ps -ef  UID PID PPID C STIME TTY TIME CMD (CMD: the command line)
 *   ps aux, ps u   USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND
 * TTY is "?" (no terminal known), TIME the CPU time ([DD-]HH:MM:SS; M:SS
 * for BSD's), C and %CPU the CPU time over the time since the process
 * started, %MEM its resident memory over MemTotal, STAT the state letter
 * with procps's flags (< high priority, N low, s session leader, l
 * threaded), STIME/START when it started (HH:MM today, MmmDD this year).
 * Processes are listed by pid. A command line with no arguments (a kernel
 * thread on Linux) shows as [NAME]. An unknown option prints a usage
 * message, exit 1; an unreadable /proc `ps: /proc: reason`, exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "procps.h"

enum format { DEFAULT, FULL, USER };

static int usage(void)
{
	fprintf(stderr, "\nUsage:\n ps [options]\n\n"
			" -e, -A    all processes (the default here)\n"
			" -f        full-format listing\n"
			" aux, u    user-oriented (BSD) listing\n");
	return 1;
}

/* procps's pcpu: CPU ticks per elapsed second since start, in tenths of a percent. */
static unsigned long long permille_cpu(const struct proc_info *p, double uptime)
{
	double seconds = uptime - (double)p->starttime / USER_HZ;
	if (seconds <= 0)
		return 0;
	return (unsigned long long)((double)(p->utime + p->stime) * 1000 / USER_HZ / seconds);
}

int main(int argc, char **argv)
{
	enum format format = DEFAULT;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] == '-') {
			if (a[1] == '\0')
				return usage();
			for (const char *c = a + 1; *c; c++) {
				if (*c == 'f')
					format = FULL;
				else if (*c != 'e' && *c != 'A') {
					fprintf(stderr, "error: unsupported option -%c\n", *c);
					return usage();
				}
			}
		} else {
			for (const char *c = a; *c; c++) {
				if (*c == 'u')
					format = USER;
				else if (*c != 'a' && *c != 'x') {
					fprintf(stderr, "error: unsupported BSD option %c\n", *c);
					return usage();
				}
			}
		}
	}

	int *pids;
	int count = proc_pids(&pids);
	if (count < 0) {
		fprintf(stderr, "ps: /proc: %s\n", strerror(errno));
		return 1;
	}
	double uptime = read_uptime();
	long long btime = read_btime();
	time_t now = time(NULL);
	long long mem_total = 0;
	if (format == USER) {
		char *meminfo = read_whole("/proc/meminfo", NULL);
		if (meminfo) {
			mem_total = meminfo_kb(meminfo, "MemTotal");
			free(meminfo);
		}
	}

	if (format == DEFAULT)
		printf("  PID TTY          TIME CMD\n");
	else if (format == FULL)
		printf("UID        PID  PPID  C STIME TTY          TIME CMD\n");
	else
		printf("USER       PID %%CPU %%MEM    VSZ   RSS TTY      STAT START   TIME "
		       "COMMAND\n");

	for (int i = 0; i < count; i++) {
		struct proc_info p;
		char cpu[32], start[16], user[64];

		if (proc_read(pids[i], &p, format != DEFAULT) < 0)
			continue; /* it has gone */
		unsigned long long seconds = (p.utime + p.stime) / USER_HZ;
		const char *tty = "?";
		time_t started = (time_t)(btime + (long long)p.starttime / USER_HZ);
		format_start(start, sizeof(start), started, now);
		const char *command = p.cmdline;
		char bracketed[80];
		if (command != NULL && command[0] == '\0') {
			snprintf(bracketed, sizeof(bracketed), "[%s]", p.comm);
			command = bracketed;
		}
		switch (format) {
		case DEFAULT:
			format_hms(cpu, sizeof(cpu), seconds);
			printf("%5d %-8s %8s %s\n", p.pid, tty, cpu, p.comm);
			break;
		case FULL: {
			unsigned long long c = permille_cpu(&p, uptime) / 10;
			format_hms(cpu, sizeof(cpu), seconds);
			printf("%-8s %5d %5d %2llu %-5s %-8s %8s %s\n",
			       user_name(p.uid, user, sizeof(user)), p.pid, p.ppid, c > 99 ? 99 : c,
			       start, tty, cpu, command);
			break;
		}
		case USER: {
			unsigned long long pcpu = permille_cpu(&p, uptime);
			if (pcpu > 999)
				pcpu = 999;
			unsigned long long rss_kb = (unsigned long long)p.rss * 4; /* 4 KiB pages */
			unsigned long long pmem = 0;
			if (mem_total > 0)
				pmem = rss_kb * 1000 / (unsigned long long)mem_total;
			char stat[8], *s = stat;
			*s++ = p.state;
			if (p.nice < 0)
				*s++ = '<';
			else if (p.nice > 0)
				*s++ = 'N';
			if (p.session == p.pid)
				*s++ = 's';
			if (p.threads > 1)
				*s++ = 'l';
			if (p.tpgid > 0 && p.tpgid == p.pgrp)
				*s++ = '+';
			*s = '\0';
			snprintf(cpu, sizeof(cpu), "%llu:%02llu", seconds / 60, seconds % 60);
			printf("%-8s %5d %2llu.%llu %2llu.%llu %6llu %5llu %-8s %-4s %5s %6s %s\n",
			       user_name(p.uid, user, sizeof(user)), p.pid, pcpu / 10, pcpu % 10,
			       pmem / 10, pmem % 10, p.vsize / 1024, rss_kb, tty, stat, start, cpu,
			       command);
			break;
		}
		}
		free(p.cmdline);
	}
	free(pids);
	return fflush(stdout) == 0 ? 0 : 1;
}
