/*
 * linux_syscall.h: the Linux rv32 system call interface as userland sees it:
 * ecall wrappers syscall0..syscall6, the asm-generic syscall numbers we use,
 * and the kernel's flag values and structure layouts (which differ from
 * picolibc's own definitions, hence the LINUX_ prefixes).
 */
#ifndef LINUX_SYSCALL_H
#define LINUX_SYSCALL_H

#include <stdint.h>

/*
 * Syscall numbers from the asm-generic table. rv32 has only the 64-bit time
 * calls (clock_gettime64, clock_nanosleep_time64, futex_time64,
 * utimensat_time64) and none of stat/fstat/newfstatat (statx stands in),
 * renameat (renameat2), wait4 (waitid), fork/vfork (clone), dup2 (dup3),
 * pipe (pipe2) or nanosleep (clock_nanosleep_time64). A 64-bit argument
 * (pread64's offset, truncate64's length) takes two registers, low word
 * first, with no even-register alignment; _llseek is the exception, taking
 * the high word first.
 */
#define SYS_getcwd 17
#define SYS_dup 23
#define SYS_dup3 24
#define SYS_fcntl64 25
#define SYS_ioctl 29
#define SYS_mkdirat 34
#define SYS_unlinkat 35
#define SYS_symlinkat 36
#define SYS_linkat 37
#define SYS_umount2 39
#define SYS_mount 40
#define SYS_statfs64 43
#define SYS_fstatfs64 44
#define SYS_truncate64 45
#define SYS_ftruncate64 46
#define SYS_faccessat 48
#define SYS_chdir 49
#define SYS_fchdir 50
#define SYS_fchmod 52
#define SYS_fchmodat 53
#define SYS_openat 56
#define SYS_close 57
#define SYS_pipe2 59
#define SYS_getdents64 61
#define SYS_llseek 62
#define SYS_read 63
#define SYS_write 64
#define SYS_readv 65
#define SYS_writev 66
#define SYS_pread64 67
#define SYS_pwrite64 68
#define SYS_readlinkat 78
#define SYS_sync 81
#define SYS_fsync 82
#define SYS_fdatasync 83
#define SYS_exit 93
#define SYS_exit_group 94
#define SYS_waitid 95
#define SYS_sched_setaffinity 122
#define SYS_sched_getaffinity 123
#define SYS_sched_yield 124
#define SYS_kill 129
#define SYS_rt_sigsuspend 133
#define SYS_rt_sigaction 134
#define SYS_rt_sigprocmask 135
#define SYS_rt_sigpending 136
#define SYS_setpriority 140
#define SYS_getpriority 141
#define SYS_times 153
#define SYS_setpgid 154
#define SYS_getpgid 155
#define SYS_getsid 156
#define SYS_setsid 157
#define SYS_uname 160
#define SYS_getrusage 165
#define SYS_umask 166
#define SYS_getcpu 168
#define SYS_prctl 167
#define SYS_getpid 172
#define SYS_getppid 173
#define SYS_getuid 174
#define SYS_geteuid 175
#define SYS_getgid 176
#define SYS_getegid 177
#define SYS_gettid 178
#define SYS_brk 214
#define SYS_munmap 215
#define SYS_clone 220
#define SYS_execve 221
#define SYS_mmap2 222
#define SYS_mprotect 226
#define SYS_renameat2 276
#define SYS_getrandom 278
#define SYS_statx 291
#define SYS_clock_gettime64 403
#define SYS_clock_nanosleep_time64 407
#define SYS_utimensat_time64 412
#define SYS_futex_time64 422

/* Raw results in [-LINUX_MAX_ERRNO, -1] are -errno. */
#define LINUX_MAX_ERRNO 4095

#define LINUX_EINTR 4

/* The longest path the kernel accepts, NUL included (picolibc's PATH_MAX says 1024). */
#define LINUX_PATH_MAX 4096

#define LINUX_AT_FDCWD (-100)
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_REMOVEDIR 0x200
#define LINUX_AT_SYMLINK_FOLLOW 0x400
#define LINUX_AT_EMPTY_PATH 0x1000

#define LINUX_O_ACCMODE 0x3
#define LINUX_O_CREAT 0x40
#define LINUX_O_EXCL 0x80
#define LINUX_O_NOCTTY 0x100
#define LINUX_O_TRUNC 0x200
#define LINUX_O_APPEND 0x400
#define LINUX_O_NONBLOCK 0x800
#define LINUX_O_DIRECT 0x4000
#define LINUX_O_DIRECTORY 0x10000
#define LINUX_O_NOFOLLOW 0x20000
#define LINUX_O_CLOEXEC 0x80000
#define LINUX_O_SYNC 0x101000
#define LINUX_O_PATH 0x200000

