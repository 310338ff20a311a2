/*
 * fs_meta.c: what a file carries besides its bytes, and the descriptor
 * controls, in the current directory: umask, chmod/fchmod/fchmodat,
 * utimensat/futimens (explicit times, UTIME_OMIT, UTIME_NOW, a symlink's
 * own times) and a write moving mtime; fcntl's F_DUPFD, F_DUPFD_CLOEXEC,
 * F_GETFD/F_SETFD, F_GETFL/F_SETFL; POSIX record locks between two
 * processes (F_GETLK, F_SETLK refused, F_SETLKW waiting, released by close
 * and by exit); statfs and fstatfs; faccessat. Prints one line per fact,
 * then `ok`.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "fs_check.h"
#include "posix_ext.h"

static mode_t mode_of(const char *path)
{
	struct stat st;

	CHECK(lstat(path, &st) == 0);
	return st.st_mode;
}

static void modes(void)
{
	CHECK(umask(027) == 022);
	int fd = open("m", O_WRONLY | O_CREAT | O_EXCL, 0666);
	CHECK(fd >= 0);
	CHECK(mkdir("md", 0777) == 0);
	CHECK(mode_of("m") == (S_IFREG | 0640) && mode_of("md") == (S_IFDIR | 0750));
	CHECK(umask(022) == 027);
	printf("umask 027: open 0666 gives 0640, mkdir 0777 gives 0750; umask returns the old "
	       "mask\n");

	CHECK(chmod("m", 0600) == 0 && mode_of("m") == (S_IFREG | 0600));
	CHECK(fchmod(fd, 04711) == 0 && mode_of("m") == (S_IFREG | 04711));
	CHECK(fchmodat(AT_FDCWD, "md", 0700, 0) == 0 && mode_of("md") == (S_IFDIR | 0700));
	CHECK(symlink("m", "ml") == 0);
	CHECK_ERRNO(fchmodat(AT_FDCWD, "ml", 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
	CHECK(chmod("ml", 0644) == 0 && mode_of("m") == (S_IFREG | 0644));
	CHECK(S_ISLNK(mode_of("ml")));
	CHECK(close(fd) == 0);
	printf("chmod, fchmod (set-user-ID bit too), fchmodat; chmod through a symlink changes "
	       "the target\n");

	CHECK(faccessat(AT_FDCWD, "m", R_OK | W_OK, 0) == 0);
	CHECK(faccessat(AT_FDCWD, "m", R_OK, AT_EACCESS) == 0);
	CHECK_ERRNO(faccessat(AT_FDCWD, "m", R_OK, AT_SYMLINK_NOFOLLOW), EINVAL);
	printf("faccessat with and without AT_EACCESS; another flag: EINVAL\n");
	CHECK(rmdir("md") == 0);
}

/* Seconds equal; nanoseconds equal, or 0 on a file system that keeps only seconds. */
static int same_time(const struct timespec *got, time_t sec, long nsec)
{
	return got->tv_sec == sec && (got->tv_nsec == nsec || got->tv_nsec == 0);
}

static void file_times(void)
{
	struct stat st;
	struct timespec set[2] = {
		{ .tv_sec = 1000000000, .tv_nsec = 123456789 },
		{ .tv_sec = 1234567890, .tv_nsec = 987654321 },
	};
	time_t before = time(NULL);

	CHECK(utimensat(AT_FDCWD, "m", set, 0) == 0);
	CHECK(stat("m", &st) == 0);
	CHECK(same_time(&st.st_atim, 1000000000, 123456789));
	CHECK(same_time(&st.st_mtim, 1234567890, 987654321));
	printf("utimensat sets atime and mtime (nanoseconds where the file system keeps "
	       "them)\n");

	set[0].tv_nsec = UTIME_OMIT;
	set[1].tv_sec = 1500000000;
	set[1].tv_nsec = 0;
	int fd = open("m", O_RDWR);
	CHECK(fd >= 0);
	CHECK(futimens(fd, set) == 0);
	CHECK(fstat(fd, &st) == 0);
	CHECK(same_time(&st.st_atim, 1000000000, 123456789));
	CHECK(same_time(&st.st_mtim, 1500000000, 0));
	set[0].tv_nsec = UTIME_NOW;
	set[1].tv_nsec = UTIME_OMIT;
	CHECK(futimens(fd, set) == 0);
	CHECK(fstat(fd, &st) == 0);
	CHECK(st.st_atim.tv_sec >= before && st.st_atim.tv_sec <= time(NULL) + 1);
	CHECK(same_time(&st.st_mtim, 1500000000, 0));
	printf("futimens: UTIME_OMIT keeps a time, UTIME_NOW sets the current one\n");

	write_all(fd, "changed", 7);
	CHECK(fstat(fd, &st) == 0);
	CHECK(st.st_mtim.tv_sec >= before && st.st_mtim.tv_sec <= time(NULL) + 1);
	CHECK(st.st_ctim.tv_sec >= before);
	CHECK(futimens(fd, NULL) == 0);
	CHECK(close(fd) == 0);
	printf("a write moves mtime and ctime to now\n");

	struct stat target;
	CHECK(stat("m", &target) == 0);
	struct timespec old[2] = { { .tv_sec = 86400, .tv_nsec = 0 },
				   { .tv_sec = 86400, .tv_nsec = 0 } };
	CHECK(utimensat(AT_FDCWD, "ml", old, AT_SYMLINK_NOFOLLOW) == 0);
	CHECK(lstat("ml", &st) == 0 && st.st_mtim.tv_sec == 86400);
	CHECK(stat("m", &st) == 0 && st.st_mtim.tv_sec == target.st_mtim.tv_sec);
	printf("utimensat AT_SYMLINK_NOFOLLOW sets the link's own times, not the target's\n");
	CHECK(unlink("ml") == 0);
}

