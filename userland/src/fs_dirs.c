/*
 * fs_dirs.c: the name space, in the current directory: mkdir and rmdir with
 * their errors, directory link counts, chdir/getcwd/fchdir round trips
 * through "..", readdir (exact names, d_type and d_ino; a directory larger
 * than one getdents64 buffer; rewinddir), rename of files and directories
 * (over an existing file, over an empty directory, into its own subtree),
 * hard links, symbolic links (readlink, lstat against stat, dangling, a
 * loop, O_NOFOLLOW, a directory reached through one), the *at calls on a
 * directory descriptor, and the 255-byte name limit. Ends by checking that
 * everything it made is gone. Prints one line per fact, then `ok`.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_check.h"
#include "posix_ext.h"

#define MANY 300

static char start[1024];

/* getcwd, required to be start followed by suffix. */
static int cwd_is(const char *suffix)
{
	char cwd[1024];

	CHECK(getcwd(cwd, sizeof(cwd)) == cwd);
	size_t length = strlen(start);
	return strncmp(cwd, start, length) == 0 && strcmp(cwd + length, suffix) == 0;
}

static ino_t inode_of(const char *path)
{
	struct stat st;

	CHECK(lstat(path, &st) == 0);
	return st.st_ino;
}

static nlink_t links_of(const char *path)
{
	struct stat st;

	CHECK(lstat(path, &st) == 0);
	return st.st_nlink;
}

