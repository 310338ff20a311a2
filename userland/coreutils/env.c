/*
 * env.c: runs a command in a changed environment, or prints the
 * environment. `env [-i] [-u NAME]... [-0] [NAME=VALUE]... [COMMAND [ARG]...]`:
 * -i (or a lone -) starts from an empty environment, -u removes NAME,
 * each NAME=VALUE replaces NAME in place or is appended (GNU's order).
 * Without a command it prints NAME=VALUE lines (NUL-terminated with -0);
 * with one it runs it through execvp (execve over each PATH directory,
 * the changed PATH included). Exit status: 125 for env's own errors, 126
 * when the command was found but could not run, 127 when it was not found.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static char **vars;
static size_t count;

static size_t name_length(const char *entry)
{
	const char *eq = strchr(entry, '=');
	return eq != NULL ? (size_t)(eq - entry) : strlen(entry);
}

static void unset(const char *name)
{
	size_t length = strlen(name);
	size_t kept = 0;

	for (size_t i = 0; i < count; i++)
		if (!(name_length(vars[i]) == length && strncmp(vars[i], name, length) == 0))
			vars[kept++] = vars[i];
	count = kept;
	vars[count] = NULL;
}

static void set(char *assignment)
{
	size_t length = name_length(assignment);

	for (size_t i = 0; i < count; i++) {
		if (name_length(vars[i]) == length && strncmp(vars[i], assignment, length) == 0) {
			vars[i] = assignment;
			return;
		}
	}
	vars[count++] = assignment;
	vars[count] = NULL;
}

static int usage(const char *message, const char *arg)
{
	fprintf(stderr, "env: %s", message);
	if (arg != NULL)
		fprintf(stderr, " -- '%s'", arg);
	fputs("\nUsage: env [-i] [-0] [-u NAME]... [NAME=VALUE]... [COMMAND [ARG]...]\n", stderr);
	return 125;
}

int main(int argc, char **argv)
{
	bool clear = false;
	bool nul = false;
	int i = 1;

	size_t inherited = 0;
	while (environ != NULL && environ[inherited] != NULL)
		inherited++;
	/* Room for every inherited variable and every argument. */
	vars = malloc((inherited + (size_t)argc + 1) * sizeof(*vars));
	if (vars == NULL) {
		fprintf(stderr, "env: %s\n", strerror(ENOMEM));
		return 125;
	}

	/* First pass: options, applied in order once -i is known. */
	const char **unsets = malloc((size_t)argc * sizeof(*unsets));
	size_t unset_count = 0;
	if (unsets == NULL) {
		fprintf(stderr, "env: %s\n", strerror(ENOMEM));
		return 125;
	}
	for (; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(arg, "-") == 0) {
			clear = true;
			continue;
		}
		if (strcmp(arg, "--ignore-environment") == 0) {
			clear = true;
			continue;
		}
		if (strcmp(arg, "--null") == 0) {
			nul = true;
			continue;
		}
		if (strncmp(arg, "--unset=", 8) == 0) {
			unsets[unset_count++] = arg + 8;
			continue;
		}
		if (arg[0] != '-' || arg[1] == '-')
			break;
		for (const char *p = arg + 1; *p != '\0'; p++) {
			if (*p == 'i') {
				clear = true;
			} else if (*p == '0') {
				nul = true;
			} else if (*p == 'u') {
				const char *name = p[1] != '\0' ? p + 1 : argv[++i];
				if (name == NULL)
					return usage("option requires an argument", "u");
				unsets[unset_count++] = name;
				break;
			} else {
				char option[2] = {*p, '\0'};
				return usage("invalid option", option);
			}
		}
	}

	count = 0;
	if (!clear)
		for (; count < inherited; count++)
			vars[count] = environ[count];
	vars[count] = NULL;
	for (size_t u = 0; u < unset_count; u++) {
		if (unsets[u][0] == '\0' || strchr(unsets[u], '=') != NULL) {
			fprintf(stderr, "env: cannot unset '%s': %s\n", unsets[u], strerror(EINVAL));
			return 125;
		}
		unset(unsets[u]);
	}
	for (; i < argc && strchr(argv[i], '=') != NULL; i++)
		set(argv[i]);

	if (i == argc) {
		for (size_t v = 0; v < count; v++) {
			fputs(vars[v], stdout);
			putchar(nul ? '\0' : '\n');
		}
		return fflush(stdout) == 0 ? 0 : 125;
	}
	if (nul) {
		fputs("env: cannot specify --null (-0) with command\n", stderr);
		return 125;
	}
	environ = vars;
	execvp(argv[i], argv + i);
	int error = errno;
	fprintf(stderr, "env: '%s': %s\n", argv[i], strerror(error));
	return error == ENOENT ? 127 : 126;
}
