/*
 * exec.c: execve replaces a forked child's program. From the directory of
 * argv[1] (default userland/bin/hello.elf) it runs hello.elf with two
 * arguments and args.elf with arguments and an environment, each in a child
 * whose stdout is a pipe, and compares their output with what they must
 * print (the environment in either order: qemu-riscv32 reverses it);
 * exitcode.elf 42 must exit with 42. execve of a missing file must
 * fail with ENOENT, and of an executable text file (argv[2], default
 * not-elf next to hello.elf) with ENOEXEC. Prints one line per check, then
 * `ok`; exits 0 only if all passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define DEFAULT_PROGRAM "userland/bin/hello.elf"

static char output[4096];

/* The path of `name` in the directory that holds `program`. */
static char *sibling(const char *program, const char *name)
{
	const char *slash = strrchr(program, '/');
	size_t dir_length = slash != NULL ? (size_t)(slash - program) + 1 : 0;
	char *path = malloc(dir_length + strlen(name) + 1);

	CHECK(path != NULL);
	memcpy(path, program, dir_length);
	strcpy(path + dir_length, name);
	return path;
}

/*
 * Runs path with argv and envp in a child whose stdout is a pipe; collects
 * what it prints into `output` and returns its wait status.
 */
static int run(const char *path, char *const argv[], char *const envp[])
{
	int fds[2];

	CHECK(pipe(fds) == 0);
	pid_t pid = fork_or_fail();
	if (pid == 0) {
		close(fds[0]);
		if (dup2(fds[1], 1) != 1)
			_exit(126);
		close(fds[1]);
		execve(path, argv, envp);
		_exit(127);
	}
	close(fds[1]);
	size_t used = 0;
	ssize_t n;
	while ((n = read(fds[0], output + used, sizeof(output) - 1 - used)) > 0)
		used += (size_t)n;
	CHECK(n == 0);
	output[used] = '\0';
	close(fds[0]);
	return wait_for(pid);
}

static void expect_output(const char *what, const char *want)
{
	if (strcmp(output, want) != 0) {
		printf("FAIL: %s printed:\n%s--- want:\n%s---\n", what, output, want);
		exit(1);
	}
}

int main(int argc, char **argv, char **envp)
{
	const char *hello = argc > 1 ? argv[1] : DEFAULT_PROGRAM;
	char want[1024];

	char *hello_argv[] = { (char *)hello, "one", "two", NULL };
	int status = run(hello, hello_argv, envp);
	CHECK(exited_with(status, 0));
	snprintf(want, sizeof(want), "hello, world\nargc=3\nargv[0]=%s\nargv[1]=one\nargv[2]=two\n",
		 hello);
	expect_output("hello.elf", want);
	printf("exec hello.elf: output and status ok\n");

	char *args = sibling(hello, "args.elf");
	char *args_argv[] = { args, "with space", "", NULL };
	char *args_envp[] = { "EXEC_TEST=yes", "SECOND=2", NULL };
	status = run(args, args_argv, args_envp);
	CHECK(exited_with(status, 0));
	/* qemu-riscv32 hands a program its environment in reverse order: accept either. */
	const char *argv_lines = "argc=3\nargv[0]=%s\nargv[1]=with space\nargv[2]=\n";
	const char *env_in_order = "envp[0]=EXEC_TEST=yes\nenvp[1]=SECOND=2\n";
	const char *env_reversed = "envp[0]=SECOND=2\nenvp[1]=EXEC_TEST=yes\n";
	int prefix = snprintf(want, sizeof(want), argv_lines, args);
	if (strncmp(output, want, (size_t)prefix) == 0 &&
	    strcmp(output + prefix, env_reversed) == 0)
		strcpy(want + prefix, env_reversed);
	else
		strcpy(want + prefix, env_in_order);
	expect_output("args.elf", want);
	printf("exec args.elf: argv and envp passed intact\n");

	char *exitcode = sibling(hello, "exitcode.elf");
	char *exitcode_argv[] = { exitcode, "42", NULL };
	char *empty_envp[] = { NULL };
	status = run(exitcode, exitcode_argv, empty_envp);
	CHECK(exited_with(status, 42));
	printf("exec exitcode.elf 42: exit status 42\n");

	char *missing = sibling(hello, "no-such-program.elf");
	char *missing_argv[] = { missing, NULL };
	errno = 0;
	CHECK(execve(missing, missing_argv, envp) == -1);
	CHECK(errno == ENOENT);
	printf("missing file: ENOENT\n");

	char *not_elf = argc > 2 ? argv[2] : sibling(hello, "not-elf");
	char *not_elf_argv[] = { not_elf, NULL };
	errno = 0;
	CHECK(execve(not_elf, not_elf_argv, envp) == -1);
	CHECK(errno == ENOEXEC);
	printf("non-ELF file: ENOEXEC\n");

	printf("ok\n");
	return 0;
}