static void making_and_removing(void)
{
	struct stat st;

	CHECK(mkdir("d", 0755) == 0);
	CHECK(stat("d", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755);
	CHECK_ERRNO(mkdir("d", 0755), EEXIST);
	put_file("file", "x");
	CHECK_ERRNO(mkdir("file", 0755), EEXIST);
	printf("mkdir makes a directory (mode 0755); again, or over a file: EEXIST\n");

	CHECK(mkdir("d/e", 0755) == 0 && mkdir("d/e/f", 0755) == 0);
	CHECK(stat("d/e/f", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_ERRNO(mkdir("missing/x", 0755), ENOENT);
	CHECK_ERRNO(mkdir("file/x", 0755), ENOTDIR);
	printf("nested mkdir d/e/f; a missing parent: ENOENT; a file as parent: ENOTDIR\n");

	CHECK(links_of("d") == 3 && links_of("d/e/f") == 2);
	printf("a directory has 2 links plus 1 per subdirectory\n");

	CHECK_ERRNO(rmdir("d"), ENOTEMPTY);
	CHECK_ERRNO(rmdir("file"), ENOTDIR);
	CHECK_ERRNO(unlink("d/e/f"), EISDIR);
	CHECK(rmdir("d/e/f") == 0 && rmdir("d/e") == 0);
	CHECK(links_of("d") == 2);
	CHECK(rmdir("d") == 0);
	CHECK_ERRNO(rmdir("d"), ENOENT);
	CHECK(unlink("file") == 0);
	printf("rmdir: non-empty ENOTEMPTY, a file ENOTDIR, gone ENOENT; unlink of a directory: "
	       "EISDIR\n");
}

static void working_directory(void)
{
	char small[2];

	CHECK(mkdir("w", 0755) == 0 && mkdir("w/x", 0755) == 0 && mkdir("w/x/y", 0755) == 0);
	int here = open(".", O_RDONLY | O_DIRECTORY);
	CHECK(here >= 0);
	CHECK(chdir("w/x/y") == 0 && cwd_is("/w/x/y"));
	CHECK(chdir("..") == 0 && cwd_is("/w/x"));
	CHECK(chdir("y/../..") == 0 && cwd_is("/w"));
	CHECK(chdir("./x/.//y/") == 0 && cwd_is("/w/x/y"));
	CHECK(chdir("../../..") == 0 && cwd_is(""));
	printf("chdir and getcwd round trip through w/x/y, .., y/../.. and back\n");

	CHECK(chdir("w/x") == 0);
	CHECK(fchdir(here) == 0 && cwd_is(""));
	CHECK(close(here) == 0);
	CHECK(getcwd(small, sizeof(small)) == NULL && errno == ERANGE);
	char *allocated = getcwd(NULL, 0);
	CHECK(allocated != NULL && strcmp(allocated, start) == 0);
	free(allocated);
	CHECK_ERRNO(chdir("missing"), ENOENT);
	put_file("file", "x");
	CHECK_ERRNO(chdir("file"), ENOTDIR);
	CHECK(unlink("file") == 0);
	printf("fchdir returns; getcwd: too small ERANGE, NULL allocates; chdir: ENOENT, "
	       "ENOTDIR\n");

	CHECK(rmdir("w/x/y") == 0 && rmdir("w/x") == 0 && rmdir("w") == 0);
}

/* The one entry of names[] a readdir name matches, or -1. */
static int find_name(const char *const names[], int count, const char *name)
{
	for (int i = 0; i < count; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static void listing(void)
{
	static const char *const names[] = { ".", "..", "f1", "f2", "sub", "ln" };
	static const unsigned char types[] = { DT_DIR, DT_DIR, DT_REG, DT_REG, DT_DIR, DT_LNK };
	const int count = (int)(sizeof(names) / sizeof(names[0]));
	int seen[6] = { 0 };
	char path[300];

	CHECK(mkdir("r", 0755) == 0 && mkdir("r/sub", 0755) == 0);
	put_file("r/f1", "1");
	put_file("r/f2", "2");
	CHECK(symlink("f1", "r/ln") == 0);
	DIR *dir = opendir("r");
	CHECK(dir != NULL);
	struct dirent *entry;
	int total = 0;
	while ((errno = 0, entry = readdir(dir)) != NULL) {
		int i = find_name(names, count, entry->d_name);

		CHECK(i >= 0 && seen[i] == 0);
		seen[i] = 1;
		CHECK(entry->d_type == types[i]);
		snprintf(path, sizeof(path), "r/%s", entry->d_name);
		CHECK(entry->d_ino == inode_of(path));
		total++;
	}
	CHECK(errno == 0 && total == count);
	printf("readdir lists exactly ., .., f1, f2, sub, ln with d_type and d_ino\n");

	rewinddir(dir);
	total = 0;
	while (readdir(dir) != NULL)
		total++;
	CHECK(total == count);
	CHECK(closedir(dir) == 0);
	printf("rewinddir starts again: 6 entries\n");

	CHECK(unlink("r/ln") == 0 && unlink("r/f1") == 0 && unlink("r/f2") == 0);
	CHECK(rmdir("r/sub") == 0 && rmdir("r") == 0);

	static unsigned char found[MANY];
	CHECK(mkdir("many", 0755) == 0);
	for (int i = 0; i < MANY; i++) {
		snprintf(path, sizeof(path), "many/file%03d", i);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		CHECK(fd >= 0 && close(fd) == 0);
	}
	dir = opendir("many");
	CHECK(dir != NULL);
	total = 0;
	while ((errno = 0, entry = readdir(dir)) != NULL) {
		int i;

		total++;
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		CHECK(sscanf(entry->d_name, "file%03d", &i) == 1 && i >= 0 && i < MANY);
		CHECK(found[i] == 0);
		found[i] = 1;
	}
	CHECK(errno == 0 && total == MANY + 2);
	CHECK(closedir(dir) == 0);
	for (int i = 0; i < MANY; i++) {
		snprintf(path, sizeof(path), "many/file%03d", i);
		CHECK(unlink(path) == 0);
	}
	CHECK(rmdir("many") == 0);
	printf("readdir of %d files (several getdents64 buffers) sees each once\n", MANY);

	CHECK(opendir("missing") == NULL && errno == ENOENT);
	put_file("file", "x");
	CHECK(opendir("file") == NULL && errno == ENOTDIR);
	CHECK(unlink("file") == 0);
	printf("opendir: missing ENOENT, a file ENOTDIR\n");
}

static void renaming(void)
{
	struct stat st;

	put_file("r1", "one");
	CHECK(rename("r1", "r2") == 0);
	CHECK_ERRNO(stat("r1", &st), ENOENT);
	CHECK(file_is("r2", "one"));
	put_file("r3", "three");
	ino_t moved = inode_of("r2");
	CHECK(rename("r2", "r3") == 0);
	CHECK_ERRNO(stat("r2", &st), ENOENT);
	CHECK(file_is("r3", "one") && inode_of("r3") == moved);
	CHECK(rename("r3", "r3") == 0 && file_is("r3", "one"));
	printf("rename a file; over an existing file (replaced); onto itself (no change)\n");

	CHECK(mkdir("d1", 0755) == 0);
	put_file("d1/inner", "in");
	CHECK(rename("d1", "d2") == 0);
	CHECK_ERRNO(stat("d1", &st), ENOENT);
	CHECK(file_is("d2/inner", "in"));
	CHECK(mkdir("d2/sub", 0755) == 0);
	CHECK_ERRNO(rename("d2", "d2/sub/d2"), EINVAL);
	CHECK_ERRNO(rename("d2", "d2/inside"), EINVAL);
	CHECK(rmdir("d2/sub") == 0);
	printf("rename a directory with its contents; into its own subtree: EINVAL\n");

	CHECK(mkdir("full", 0755) == 0);
	put_file("full/y", "y");
	CHECK_ERRNO(rename("d2", "full"), ENOTEMPTY);
	CHECK(mkdir("empty", 0755) == 0);
	CHECK(rename("d2", "empty") == 0);
	CHECK(file_is("empty/inner", "in"));
	CHECK_ERRNO(rename("r3", "empty"), EISDIR);
	CHECK_ERRNO(rename("empty", "r3"), ENOTDIR);
	CHECK_ERRNO(rename("missing", "r4"), ENOENT);
	printf("rename a directory: over a non-empty one ENOTEMPTY, over an empty one ok; "
	       "file over directory EISDIR; directory over file ENOTDIR\n");

	int dirfd = open("empty", O_RDONLY | O_DIRECTORY);
	CHECK(dirfd >= 0);
	CHECK(renameat(dirfd, "inner", AT_FDCWD, "outer") == 0);
	CHECK(file_is("outer", "in"));
	CHECK(close(dirfd) == 0);
	printf("renameat between a directory descriptor and the working directory\n");

	CHECK(unlink("outer") == 0 && unlink("r3") == 0 && unlink("full/y") == 0);
	CHECK(rmdir("full") == 0 && rmdir("empty") == 0);
}

static void hard_links(void)
{
	put_file("h1", "data");
	CHECK(link("h1", "h2") == 0);
	CHECK(links_of("h1") == 2 && links_of("h2") == 2 && inode_of("h1") == inode_of("h2"));
	int fd = open("h2", O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	write_all(fd, "+more", 5);
	CHECK(close(fd) == 0);
	CHECK(file_is("h1", "data+more"));
	printf("link: both names have 2 links and one inode; a write through one shows in "
	       "the other\n");

	CHECK(unlink("h1") == 0);
	CHECK(links_of("h2") == 1 && file_is("h2", "data+more"));
	CHECK_ERRNO(link("h2", "h2"), EEXIST);
	CHECK_ERRNO(link("missing", "h3"), ENOENT);
	CHECK(mkdir("dir", 0755) == 0);
	CHECK_ERRNO(link("dir", "dir2"), EPERM);
	CHECK(rmdir("dir") == 0);
	printf("after unlink 1 link remains; link: existing EEXIST, missing ENOENT, a "
	       "directory EPERM\n");
}

static void symbolic_links(void)
{
	char buf[64];
	struct stat st;

	CHECK(symlink("h2", "s1") == 0);
	CHECK(readlink("s1", buf, sizeof(buf)) == 2 && memcmp(buf, "h2", 2) == 0);
	CHECK(readlink("s1", buf, 1) == 1 && buf[0] == 'h');
	CHECK(lstat("s1", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 2);
	CHECK(stat("s1", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 9);
	CHECK(st.st_ino == inode_of("h2"));
	CHECK(file_is("s1", "data+more"));
	CHECK_ERRNO(readlink("h2", buf, sizeof(buf)), EINVAL);
	CHECK_ERRNO(symlink("elsewhere", "s1"), EEXIST);
	printf("symlink: readlink (and truncated), lstat sees the link, stat and open the "
	       "target; readlink of a file EINVAL\n");

	CHECK(symlink("nowhere", "dangling") == 0);
	CHECK_ERRNO(open("dangling", O_RDONLY), ENOENT);
	CHECK_ERRNO(stat("dangling", &st), ENOENT);
	CHECK(lstat("dangling", &st) == 0 && S_ISLNK(st.st_mode));
	printf("a dangling symlink: open and stat ENOENT, lstat ok\n");

	CHECK(symlink("loop-b", "loop-a") == 0 && symlink("loop-a", "loop-b") == 0);
	CHECK_ERRNO(open("loop-a", O_RDONLY), ELOOP);
	CHECK_ERRNO(stat("loop-b", &st), ELOOP);
	CHECK_ERRNO(open("s1", O_RDONLY | O_NOFOLLOW), ELOOP);
	printf("a loop a -> b -> a: ELOOP; O_NOFOLLOW on a symlink: ELOOP\n");

	CHECK(mkdir("real", 0755) == 0);
	put_file("real/file", "via");
	CHECK(symlink("real", "alias") == 0);
	CHECK(file_is("alias/file", "via"));
	CHECK(chdir("alias") == 0 && cwd_is("/real"));
	CHECK(chdir("..") == 0 && cwd_is(""));
	printf("a path through a symlinked directory; getcwd there names the real one\n");

	CHECK(unlink("alias") == 0 && unlink("real/file") == 0 && rmdir("real") == 0);
	CHECK(unlink("s1") == 0 && file_is("h2", "data+more"));
	CHECK(unlink("dangling") == 0 && unlink("loop-a") == 0 && unlink("loop-b") == 0);
	CHECK(unlink("h2") == 0);
	printf("unlink of a symlink leaves its target\n");
}

static void at_calls(void)
{
	char buf[16];
	struct stat st;

	CHECK(mkdir("at", 0755) == 0);
	int dirfd = open("at", O_RDONLY | O_DIRECTORY);
	CHECK(dirfd >= 0);
	CHECK(mkdirat(dirfd, "sub", 0755) == 0);
	int fd = openat(dirfd, "sub/file", O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	write_all(fd, "at!", 3);
	CHECK(close(fd) == 0);
	CHECK(fstatat(dirfd, "sub/file", &st, 0) == 0 && st.st_size == 3);
	CHECK(symlinkat("sub/file", dirfd, "link") == 0);
	CHECK(readlinkat(dirfd, "link", buf, sizeof(buf)) == 8 && memcmp(buf, "sub/file", 8) == 0);
	CHECK(fstatat(dirfd, "link", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
	CHECK(fstatat(dirfd, "link", &st, 0) == 0 && S_ISREG(st.st_mode));
	CHECK(linkat(dirfd, "sub/file", AT_FDCWD, "hard", 0) == 0 && links_of("hard") == 2);
	CHECK(fstatat(dirfd, "", &st, AT_EMPTY_PATH) == 0 && st.st_ino == inode_of("at"));
	CHECK(faccessat(dirfd, "sub/file", R_OK, 0) == 0);
	CHECK_ERRNO(unlinkat(dirfd, "sub", AT_REMOVEDIR), ENOTEMPTY);
	CHECK_ERRNO(unlinkat(dirfd, "sub", 0), EISDIR);
	CHECK(unlinkat(dirfd, "sub/file", 0) == 0 && unlinkat(dirfd, "link", 0) == 0);
	CHECK(unlinkat(dirfd, "sub", AT_REMOVEDIR) == 0);
	CHECK(close(dirfd) == 0);
	CHECK(unlink("hard") == 0 && rmdir("at") == 0);
	printf("mkdirat, openat, fstatat, symlinkat, readlinkat, linkat, faccessat, unlinkat "
	       "resolve from a directory descriptor\n");
}

static void long_names(void)
{
	char name[258];
	struct stat st;

	memset(name, 'n', 255);
	name[255] = '\0';
	int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0 && close(fd) == 0);
	CHECK(stat(name, &st) == 0);
	DIR *dir = opendir(".");
	CHECK(dir != NULL);
	struct dirent *entry;
	int found = 0;
	while ((entry = readdir(dir)) != NULL)
		found += strcmp(entry->d_name, name) == 0;
	CHECK(closedir(dir) == 0 && found == 1);
	CHECK(unlink(name) == 0);
	printf("a 255-byte name: created, stat, listed by readdir, unlinked\n");

	name[255] = 'n';
	name[256] = '\0';
	CHECK_ERRNO(open(name, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
	CHECK_ERRNO(mkdir(name, 0755), ENAMETOOLONG);
	CHECK_ERRNO(stat(name, &st), ENAMETOOLONG);
	printf("a 256-byte name: ENAMETOOLONG\n");
}

/* The working directory holds only . and .. again. */
static void all_gone(void)
{
	DIR *dir = opendir(".");
	struct dirent *entry;
	int others = 0;

	CHECK(dir != NULL);
	while ((entry = readdir(dir)) != NULL)
		others += strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0;
	CHECK(closedir(dir) == 0);
	CHECK(others == 0);
	printf("everything made is gone\n");
}

int main(void)
{
	/* The modes checked below are what mkdir asked for, whatever mask the caller had. */
	umask(022);
	CHECK(getcwd(start, sizeof(start)) == start);
	making_and_removing();
	working_directory();
	listing();
	renaming();
	hard_links();
	symbolic_links();
	at_calls();
	long_names();
	all_gone();
	printf("ok\n");
	return 0;
}