static void descriptor_flags(void)
{
	char c;
	int fd = open("m", O_RDWR | O_APPEND);

	CHECK(fd >= 0);
	/* Whoever started us may hold descriptors at 10 and up: only "lowest free" is certain. */
	int copy = fcntl(fd, F_DUPFD, 10);
	CHECK(copy >= 10);
	CHECK(close(copy) == 0 && fcntl(fd, F_DUPFD, 10) == copy);
	CHECK(fcntl(copy, F_GETFD) == 0);
	int cloexec = fcntl(fd, F_DUPFD_CLOEXEC, copy);
	CHECK(cloexec > copy && fcntl(cloexec, F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(copy, F_SETFD, FD_CLOEXEC) == 0 && fcntl(copy, F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(copy, F_SETFD, 0) == 0 && fcntl(copy, F_GETFD) == 0);
	int opened = open("m", O_RDONLY | O_CLOEXEC);
	CHECK(opened >= 0 && fcntl(opened, F_GETFD) == FD_CLOEXEC);
	CHECK(close(opened) == 0 && close(cloexec) == 0);
	printf("F_DUPFD and F_DUPFD_CLOEXEC take the lowest free descriptor from their "
	       "minimum; F_GETFD/F_SETFD and O_CLOEXEC\n");

	int flags = fcntl(fd, F_GETFL);
	CHECK((flags & O_ACCMODE) == O_RDWR && (flags & O_APPEND) && !(flags & O_NONBLOCK));
	CHECK(fcntl(fd, F_SETFL, flags & ~O_APPEND) == 0);
	CHECK(!(fcntl(copy, F_GETFL) & O_APPEND));
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	write_all(fd, "C", 1);
	CHECK(pread(fd, &c, 1, 0) == 1 && c == 'C');
	CHECK(close(copy) == 0 && close(fd) == 0);
	printf("F_GETFL shows O_RDWR|O_APPEND; F_SETFL clears O_APPEND for every duplicate\n");

	int fds[2];
	CHECK(pipe(fds) == 0);
	CHECK(fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0);
	CHECK(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
	CHECK_ERRNO(read(fds[0], &c, 1), EAGAIN);
	CHECK(close(fds[0]) == 0 && close(fds[1]) == 0);
	CHECK_ERRNO(fcntl(0, 12345), EINVAL);
	printf("F_SETFL O_NONBLOCK: an empty pipe gives EAGAIN; an unknown command EINVAL\n");
}

/* The lock fd's process would meet over [start, start + length), or F_UNLCK. */
static struct flock probe(int fd, short type, long start, long length)
{
	struct flock lock = { .l_type = type, .l_whence = SEEK_SET, .l_start = start,
			      .l_len = length };

	CHECK(fcntl(fd, F_GETLK, &lock) == 0);
	return lock;
}

static int set_lock(int fd, int cmd, short type, long start, long length)
{
	struct flock lock = { .l_type = type, .l_whence = SEEK_SET, .l_start = start,
			      .l_len = length };

	return fcntl(fd, cmd, &lock);
}

/* The child side of record_locks: its own descriptor, the parent holding [10, 30). */
static void lock_child(int ready, int go)
{
	char c;
	int fd = open("locks", O_RDWR);

	CHECK(fd >= 0);
	struct flock held = probe(fd, F_WRLCK, 0, 35);
	CHECK(held.l_type == F_WRLCK && held.l_start == 10 && held.l_len == 20);
	/* picolibc's l_pid is a short. */
	CHECK(held.l_pid == (short)getppid());
	CHECK(probe(fd, F_RDLCK, 30, 10).l_type == F_UNLCK);
	CHECK(probe(fd, F_RDLCK, 40, 10).l_type == F_UNLCK);
	CHECK(probe(fd, F_WRLCK, 40, 10).l_type == F_RDLCK);
	CHECK_ERRNO(set_lock(fd, F_SETLK, F_RDLCK, 15, 1), EAGAIN);
	CHECK(set_lock(fd, F_SETLK, F_WRLCK, 50, 10) == 0);
	CHECK(write(ready, "r", 1) == 1);
	CHECK(read(go, &c, 1) == 1);
	/* The parent writes byte 0 and then unlocks: holding the lock means seeing that write. */
	CHECK(set_lock(fd, F_SETLKW, F_WRLCK, 0, 40) == 0);
	CHECK(pread(fd, &c, 1, 0) == 1 && c == 'U');
	CHECK(write(ready, "w", 1) == 1);
	CHECK(read(go, &c, 1) == 1);
	/* The parent closed one of its descriptors for the file: all its locks are gone. */
	CHECK(probe(fd, F_WRLCK, 40, 10).l_type == F_UNLCK);
	_exit(0);
}

static void record_locks(void)
{
	char c;
	int ready[2], go[2];
	int fd = open("locks", O_RDWR | O_CREAT | O_EXCL, 0644);

	CHECK(fd >= 0);
	static char zeros[100];
	write_all(fd, zeros, sizeof(zeros));
	CHECK(set_lock(fd, F_SETLK, F_WRLCK, 10, 20) == 0);
	CHECK(set_lock(fd, F_SETLK, F_RDLCK, 40, 10) == 0);
	CHECK(probe(fd, F_WRLCK, 0, 100).l_type == F_UNLCK);
	CHECK(pipe(ready) == 0 && pipe(go) == 0);
	pid_t child = fork_or_fail();
	if (child == 0)
		lock_child(ready[1], go[0]);
	CHECK(read(ready[0], &c, 1) == 1 && c == 'r');
	printf("F_GETLK reports the other process's lock (type, range, pid) and read locks "
	       "sharing; F_SETLK over it: EAGAIN; elsewhere: granted\n");

	/* Give the child time to block in F_SETLKW; its check does not depend on it having. */
	struct timespec pause = { .tv_sec = 0, .tv_nsec = 50 * 1000 * 1000 };
	CHECK(write(go[1], "g", 1) == 1);
	nanosleep(&pause, NULL);
	CHECK(pwrite(fd, "U", 1, 0) == 1);
	CHECK(set_lock(fd, F_SETLK, F_UNLCK, 10, 20) == 0);
	CHECK(read(ready[0], &c, 1) == 1 && c == 'w');
	printf("F_SETLKW waits for the holder to unlock\n");

	CHECK(probe(fd, F_RDLCK, 50, 10).l_type == F_WRLCK);
	int other = open("locks", O_RDONLY);
	CHECK(other >= 0 && close(other) == 0);
	CHECK(write(go[1], "g", 1) == 1);
	CHECK(exited_with(wait_for(child), 0));
	printf("closing any descriptor for the file drops the process's locks\n");

	CHECK(set_lock(fd, F_SETLK, F_WRLCK, 0, 100) == 0);
	printf("the exited child's locks are gone: the whole file locks\n");
	CHECK(close(fd) == 0);
	CHECK(close(ready[0]) == 0 && close(ready[1]) == 0);
	CHECK(close(go[0]) == 0 && close(go[1]) == 0);
	CHECK(unlink("locks") == 0);
}

static void file_systems(void)
{
	struct statfs by_path, by_fd;
	int fd = open("m", O_RDONLY);

	CHECK(fd >= 0);
	CHECK(statfs(".", &by_path) == 0 && fstatfs(fd, &by_fd) == 0);
	CHECK(close(fd) == 0);
	CHECK(by_path.f_type == by_fd.f_type && by_path.f_bsize == by_fd.f_bsize);
	CHECK(by_path.f_blocks == by_fd.f_blocks);
	CHECK(memcmp(&by_path.f_fsid, &by_fd.f_fsid, sizeof(fsid_t)) == 0);
	CHECK(by_path.f_bsize > 0 && by_path.f_blocks > 0);
	CHECK(by_path.f_bfree <= by_path.f_blocks && by_path.f_bavail <= by_path.f_bfree);
	CHECK(by_path.f_namelen == 255);
	struct statfs missing;
	CHECK_ERRNO(statfs("missing", &missing), ENOENT);
	printf("statfs and fstatfs agree: block size and counts, 255-byte names; a missing "
	       "path: ENOENT\n");
}

int main(void)
{
	umask(022);
	modes();
	file_times();
	descriptor_flags();
	record_locks();
	file_systems();
	CHECK(unlink("m") == 0);
	printf("ok\n");
	return 0;
}
