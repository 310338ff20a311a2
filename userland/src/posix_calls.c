/*
 * posix_calls.c: POSIX calls a ported program (SQLite's os_unix.c, say) needs beyond ISO C:
 * the user ids, sysconf's sizes, fchown to the owner there is, utimes, FILENAME_MAX and
 * <sys/mman.h>. It works in /tmp and prints one line per fact, then `ok`, the same under
 * qemu-riscv32 as on denix.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "fs_check.h"

int main(void)
{
	char path[64];

	CHECK(getuid() == geteuid() && getgid() == getegid());
	printf("getuid = geteuid, getgid = getegid\n");

	CHECK(sysconf(_SC_PAGESIZE) == 4096 && sysconf(_SC_CLK_TCK) == 100);
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1 && sysconf(_SC_OPEN_MAX) >= 64);
	errno = 0;
	CHECK(sysconf(-1) == -1 && errno == EINVAL);
	printf("sysconf: page 4096, tick 100, processors and descriptors, EINVAL\n");

	snprintf(path, sizeof path, "/tmp/posix_calls.%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);

	CHECK(fd >= 0);
	CHECK(fchown(fd, (uid_t)-1, (gid_t)-1) == 0);
	CHECK(fchown(-1, (uid_t)-1, (gid_t)-1) == -1 && errno == EBADF);
	printf("fchown: no change is fine, a bad descriptor EBADF\n");

	struct timeval tv[2] = { { 1000000000, 250000 }, { 1234567890, 500000 } };
	struct stat st;

	CHECK(utimes(path, tv) == 0 && stat(path, &st) == 0);
	CHECK(st.st_mtime == 1234567890 && st.st_atime == 1000000000);
	tv[1].tv_usec = 1000000;
	CHECK(utimes(path, tv) == -1 && errno == EINVAL);
	CHECK(utimes("/tmp/posix_calls.missing", NULL) == -1 && errno == ENOENT);
	printf("utimes: sets both times, EINVAL, ENOENT\n");
	CHECK(close(fd) == 0 && unlink(path) == 0);

	CHECK(FILENAME_MAX >= 256);
	char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(page != MAP_FAILED);
	page[4095] = 7;
	CHECK(page[4095] == 7 && munmap(page, 4096) == 0);
	printf("FILENAME_MAX, and mmap from <sys/mman.h>\n");
	printf("ok\n");
	return 0;
}
