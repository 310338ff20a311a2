/*
 * top.c: the processes and the system, refreshed every second (-d SECONDS
 * for another delay), in procps-ng's layout:
 *   top - HH:MM:SS up ...,  0 users,  load average: a, b, c
 *   Tasks: total, running, sleeping, stopped, zombie
 *   %CpuN  : us sy ni id wa hi si st   (one line per hart, from /proc/stat)
 *   MiB Mem : total, free, used, buff/cache
 *   MiB Swap: total, free, used, avail Mem
 * then a row per process, busiest first (ties by pid): PID USER PR NI VIRT
 * RES SHR S %CPU %MEM TIME+ COMMAND. Percentages are over the time since the
 * previous frame; the first frame's over the time since boot (harts) and
 * since each process started. SHR is 0: the kernel does not report shared
 * pages. `-b` is batch mode (no terminal handling, frames one after
 * another, a blank line between them, COMMAND cut to fit 80 columns);
 * `-n N` stops after N frames. Interactively the terminal goes into raw
 * mode (termios, restored on exit, also on SIGTERM/SIGHUP), each frame
 * repaints the screen, as many rows as the window has, and `q` (or ^C)
 * quits. Bad options print a usage message, exit 1; stdin not a terminal
 * without -b prints `top: failed tty get`, exit 1.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "posix_ext.h"
#include "procps.h"

#define MAX_HARTS 64
#define CPU_FIELDS 8 /* user nice system idle iowait irq softirq steal */

struct task {
	struct proc_info info;
	double pcpu;
};

/* What the previous frame saw: each hart's ticks, each process's CPU ticks. */
static unsigned long long prev_cpu[MAX_HARTS][CPU_FIELDS];
static int prev_pids[4096];
static unsigned long long prev_ticks[4096];
static int prev_count;
static double prev_uptime = -1;

static struct termios saved;
static int raw_mode;

static void restore_terminal(void)
{
	if (raw_mode) {
		tcsetattr(0, TCSAFLUSH, &saved);
		raw_mode = 0;
		fputs("\n", stdout);
		fflush(stdout);
	}
}

static void on_signal(int sig)
{
	(void)sig;
	restore_terminal();
	_exit(0);
}

static int usage(void)
{
	fprintf(stderr, "Usage:\n top -b -n N -d SECONDS\n"
			"  -b  batch mode\n  -n  number of frames\n  -d  delay between frames\n");
	return 1;
}

