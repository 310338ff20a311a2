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
 * calls (clock_gettime64) and no fstat: statx stands in for it.
 */
#define SYS_unlinkat 35
#define SYS_openat 56
#define SYS_close 57
#define SYS_llseek 62
#define SYS_read 63
#define SYS_write 64
#define SYS_exit_group 94
#define SYS_kill 129
#define SYS_rt_sigprocmask 135
#define SYS_times 153
#define SYS_uname 160
#define SYS_getpid 172
#define SYS_brk 214
#define SYS_mmap2 222
#define SYS_getrandom 278
#define SYS_statx 291
#define SYS_clock_gettime64 403

/* Raw results in [-LINUX_MAX_ERRNO, -1] are -errno. */
#define LINUX_MAX_ERRNO 4095

#define LINUX_EINTR 4

#define LINUX_AT_FDCWD (-100)
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

#define LINUX_SIG_BLOCK 0
#define LINUX_SIG_UNBLOCK 1
#define LINUX_SIG_SETMASK 2

#define LINUX_CLOCK_REALTIME 0
#define LINUX_CLOCK_MONOTONIC 1

#define LINUX_STATX_BASIC_STATS 0x7ffu

#define LINUX_PROT_READ 0x1
#define LINUX_PROT_WRITE 0x2
#define LINUX_PROT_EXEC 0x4
#define LINUX_MAP_PRIVATE 0x02
#define LINUX_MAP_ANONYMOUS 0x20

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
