/*
 * posix_ext.h: the POSIX and Linux calls our glue (userland/lib) provides
 * that picolibc's headers do not declare in this configuration: sched_yield,
 * gettid, nice values, CPU affinity,
 * the sigaction flags beyond SA_NOCLDSTOP, and statx. Calls picolibc
 * does declare (fork, execve, waitpid, pipe, dup2, sigaction, sleep,
 * getrusage, openat, fstatat, mkdir, link, ...) are used through its own
 * headers; headers it lacks are userland/include's <dirent.h>, <termios.h>,
 * <sys/ioctl.h>, <sys/uio.h>, <sys/statfs.h>, <sys/mount.h> and <sys/mman.h>
 * (included here too), and <stdio.h>, <time.h> and <sys/stat.h> complete
 * picolibc's (renameat, FILENAME_MAX; the clocks and sleeps; lstat, UTIME_NOW
 * and UTIME_OMIT). Clock ids, signal numbers, O_*, AT_*, F_* and errno values keep picolibc's values,
 * which the glue translates; PROT_*, MAP_*, PRIO_*, SA_* and UTIME_* values
 * are Linux's own.
 */
#ifndef POSIX_EXT_H
#define POSIX_EXT_H

#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

int sched_yield(void);
/* The calling thread's id (the pid, in a process's first thread). */
pid_t gettid(void);

/* Nice values, -20 (most favoured) .. 19. */
#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2

/* -1 is a valid result: clear errno first to tell it from an error. */
int getpriority(int which, id_t who);
int setpriority(int which, id_t who, int prio);

/* CPU affinity masks, glibc's size (1024 CPUs, 128 bytes). */
#define CPU_SETSIZE 1024
#define CPU_BITS_PER_WORD (8 * sizeof(unsigned long))

typedef struct {
	unsigned long bits[CPU_SETSIZE / (8 * sizeof(unsigned long))];
} cpu_set_t;

static inline void cpuset_zero(cpu_set_t *set)
{
	for (size_t i = 0; i < sizeof(set->bits) / sizeof(set->bits[0]); i++)
		set->bits[i] = 0;
}

static inline void cpuset_add(size_t cpu, cpu_set_t *set)
{
	if (cpu < CPU_SETSIZE)
		set->bits[cpu / CPU_BITS_PER_WORD] |= 1ul << (cpu % CPU_BITS_PER_WORD);
}

static inline void cpuset_remove(size_t cpu, cpu_set_t *set)
{
	if (cpu < CPU_SETSIZE)
		set->bits[cpu / CPU_BITS_PER_WORD] &= ~(1ul << (cpu % CPU_BITS_PER_WORD));
}

static inline int cpuset_has(size_t cpu, const cpu_set_t *set)
{
	if (cpu >= CPU_SETSIZE)
		return 0;
	return (set->bits[cpu / CPU_BITS_PER_WORD] >> (cpu % CPU_BITS_PER_WORD)) & 1;
}

static inline int cpuset_count(const cpu_set_t *set)
{
	int count = 0;

	for (size_t i = 0; i < sizeof(set->bits) / sizeof(set->bits[0]); i++)
		count += __builtin_popcountl(set->bits[i]);
	return count;
}

#define CPU_ZERO(set) cpuset_zero(set)
#define CPU_SET(cpu, set) cpuset_add((size_t)(cpu), set)
#define CPU_CLR(cpu, set) cpuset_remove((size_t)(cpu), set)
#define CPU_ISSET(cpu, set) cpuset_has((size_t)(cpu), set)
#define CPU_COUNT(set) cpuset_count(set)

/* size is in bytes (sizeof(cpu_set_t)); pid 0 is the calling thread. */
int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set);
int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set);

/* sigaction flags (Linux values; picolibc defines only SA_NOCLDSTOP, which agrees). */
#define SA_NOCLDWAIT 0x00000002
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND ((int)0x80000000u)

/*
 * Files. picolibc names AT_EMPTY_PATH only for _GNU_SOURCE; this is its
 * value there. picolibc's ino_t, dev_t, nlink_t, uid_t and gid_t are 16
 * bits and off_t 32: stat reports the low 16 bits of an inode number, and
 * EOVERFLOW for a file of 2 GiB or more.
 */
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 16
#endif

/*
 * statx with the kernel's own record (<linux_syscall.h>'s struct linux_statx:
 * 64-bit inode numbers and sizes, 32-bit ids and link counts, device major
 * and minor numbers, the birth time), for what the small struct stat cannot
 * hold. flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH (picolibc's values); mask:
 * Linux's STATX_* bits (LINUX_STATX_BASIC_STATS | LINUX_STATX_BTIME).
 */
struct linux_statx;
int statx(int dirfd, const char *restrict path, int flags, unsigned int mask,
	  struct linux_statx *restrict buf);

#endif
