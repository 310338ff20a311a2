/*
 * mount.c: lists or makes mounts, util-linux's way. Without arguments (or
 * with only `-t TYPE`) it prints each line of /proc/mounts (of that type) as
 * `SOURCE on DIR type TYPE (OPTIONS)`. `mount -t TYPE SOURCE DIR` mounts
 * through mount(2); `-o OPTIONS` (comma-separated) sets MS_RDONLY for `ro`,
 * and `-r` does too; the other options go to the file system as data.
 * A failed mount prints `mount: DIR: reason` and exits 32 (util-linux's
 * "mount failure"); a bad invocation prints a usage message, exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "procps.h"

static int usage(void)
{
	fprintf(stderr, "Usage:\n mount [-t TYPE]\n mount -t TYPE [-o OPTIONS] [-r] SOURCE DIR\n");
	return 1;
}

/* Prints /proc/mounts (only `type`'s lines unless NULL) as `SOURCE on DIR type TYPE (OPTS)`. */
static int list(const char *type)
{
	char *text = read_whole("/proc/mounts", NULL);
	if (text == NULL) {
		fprintf(stderr, "mount: /proc/mounts: %s\n", strerror(errno));
		return 1;
	}
	for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		char source[256], dir[1024], fstype[64], options[256];
		if (sscanf(line, "%255s %1023s %63s %255s", source, dir, fstype, options) != 4)
			continue;
		if (type == NULL || strcmp(type, fstype) == 0)
			printf("%s on %s type %s (%s)\n", source, dir, fstype, options);
	}
	free(text);
	return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *type = NULL, *options = NULL;
	const char *operands[2];
	int count = 0;
	unsigned long flags = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-t") == 0 || strcmp(a, "-o") == 0) {
			if (i + 1 >= argc)
				return usage();
			if (a[1] == 't')
				type = argv[++i];
			else
				options = argv[++i];
		} else if (strcmp(a, "-r") == 0) {
			flags |= MS_RDONLY;
		} else if (a[0] == '-') {
			fprintf(stderr, "mount: invalid option -- '%s'\n", a + 1);
			return usage();
		} else if (count < 2) {
			operands[count++] = a;
		} else {
			return usage();
		}
	}
	if (count == 0 && options == NULL && flags == 0)
		return list(type);
	if (count != 2 || type == NULL)
		return usage();

	/* ro/rw are flags; the rest is the file system's data. */
	char data[1024] = "";
	if (options != NULL) {
		char copy[1024];
		snprintf(copy, sizeof(copy), "%s", options);
		for (char *opt = strtok(copy, ","); opt != NULL; opt = strtok(NULL, ",")) {
			if (strcmp(opt, "ro") == 0)
				flags |= MS_RDONLY;
			else if (strcmp(opt, "rw") == 0)
				flags &= ~(unsigned long)MS_RDONLY;
			else {
				size_t n = strlen(data);
				snprintf(data + n, sizeof(data) - n, "%s%s", n ? "," : "", opt);
			}
		}
	}
	if (mount(operands[0], operands[1], type, flags, data[0] ? data : NULL) < 0) {
		fprintf(stderr, "mount: %s: %s\n", operands[1], strerror(errno));
		return 32;
	}
	return 0;
}
