/*
 * free.c: memory and swap use from /proc/meminfo, in procps-ng's format:
 * a header, then `Mem:` (total, used, free, shared, buff/cache, available)
 * and `Swap:` (total, used, free), each number right-aligned in 11 columns
 * after a 9-column label; used is total - available, buff/cache Buffers +
 * Cached + SReclaimable (keys /proc/meminfo lacks count as 0). Units: KiB
 * by default and with -k, bytes with -b, MiB with -m, GiB with -g; --si
 * makes them powers of 1000; -h picks a unit per number ("1.5Gi", "0B");
 * -t adds a `Total:` line (memory + swap). A bad option prints a usage
 * message and exits 1; an unreadable /proc/meminfo `free: /proc/meminfo:
 * reason`, exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "procps.h"

#define HUMAN 1
#define SI 2

static int flags;
/* 0: default (KiB), 1: bytes, 2: KiB, 3: MiB, 4: GiB, 5: TiB. */
static int exponent;

static double power(double base, int n)
{
	double r = 1;
	while (n-- > 0)
		r *= base;
	return r;
}

/* A size in KiB as free prints it (procps-ng's scale_size). */
static const char *scale(long long kb)
{
	static const char units[] = { 'B', 'K', 'M', 'G', 'T', 'P' };
	static char buf[64];
	double base = (flags & SI) ? 1000.0 : 1024.0;
	long long bytes = kb * 1024;

	if (!(flags & HUMAN)) {
		if (exponent == 0)
			snprintf(buf, sizeof(buf), "%lld", (long long)(bytes / (long long)base));
		else if (exponent == 1)
			snprintf(buf, sizeof(buf), "%lld", bytes);
		else
			snprintf(buf, sizeof(buf), "%lld",
				 (long long)(bytes / power(base, exponent - 1)));
		return buf;
	}
	if (snprintf(buf, sizeof(buf), "%lld%c", bytes, units[0]) <= 4)
		return buf;
	for (int i = 1; i < (int)sizeof(units); i++) {
		double value = bytes / power(base, i);
		if (flags & SI) {
			double shown = (float)value; /* procps rounds through a float */
			if (snprintf(buf, sizeof(buf), "%.1f%c", shown, units[i]) <= 4)
				return buf;
			if (snprintf(buf, sizeof(buf), "%lld%c", (long long)value, units[i]) <= 4)
				return buf;
		} else {
			double shown = (float)value;
			if (snprintf(buf, sizeof(buf), "%.1f%ci", shown, units[i]) <= 5)
				return buf;
			if (snprintf(buf, sizeof(buf), "%lld%ci", (long long)value, units[i]) <= 5)
				return buf;
		}
	}
	return buf;
}

static void row(const char *label, const long long *values, int n)
{
	printf("%-9s", label);
	for (int i = 0; i < n; i++)
		printf(i == 0 ? "%11s" : " %11s", scale(values[i]));
	printf("\n");
}

static int usage(void)
{
	fprintf(stderr, "\nUsage:\n free [options]\n\nOptions:\n"
			" -b, --bytes         show output in bytes\n"
			" -k, --kibi          show output in kibibytes\n"
			" -m, --mebi          show output in mebibytes\n"
			" -g, --gibi          show output in gibibytes\n"
			" -h, --human         show human-readable output\n"
			"     --si            use powers of 1000 not 1024\n"
			" -t, --total         show total for RAM + swap\n");
	return 1;
}

static long long key(const char *text, const char *name)
{
	long long v = meminfo_kb(text, name);
	return v < 0 ? 0 : v;
}

int main(int argc, char **argv)
{
	int total = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--si") == 0)
			flags |= SI;
		else if (strcmp(a, "--bytes") == 0)
			exponent = 1;
		else if (strcmp(a, "--kibi") == 0 || strcmp(a, "--kilo") == 0)
			exponent = 2;
		else if (strcmp(a, "--mebi") == 0 || strcmp(a, "--mega") == 0)
			exponent = 3;
		else if (strcmp(a, "--gibi") == 0 || strcmp(a, "--giga") == 0)
			exponent = 4;
		else if (strcmp(a, "--human") == 0)
			flags |= HUMAN;
		else if (strcmp(a, "--total") == 0)
			total = 1;
		else if (a[0] == '-' && a[1] != '-' && a[1] != '\0') {
			for (const char *c = a + 1; *c; c++) {
				switch (*c) {
				case 'b':
					exponent = 1;
					break;
				case 'k':
					exponent = 2;
					break;
				case 'm':
					exponent = 3;
					break;
				case 'g':
					exponent = 4;
					break;
				case 'h':
					flags |= HUMAN;
					break;
				case 't':
					total = 1;
					break;
				default:
					fprintf(stderr, "free: invalid option -- '%c'\n", *c);
					return usage();
				}
			}
		} else {
			return usage();
		}
	}

	char *text = read_whole("/proc/meminfo", NULL);
	if (text == NULL) {
		fprintf(stderr, "free: /proc/meminfo: %s\n", strerror(errno));
		return 1;
	}
	long long mem_total = key(text, "MemTotal");
	long long mem_free = key(text, "MemFree");
	long long available = meminfo_kb(text, "MemAvailable");
	if (available < 0 || available > mem_total)
		available = mem_free;
	long long shared = key(text, "Shmem");
	long long cache = key(text, "Buffers") + key(text, "Cached") + key(text, "SReclaimable");
	long long used = mem_total - available;
	if (used < 0)
		used = mem_total - mem_free;
	long long swap_total = key(text, "SwapTotal");
	long long swap_free = key(text, "SwapFree");
	free(text);

	printf("               total        used        free      shared  buff/cache   "
	       "available\n");
	long long mem[] = { mem_total, used, mem_free, shared, cache, available };
	row("Mem:", mem, 6);
	long long swap[] = { swap_total, swap_total - swap_free, swap_free };
	row("Swap:", swap, 3);
	if (total) {
		long long sum[] = { mem_total + swap_total, used + swap_total - swap_free,
				    mem_free + swap_free };
		row("Total:", sum, 3);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
