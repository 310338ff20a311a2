/*
 * uname.c: prints what the kernel's uname(2) reports, as GNU uname does:
 * -s kernel name (the default), -n node name, -r release, -v version,
 * -m machine, -p processor and -i hardware platform ("unknown": the kernel
 * does not say), -o operating system ("GNU/Linux" where the kernel is
 * Linux, as GNU's build-time answer there, else the kernel name), -a all
 * of them in that order but -p and -i. Fields are separated by one space.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "linux_syscall.h"

enum {
	KERNEL_NAME = 1 << 0,
	NODE_NAME = 1 << 1,
	RELEASE = 1 << 2,
	VERSION = 1 << 3,
	MACHINE = 1 << 4,
	PROCESSOR = 1 << 5,
	PLATFORM = 1 << 6,
	OPERATING_SYSTEM = 1 << 7,
	ALL = KERNEL_NAME | NODE_NAME | RELEASE | VERSION | MACHINE | OPERATING_SYSTEM,
};

static const struct {
	const char *name;
	int flag;
} LONG_OPTIONS[] = {
	{"--all", -1},
	{"--kernel-name", KERNEL_NAME},
	{"--nodename", NODE_NAME},
	{"--kernel-release", RELEASE},
	{"--kernel-version", VERSION},
	{"--machine", MACHINE},
	{"--processor", PROCESSOR},
	{"--hardware-platform", PLATFORM},
	{"--operating-system", OPERATING_SYSTEM},
};

static bool printed;

static void field(const char *text)
{
	if (printed)
		putchar(' ');
	fputs(text, stdout);
	printed = true;
}

static int short_flag(char c)
{
	switch (c) {
	case 'a':
		return -1;
	case 's':
		return KERNEL_NAME;
	case 'n':
		return NODE_NAME;
	case 'r':
		return RELEASE;
	case 'v':
		return VERSION;
	case 'm':
		return MACHINE;
	case 'p':
		return PROCESSOR;
	case 'i':
		return PLATFORM;
	case 'o':
		return OPERATING_SYSTEM;
	default:
		return 0;
	}
}

int main(int argc, char **argv)
{
	int want = 0;
	bool all = false;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int flag = 0;

		if (arg[0] == '-' && arg[1] == '-') {
			for (size_t o = 0; o < sizeof(LONG_OPTIONS) / sizeof(LONG_OPTIONS[0]); o++)
				if (strcmp(arg, LONG_OPTIONS[o].name) == 0)
					flag = LONG_OPTIONS[o].flag;
			if (flag == 0) {
				fprintf(stderr, "uname: unrecognized option '%s'\n", arg);
				return 1;
			}
			if (flag < 0)
				all = true;
			else
				want |= flag;
			continue;
		}
		if (arg[0] != '-' || arg[1] == '\0') {
			fprintf(stderr, "uname: extra operand '%s'\n", arg);
			return 1;
		}
		for (const char *p = arg + 1; *p != '\0'; p++) {
			flag = short_flag(*p);
			if (flag == 0) {
				fprintf(stderr, "uname: invalid option -- '%c'\n", *p);
				return 1;
			}
			if (flag < 0)
				all = true;
			else
				want |= flag;
		}
	}
	if (all)
		want |= ALL;
	if (want == 0)
		want = KERNEL_NAME;

	struct linux_utsname uts;
	long ret = syscall1(SYS_uname, (long)&uts);
	if (linux_is_error(ret)) {
		fprintf(stderr, "uname: cannot get system name: %s\n", strerror(EIO));
		return 1;
	}
	if (want & KERNEL_NAME)
		field(uts.sysname);
	if (want & NODE_NAME)
		field(uts.nodename);
	if (want & RELEASE)
		field(uts.release);
	if (want & VERSION)
		field(uts.version);
	if (want & MACHINE)
		field(uts.machine);
	/* -a leaves out the two the kernel cannot tell; asked for by name, they are "unknown". */
	if ((want & PROCESSOR) && !all)
		field("unknown");
	if ((want & PLATFORM) && !all)
		field("unknown");
	if (want & OPERATING_SYSTEM)
		field(strcmp(uts.sysname, "Linux") == 0 ? "GNU/Linux" : uts.sysname);
	putchar('\n');
	return fflush(stdout) == 0 ? 0 : 1;
}