/* Each hart's eight counters from /proc/stat into cpu[]; the number of harts. */
static int read_cpus(unsigned long long cpu[MAX_HARTS][CPU_FIELDS])
{
	char *text = read_whole("/proc/stat", NULL);
	int harts = 0;

	if (text == NULL)
		return -1;
	for (char *line = text; line && *line;) {
		if (strncmp(line, "cpu", 3) == 0 && line[3] >= '0' && line[3] <= '9') {
			char *at = line + 3;
			int h = (int)strtol(at, &at, 10);
			if (h < MAX_HARTS) {
				for (int f = 0; f < CPU_FIELDS; f++)
					cpu[h][f] = strtoull(at, &at, 10);
				if (h + 1 > harts)
					harts = h + 1;
			}
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	free(text);
	return harts;
}

/* A size in KiB in `width` columns, scaled to m/g/t (one decimal) when it does not fit. */
static const char *scaled(char *buf, size_t size, unsigned long long kb, int width)
{
	static const char units[] = "mgtp";

	if (snprintf(buf, size, "%llu", kb) <= width)
		return buf;
	double v = (double)kb;
	for (int i = 0; units[i]; i++) {
		v /= 1024;
		if (snprintf(buf, size, "%.1f%c", v, units[i]) <= width)
			return buf;
		if (snprintf(buf, size, "%llu%c", (unsigned long long)v, units[i]) <= width)
			return buf;
	}
	return buf;
}

static int by_cpu(const void *a, const void *b)
{
	const struct task *x = a, *y = b;
	if (x->pcpu != y->pcpu)
		return x->pcpu < y->pcpu ? 1 : -1;
	return (x->info.pid > y->info.pid) - (x->info.pid < y->info.pid);
}

/* A /proc/meminfo value in kB, 0 if it is missing. */
static long long meminfo_or_0(const char *meminfo, const char *key)
{
	long long v = meminfo_kb(meminfo, key);
	return v > 0 ? v : 0;
}

/* The CPU ticks process pid had at the previous frame, or -1 if it was not there. */
static long long previous_ticks(int pid)
{
	for (int i = 0; i < prev_count; i++)
		if (prev_pids[i] == pid)
			return (long long)prev_ticks[i];
	return -1;
}

/* One frame: the summary and the processes, in `rows` lines (0: no limit), cut to `cols`. */
static int frame(int rows, int cols, const char *eol)
{
	unsigned long long cpu[MAX_HARTS][CPU_FIELDS] = { { 0 } };
	int harts = read_cpus(cpu);
	double uptime = read_uptime();
	double av[3] = { 0, 0, 0 };
	char *meminfo = read_whole("/proc/meminfo", NULL);
	int *pids;
	int count = proc_pids(&pids);

	if (harts < 0 || uptime < 0 || meminfo == NULL || count < 0 || read_loadavg(av) < 0) {
		fprintf(stderr, "top: /proc: %s\n", strerror(errno));
		free(meminfo);
		return -1;
	}
	struct task *tasks = calloc((size_t)count + 1, sizeof(*tasks));
	int n = 0, running = 0, sleeping = 0, stopped = 0, zombie = 0;
	double elapsed = prev_uptime < 0 ? 0 : uptime - prev_uptime;
	for (int i = 0; i < count && tasks; i++) {
		struct task *t = &tasks[n];
		if (proc_read(pids[i], &t->info, 0) < 0)
			continue;
		unsigned long long ticks = t->info.utime + t->info.stime;
		long long before = previous_ticks(t->info.pid);
		if (prev_uptime >= 0 && before >= 0 && elapsed > 0) {
			double used = (double)(ticks - (unsigned long long)before);
			t->pcpu = used * 100 / USER_HZ / elapsed;
		} else { /* since it started */
			double lived = uptime - (double)t->info.starttime / USER_HZ;
			t->pcpu = lived > 0 ? (double)ticks * 100 / USER_HZ / lived : 0;
		}
		switch (t->info.state) {
		case 'R':
			running++;
			break;
		case 'T':
		case 't':
			stopped++;
			break;
		case 'Z':
			zombie++;
			break;
		default:
			sleeping++;
		}
		n++;
	}
	free(pids);

	char line[512];
	format_uptime(line, sizeof(line), uptime, av);
	printf("top -%s%s", line, eol);
	printf("Tasks:%4d total,%4d running,%4d sleeping,%4d stopped,%4d zombie%s", n, running,
	       sleeping, stopped, zombie, eol);
	for (int h = 0; h < harts; h++) {
		double delta[CPU_FIELDS], total = 0;
		for (int f = 0; f < CPU_FIELDS; f++) {
			delta[f] = (double)(cpu[h][f] - prev_cpu[h][f]);
			if (cpu[h][f] < prev_cpu[h][f])
				delta[f] = 0;
			total += delta[f];
		}
		if (total <= 0) { /* no time has passed: all idle, as procps shows it */
			total = 1;
			delta[3] = 1;
		}
		double pct[CPU_FIELDS];
		for (int f = 0; f < CPU_FIELDS; f++)
			pct[f] = delta[f] * 100 / total;
		/* us = user, sy = system, ni = nice, id = idle, wa, hi, si, st */
		printf("%%Cpu%-3d:%5.1f us,%5.1f sy,%5.1f ni,%5.1f id,%5.1f wa,%5.1f hi,%5.1f si,"
		       "%5.1f st%s",
		       h, pct[0], pct[2], pct[1], pct[3], pct[4], pct[5], pct[6], pct[7], eol);
		memcpy(prev_cpu[h], cpu[h], sizeof(cpu[h]));
	}
	long long mem_total = meminfo_or_0(meminfo, "MemTotal");
	long long mem_free = meminfo_or_0(meminfo, "MemFree");
	long long available = meminfo_kb(meminfo, "MemAvailable");
	if (available < 0 || available > mem_total)
		available = mem_free;
	long long cache = meminfo_or_0(meminfo, "Buffers") + meminfo_or_0(meminfo, "Cached") +
			  meminfo_or_0(meminfo, "SReclaimable");
	long long swap_total = meminfo_or_0(meminfo, "SwapTotal");
	long long swap_free = meminfo_or_0(meminfo, "SwapFree");
	free(meminfo);
	printf("MiB Mem :%9.1f total,%9.1f free,%9.1f used,%9.1f buff/cache%s", mem_total / 1024.0,
	       mem_free / 1024.0, (mem_total - available) / 1024.0, cache / 1024.0, eol);
	printf("MiB Swap:%9.1f total,%9.1f free,%9.1f used.%9.1f avail Mem%s", swap_total / 1024.0,
	       swap_free / 1024.0, (swap_total - swap_free) / 1024.0, available / 1024.0, eol);
	printf("%s", eol);
	printf("  PID USER      PR  NI    VIRT    RES    SHR S  %%CPU  %%MEM     TIME+ COMMAND%s",
	       eol);

	if (tasks)
		qsort(tasks, (size_t)n, sizeof(*tasks), by_cpu);
	prev_count = 0;
	for (int i = 0; i < n; i++) {
		struct proc_info *p = &tasks[i].info;
		if (prev_count < (int)(sizeof(prev_pids) / sizeof(prev_pids[0]))) {
			prev_pids[prev_count] = p->pid;
			prev_ticks[prev_count++] = p->utime + p->stime;
		}
		/* Above: 6 lines and one per hart (header included); below: one left empty. */
		if (rows > 0 && i >= rows - (6 + harts) - 1)
			continue;
		char user[64], virt[16], res[16], pr[16], time_plus[32];
		unsigned long long rss_kb = (unsigned long long)p->rss * (PROC_PAGE_SIZE / 1024);
		unsigned long long cs = p->utime + p->stime; /* hundredths of a second */
		double pmem = mem_total > 0 ? (double)rss_kb * 100 / (double)mem_total : 0;
		if (p->priority < -99)
			snprintf(pr, sizeof(pr), "rt");
		else
			snprintf(pr, sizeof(pr), "%ld", p->priority);
		snprintf(time_plus, sizeof(time_plus), "%llu:%02llu.%02llu", cs / 6000,
			 cs / 100 % 60, cs % 100);
		int used = snprintf(line, sizeof(line),
				    "%5d %-8.8s %3s %3ld %7s %6s %6s %c %5.1f %5.1f %9s ", p->pid,
				    user_name(p->uid, user, sizeof(user)), pr, p->nice,
				    scaled(virt, sizeof(virt), p->vsize / 1024, 7),
				    scaled(res, sizeof(res), rss_kb, 6), "0", p->state,
				    tasks[i].pcpu, pmem, time_plus);
		int room = cols - 1 - used; /* the last column stays empty, as procps leaves it */
		int len = (int)strlen(p->comm);
		if (room > 0 && len > room)
			printf("%s%.*s+%s", line, room - 1, p->comm, eol);
		else
			printf("%s%s%s", line, p->comm, eol);
	}
	free(tasks);
	prev_uptime = uptime;
	return fflush(stdout) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	int batch = 0;
	long frames = -1;
	double delay = 1.0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] == '\0')
			return usage();
		for (const char *c = a + 1; *c; c++) {
			if (*c == 'b') {
				batch = 1;
			} else if (*c == 'n' || *c == 'd') {
				const char *value = c[1] ? c + 1 : NULL;
				if (value == NULL && i + 1 < argc)
					value = argv[++i];
				char *end;
				if (value == NULL)
					return usage();
				double v = strtod(value, &end);
				if (*end || end == value || v < 0) {
					fprintf(stderr, "top: bad %s '%s'\n",
						*c == 'n' ? "iterations" : "delay", value);
					return usage();
				}
				if (*c == 'n')
					frames = (long)v;
				else
					delay = v;
				break;
			} else {
				fprintf(stderr, "top: unknown option '%c'\n", *c);
				return usage();
			}
		}
	}

	int rows = 0, cols = 80;
	const char *eol = "\n";
	if (!batch) {
		if (tcgetattr(0, &saved) < 0) {
			fprintf(stderr, "top: failed tty get\n");
			return 1;
		}
		struct winsize ws;
		if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) {
			rows = ws.ws_row;
			cols = ws.ws_col ? ws.ws_col : 80;
		} else {
			rows = 24;
		}
		struct termios raw = saved;
		cfmakeraw(&raw);
		raw.c_oflag |= OPOST | ONLCR; /* keep "\n" a new line */
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 1;
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
		if (tcsetattr(0, TCSANOW, &raw) < 0) { /* keys typed already still count */
			fprintf(stderr, "top: failed tty set: %s\n", strerror(errno));
			return 1;
		}
		raw_mode = 1;
		atexit(restore_terminal);
		eol = "\033[K\n"; /* clear the rest of each line as it is repainted */
	}

	for (long done = 0; frames < 0 || done < frames; done++) {
		if (done > 0 && batch)
			printf("\n");
		if (!batch)
			printf("\033[H");
		if (frame(rows, cols, eol) < 0)
			return 1;
		if (!batch) {
			printf("\033[J");
			fflush(stdout);
		}
		if (frames >= 0 && done + 1 >= frames)
			break;
		if (batch) {
			struct timespec ts = { (time_t)delay,
					       (long)((delay - (double)(time_t)delay) * 1e9) };
			nanosleep(&ts, NULL);
			continue;
		}
		/*
		 * Wait for a key for up to `delay`: each read times out after VTIME (a tenth of
		 * a second), so `delay` is so many reads — or less, if the clock says so (the
		 * in-line machine's clock stands still while the terminal waits).
		 */
		struct timespec start, now;
		clock_gettime(CLOCK_MONOTONIC, &start);
		for (long tenths = 0; tenths < (long)(delay * 10 + 0.5) || tenths == 0; tenths++) {
			char key;
			ssize_t got = read(0, &key, 1);
			if (got == 1 && (key == 'q' || key == 3 || key == 4))
				return 0;
			if (got < 0 && errno != EINTR && errno != EAGAIN)
				return 1;
			clock_gettime(CLOCK_MONOTONIC, &now);
			double waited = (double)(now.tv_sec - start.tv_sec) +
					(double)(now.tv_nsec - start.tv_nsec) / 1e9;
			if (got == 1 || waited >= delay)
				break; /* any other key repaints at once */
		}
	}
	return 0;
}
