/*
 * process.c: picolibc's process hooks and the POSIX process calls on Linux:
 * _exit (exit_group), getpid, getppid, gettid, fork (clone with SIGCHLD and
 * no new stack: rv32 has no fork syscall), execve, execv, execvp (a PATH
 * search), and waitpid/wait on waitid (rv32 has no wait4), which build the
 * classic status word picolibc's <sys/wait.h> macros decode: exit code << 8,
 * the signal number (picolibc's numbering) for a kill, (signal << 8) | 0x7f
 * for a stop. Process groups and sessions for job control: setpgid,
 * getpgid, getpgrp, setpgrp, setsid, getsid.
 */
#define _GNU_SOURCE /* strchrnul */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "glue.h"
#include "posix_ext.h"

/* The PATH execvp searches when the environment has none. */
#define DEFAULT_PATH "/bin:/usr/bin"

void _exit(int status)
{
	for (;;)
		syscall1(SYS_exit_group, status);
}

pid_t getpid(void)
{
	return (pid_t)syscall0(SYS_getpid);
}

pid_t getppid(void)
{
	return (pid_t)syscall0(SYS_getppid);
}

pid_t gettid(void)
{
	return (pid_t)syscall0(SYS_gettid);
}

uid_t getuid(void)
{
	return (uid_t)syscall0(SYS_getuid);
}

uid_t geteuid(void)
{
	return (uid_t)syscall0(SYS_geteuid);
}

gid_t getgid(void)
{
	return (gid_t)syscall0(SYS_getgid);
}

gid_t getegid(void)
{
	return (gid_t)syscall0(SYS_getegid);
}

int setpgid(pid_t pid, pid_t pgid)
{
	return glue_result(syscall2(SYS_setpgid, pid, pgid));
}

pid_t getpgid(pid_t pid)
{
	return glue_result(syscall1(SYS_getpgid, pid));
}

pid_t getpgrp(void)
{
	return getpgid(0);
}

/* The System V form: makes the caller a process group leader. */
int setpgrp(void)
{
	return setpgid(0, 0);
}

/* Returns the new session's id (the caller's pid); EPERM for a group leader. */
pid_t setsid(void)
{
	return glue_result(syscall0(SYS_setsid));
}

pid_t getsid(pid_t pid)
{
	return glue_result(syscall1(SYS_getsid, pid));
}

pid_t fork(void)
{
	return (pid_t)glue_result(syscall5(SYS_clone, LINUX_SIGCHLD, 0, 0, 0, 0));
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	return (int)glue_result(syscall3(SYS_execve, (long)path, (long)argv, (long)envp));
}

int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

/*
 * Runs `file` as given when it names a directory (has a '/'), else tries
 * each PATH entry in turn, as POSIX describes; a missing or unreadable
 * candidate moves on to the next, any other failure stops the search.
 */
int execvp(const char *file, char *const argv[])
{
	char candidate[PATH_MAX];
	size_t file_length = strlen(file);
	int saw_eacces = 0;

	if (file_length == 0) {
		errno = ENOENT;
		return -1;
	}
	if (strchr(file, '/') != NULL)
		return execve(file, argv, environ);

	const char *path = getenv("PATH");
	if (path == NULL)
		path = DEFAULT_PATH;
	for (;;) {
		const char *end = strchrnul(path, ':');
		size_t dir_length = (size_t)(end - path);

		if (dir_length + 1 + file_length + 1 <= sizeof(candidate)) {
			/* An empty entry means the current directory. */
			memcpy(candidate, path, dir_length);
			if (dir_length > 0)
				candidate[dir_length++] = '/';
			memcpy(candidate + dir_length, file, file_length + 1);
			execve(candidate, argv, environ);
			if (errno == EACCES)
				saw_eacces = 1;
			else if (errno != ENOENT && errno != ENOTDIR)
				return -1;
		}
		if (*end == '\0')
			break;
		path = end + 1;
	}
	errno = saw_eacces ? EACCES : ENOENT;
	return -1;
}

/* The status word for what waitid reported, in the layout <sys/wait.h> decodes. */
static int wait_status(const struct linux_siginfo *info)
{
	int sig;

	switch (info->si_code) {
	case LINUX_CLD_EXITED:
		return (info->si_status & 0xff) << 8;
	case LINUX_CLD_KILLED:
		return glue_picolibc_signal(info->si_status) & 0x7f;
	case LINUX_CLD_DUMPED:
		return (glue_picolibc_signal(info->si_status) & 0x7f) | 0x80;
	case LINUX_CLD_STOPPED:
	case LINUX_CLD_TRAPPED:
		sig = glue_picolibc_signal(info->si_status);
		return ((sig & 0xff) << 8) | 0x7f;
	default:
		/* CLD_CONTINUED, which only WCONTINUED (not offered) asks for. */
		return 0xffff;
	}
}

/*
 * pid > 0 waits for that child, -1 for any, 0 for any in the caller's process
 * group, < -1 for any in group -pid. options: WNOHANG, WUNTRACED (whose
 * values equal Linux's WNOHANG and WSTOPPED). Returns the child's pid, 0 with
 * WNOHANG when no child has changed state, or -1 (ECHILD: no such child;
 * EINTR: a handler ran and its signal was not SA_RESTART).
 */
pid_t waitpid(pid_t pid, int *status, int options)
{
	struct linux_siginfo info;
	long idtype = LINUX_P_PID;
	long id = pid;
	long linux_options = LINUX_WEXITED;

	if (options & ~(WNOHANG | WUNTRACED)) {
		errno = EINVAL;
		return -1;
	}
	if (options & WNOHANG)
		linux_options |= LINUX_WNOHANG;
	if (options & WUNTRACED)
		linux_options |= LINUX_WSTOPPED;
	if (pid == -1) {
		idtype = LINUX_P_ALL;
		id = 0;
	} else if (pid <= 0) {
		idtype = LINUX_P_PGID;
		id = -pid;
	}
	/* WNOHANG with nothing to report: Linux returns 0, si_pid 0 (qemu leaves it as it was). */
	info.si_pid = 0;
	info.si_code = 0;
	if (glue_result(syscall5(SYS_waitid, idtype, id, (long)&info, linux_options, 0)) < 0)
		return -1;
	if (info.si_pid == 0)
		return 0;
	if (status != NULL)
		*status = wait_status(&info);
	return info.si_pid;
}

pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}