/* fcntl64 commands; on 32-bit the record locks taking struct flock64 are 12..14. */
#define LINUX_F_DUPFD 0
#define LINUX_F_GETFD 1
#define LINUX_F_SETFD 2
#define LINUX_F_GETFL 3
#define LINUX_F_SETFL 4
#define LINUX_F_GETLK64 12
#define LINUX_F_SETLK64 13
#define LINUX_F_SETLKW64 14
#define LINUX_F_DUPFD_CLOEXEC 1030
#define LINUX_FD_CLOEXEC 1

#define LINUX_F_RDLCK 0
#define LINUX_F_WRLCK 1
#define LINUX_F_UNLCK 2

/* ioctl requests on terminals (asm-generic/ioctls.h). */
#define LINUX_TCGETS 0x5401
#define LINUX_TCSETS 0x5402
#define LINUX_TCSETSW 0x5403
#define LINUX_TCSETSF 0x5404
#define LINUX_TIOCGPGRP 0x540f
#define LINUX_TIOCSPGRP 0x5410

#define LINUX_SIG_BLOCK 0
#define LINUX_SIG_UNBLOCK 1
#define LINUX_SIG_SETMASK 2

/* Signals are 1..64; the kernel's sigset_t has bit (n - 1) for signal n. */
#define LINUX_NSIG 64
#define LINUX_SIGSET_SIZE 8
#define LINUX_SIGCHLD 17

#define LINUX_SA_NOCLDSTOP 0x00000001u
#define LINUX_SA_NOCLDWAIT 0x00000002u
#define LINUX_SA_SIGINFO 0x00000004u
#define LINUX_SA_RESTORER 0x04000000u
#define LINUX_SA_ONSTACK 0x08000000u
#define LINUX_SA_RESTART 0x10000000u
#define LINUX_SA_NODEFER 0x40000000u
#define LINUX_SA_RESETHAND 0x80000000u

/* waitid idtypes and options. */
#define LINUX_P_ALL 0
#define LINUX_P_PID 1
#define LINUX_P_PGID 2
#define LINUX_WNOHANG 0x1
#define LINUX_WSTOPPED 0x2
#define LINUX_WEXITED 0x4
#define LINUX_WCONTINUED 0x8
#define LINUX_WALL 0x40000000 /* __WALL: children whatever their exit signal */

/* si_code of a SIGCHLD siginfo, as waitid reports it. */
#define LINUX_CLD_EXITED 1
#define LINUX_CLD_KILLED 2
#define LINUX_CLD_DUMPED 3
#define LINUX_CLD_TRAPPED 4
#define LINUX_CLD_STOPPED 5
#define LINUX_CLD_CONTINUED 6

/* clone flags; the low byte is the signal sent to the parent when the child exits. */
#define LINUX_CLONE_VM 0x00000100u
#define LINUX_CLONE_FS 0x00000200u
#define LINUX_CLONE_FILES 0x00000400u
#define LINUX_CLONE_SIGHAND 0x00000800u
#define LINUX_CLONE_THREAD 0x00010000u
#define LINUX_CLONE_SYSVSEM 0x00040000u
#define LINUX_CLONE_SETTLS 0x00080000u
#define LINUX_CLONE_PARENT_SETTID 0x00100000u
#define LINUX_CLONE_CHILD_CLEARTID 0x00200000u

/* futex_time64 operations; the private flag says no other process shares the word. */
#define LINUX_FUTEX_WAIT 0
#define LINUX_FUTEX_WAKE 1
#define LINUX_FUTEX_PRIVATE_FLAG 128

#define LINUX_PR_SET_CHILD_SUBREAPER 36

#define LINUX_CLOCK_REALTIME 0
#define LINUX_CLOCK_MONOTONIC 1
#define LINUX_TIMER_ABSTIME 1

#define LINUX_STATX_BASIC_STATS 0x7ffu
#define LINUX_STATX_BTIME 0x800u

#define LINUX_PROT_READ 0x1
#define LINUX_PROT_WRITE 0x2
#define LINUX_PROT_EXEC 0x4
#define LINUX_MAP_PRIVATE 0x02
#define LINUX_MAP_ANONYMOUS 0x20
/* mmap2 takes the file offset in 4096-byte units, whatever the page size. */
#define LINUX_MMAP2_UNIT 4096

/* struct __kernel_timespec as a 32-bit little-endian process sees it. */
struct linux_timespec64 {
	int64_t tv_sec;
	int32_t tv_nsec;
	int32_t pad;
};

struct linux_statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct linux_statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct linux_statx_timestamp stx_atime;
	struct linux_statx_timestamp stx_btime;
	struct linux_statx_timestamp stx_ctime;
	struct linux_statx_timestamp stx_mtime;
	uint32_t stx_rdev_major;
	uint32_t stx_rdev_minor;
	uint32_t stx_dev_major;
	uint32_t stx_dev_minor;
	uint64_t spare2[14];
};

_Static_assert(sizeof(struct linux_statx) == 256, "struct statx is 256 bytes");

/*
 * struct flock64 as fcntl64's F_GETLK64/F_SETLK64/F_SETLKW64 read and write
 * it on rv32: the 64-bit offsets are 8-byte aligned, so padding follows
 * l_whence and l_pid. 32 bytes.
 */
struct linux_flock64 {
	int16_t l_type;
	int16_t l_whence;
	int32_t pad0;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
	int32_t pad1;
};

_Static_assert(sizeof(struct linux_flock64) == 32, "rv32 struct flock64 is 32 bytes");

/*
 * The record getdents64 packs into its buffer: a fixed 19-byte head, then
 * the NUL-terminated name, the whole padded to d_reclen (a multiple of 8).
 */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

/*
 * struct sigaction as rt_sigaction reads and writes it on riscv: handler,
 * flags, then the 8-byte mask; there is no sa_restorer (riscv has no
 * SA_RESTORER: the kernel supplies the return trampoline). qemu-riscv32 7.2
 * gets this wrong (handler, flags, restorer, mask: 20 bytes); lib/signal.c
 * copes with both.
 */
struct linux_sigaction {
	uint32_t handler;
	uint32_t flags;
	uint64_t mask;
};

_Static_assert(sizeof(struct linux_sigaction) == 16, "riscv struct sigaction is 16 bytes");

/*
 * siginfo_t as waitid fills it on rv32: 128 bytes, of which a SIGCHLD report
 * uses the first 32 (si_utime and si_stime are 32-bit clock_t ticks).
 */
struct linux_siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t si_pid;
	uint32_t si_uid;
	int32_t si_status;
	int32_t si_utime;
	int32_t si_stime;
	uint8_t pad[96];
};

_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo_t is 128 bytes");

/*
 * struct rusage as getrusage (and waitid's fifth argument) writes it on rv32:
 * the two times are __kernel_old_timeval, a pair of 32-bit longs, even though
 * rv32 otherwise has only 64-bit time; then 14 longs. 72 bytes.
 */
struct linux_old_timeval {
	int32_t tv_sec;
	int32_t tv_usec;
};

struct linux_rusage {
	struct linux_old_timeval ru_utime;
	struct linux_old_timeval ru_stime;
	int32_t ru_maxrss;
	int32_t ru_ixrss;
	int32_t ru_idrss;
	int32_t ru_isrss;
	int32_t ru_minflt;
	int32_t ru_majflt;
	int32_t ru_nswap;
	int32_t ru_inblock;
	int32_t ru_oublock;
	int32_t ru_msgsnd;
	int32_t ru_msgrcv;
	int32_t ru_nsignals;
	int32_t ru_nvcsw;
	int32_t ru_nivcsw;
};

_Static_assert(sizeof(struct linux_rusage) == 72, "rv32 struct rusage is 72 bytes");

#define LINUX_UTSNAME_LENGTH 65

struct linux_utsname {
	char sysname[LINUX_UTSNAME_LENGTH];
	char nodename[LINUX_UTSNAME_LENGTH];
	char release[LINUX_UTSNAME_LENGTH];
	char version[LINUX_UTSNAME_LENGTH];
	char machine[LINUX_UTSNAME_LENGTH];
	char domainname[LINUX_UTSNAME_LENGTH];
};

/* True when a raw syscall result encodes -errno. */
static inline int linux_is_error(long ret)
{
	return (unsigned long)ret > -(unsigned long)(LINUX_MAX_ERRNO + 1);
}

static inline long syscall0(long n)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0");
	__asm__ volatile("ecall" : "=r"(a0) : "r"(a7) : "memory");
	return a0;
}

static inline long syscall1(long n, long arg0)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = arg0;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
	return a0;
}

static inline long syscall2(long n, long arg0, long arg1)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = arg0;
	register long a1 __asm__("a1") = arg1;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1) : "memory");
	return a0;
}

static inline long syscall3(long n, long arg0, long arg1, long arg2)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = arg0;
	register long a1 __asm__("a1") = arg1;
	register long a2 __asm__("a2") = arg2;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2) : "memory");
	return a0;
}

static inline long syscall4(long n, long arg0, long arg1, long arg2, long arg3)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = arg0;
	register long a1 __asm__("a1") = arg1;
	register long a2 __asm__("a2") = arg2;
	register long a3 __asm__("a3") = arg3;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2), "r"(a3) : "memory");
	return a0;
}

static inline long syscall5(long n, long arg0, long arg1, long arg2, long arg3, long arg4)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = arg0;
	register long a1 __asm__("a1") = arg1;
	register long a2 __asm__("a2") = arg2;
	register long a3 __asm__("a3") = arg3;
	register long a4 __asm__("a4") = arg4;
	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4)
			 : "memory");
	return a0;
}

static inline long syscall6(long n, long arg0, long arg1, long arg2, long arg3, long arg4,
			    long arg5)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = arg0;
	register long a1 __asm__("a1") = arg1;
	register long a2 __asm__("a2") = arg2;
	register long a3 __asm__("a3") = arg3;
	register long a4 __asm__("a4") = arg4;
	register long a5 __asm__("a5") = arg5;
	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
			 : "memory");
	return a0;
}

#endif
