/*
 * file_tree.h: copying and removing whole trees, shared by cp, mv and rm as
 * static inline functions, plus the "last operand is the target" rule cp,
 * mv and ln share. A copy recreates directories, regular files (contents
 * and permission bits, less the umask unless modes are preserved) and
 * symbolic links (their targets, unfollowed below the command line);
 * preserving (cp -p, mv across file systems) also sets the exact mode and
 * the access and modification times. Messages name the program and follow
 * GNU's wording ("cp: cannot stat 'x': No such file or directory").
 */
#ifndef FILE_TREE_H
#define FILE_TREE_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux_syscall.h"
#include "posix_ext.h"

struct tree_options {
	const char *program;
	int recursive;   /* copy directories (cp -r) */
	int preserve;    /* exact modes and times (cp -p, mv) */
	int follow_top;  /* follow a command-line symbolic link (cp without -r) */
	int force;       /* remove a destination that cannot be opened, and retry (cp -f) */
	/* State of one command-line operand's copy (tree_copy with top set resets it). */
	const char *top_src;
	int created;      /* a directory was created: the one below */
	uint64_t created_ino;
	uint32_t created_major, created_minor;
	int into_self;    /* the copy met its own first directory: stop it */
};

static inline void tree_error(const char *program, const char *what, const char *path, int err)
{
	fflush(stdout);
	if (err != 0)
		fprintf(stderr, "%s: %s '%s': %s\n", program, what, path, strerror(err));
	else
		fprintf(stderr, "%s: %s '%s'\n", program, what, path);
}

/* dir + "/" + name, without doubling a slash; NULL when out of memory. */
static inline char *tree_join(const char *dir, const char *name)
{
	size_t len = strlen(dir);
	char *path = malloc(len + strlen(name) + 2);

	if (path == NULL)
		return NULL;
	memcpy(path, dir, len);
	if (len == 0 || dir[len - 1] != '/')
		path[len++] = '/';
	strcpy(path + len, name);
	return path;
}

/* The last component of path, trailing slashes ignored, copied into a fresh string. */
static inline char *tree_basename(const char *path)
{
	size_t end = strlen(path);
	size_t start;
	char *name;

	while (end > 1 && path[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	name = malloc(end - start + 1);
	if (name != NULL) {
		memcpy(name, path + start, end - start);
		name[end - start] = '\0';
	}
	return name;
}

static inline mode_t tree_umask(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return mask;
}

static inline void tree_set_times(const char *path, const struct stat *st, int flags)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };

	utimensat(AT_FDCWD, path, times, flags);
}

static inline int tree_copy_file(struct tree_options *o, const char *src, const char *dst,
				 const struct stat *st)
{
	static char buffer[128 * 1024];
	int in = open(src, O_RDONLY);
	int out;
	ssize_t n;
	int failed = 0;

	if (in < 0) {
		tree_error(o->program, "cannot open", src, errno);
		return -1;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, st->st_mode & 0777);
	if (out < 0 && o->force && errno != ENOENT && unlink(dst) == 0)
		out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, st->st_mode & 0777);
	if (out < 0) {
		tree_error(o->program, "cannot create regular file", dst, errno);
		close(in);
		return -1;
	}
	while ((n = read(in, buffer, sizeof(buffer))) > 0) {
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buffer + done, (size_t)(n - done));

			if (w < 0) {
				tree_error(o->program, "error writing", dst, errno);
				failed = 1;
				break;
			}
			done += w;
		}
		if (failed)
			break;
	}
	if (n < 0) {
		tree_error(o->program, "error reading", src, errno);
		failed = 1;
	}
	if (o->preserve) {
		struct timespec times[2] = { st->st_atim, st->st_mtim };

		fchmod(out, st->st_mode & 07777);
		futimens(out, times);
	}
	close(in);
	if (close(out) < 0 && !failed) {
		tree_error(o->program, "error writing", dst, errno);
		failed = 1;
	}
	return failed ? -1 : 0;
}

static inline int tree_copy(struct tree_options *o, const char *src, const char *dst, int top);

struct tree_name {
	char *name;
	uint64_t ino;
};

static inline int tree_by_inode(const void *a, const void *b)
{
	uint64_t x = ((const struct tree_name *)a)->ino;
	uint64_t y = ((const struct tree_name *)b)->ino;

	return x < y ? -1 : x > y;
}

/*
 * The names in directory path but "." and "..", in inode order (the order
 * GNU cp copies them in); *count of them, NULL with errno on a failure.
 */
static inline struct tree_name *tree_names(const char *path, size_t *count)
{
	DIR *dir = opendir(path);
	struct tree_name *names = NULL;
	size_t room = 0;
	struct dirent *d;

	*count = 0;
	if (dir == NULL)
		return NULL;
	while ((d = readdir(dir)) != NULL) {
		struct linux_statx sx;

		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (*count == room) {
			struct tree_name *more;

			room = room ? room * 2 : 16;
			more = realloc(names, room * sizeof(*names));
			if (more == NULL) {
				errno = ENOMEM;
				break;
			}
			names = more;
		}
		names[*count].name = strdup(d->d_name);
		if (names[*count].name == NULL)
			break;
		names[*count].ino = statx(dirfd(dir), d->d_name, AT_SYMLINK_NOFOLLOW,
					  LINUX_STATX_BASIC_STATS, &sx) == 0
					    ? sx.stx_ino
					    : 0;
		(*count)++;
	}
	closedir(dir);
	if (names == NULL)
		names = malloc(sizeof(*names));
	if (names != NULL)
		qsort(names, *count, sizeof(*names), tree_by_inode);
	return names;
}

static inline int tree_copy_dir(struct tree_options *o, const char *src, const char *dst,
				const struct stat *st)
{
	struct stat dst_st;
	struct tree_name *names;
	size_t count;
	int created = 0;
	int failed = 0;

	if (lstat(dst, &dst_st) == 0) {
		if (!S_ISDIR(dst_st.st_mode)) {
			fflush(stdout);
			fprintf(stderr,
				"%s: cannot overwrite non-directory '%s' with directory '%s'\n",
				o->program, dst, src);
			return -1;
		}
	} else if (mkdir(dst, (st->st_mode & 07777) | S_IRWXU) == 0) {
		struct linux_statx sx;

		created = 1;
		if (!o->created && statx(AT_FDCWD, dst, AT_SYMLINK_NOFOLLOW,
					 LINUX_STATX_BASIC_STATS, &sx) == 0) {
			o->created = 1;
			o->created_ino = sx.stx_ino;
			o->created_major = sx.stx_dev_major;
			o->created_minor = sx.stx_dev_minor;
		}
	} else {
		tree_error(o->program, "cannot create directory", dst, errno);
		return -1;
	}
	names = tree_names(src, &count);
	if (names == NULL) {
		tree_error(o->program, "cannot access", src, errno);
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		char *from = o->into_self ? NULL : tree_join(src, names[i].name);
		char *to = o->into_self ? NULL : tree_join(dst, names[i].name);

		if (!o->into_self && (from == NULL || to == NULL || tree_copy(o, from, to, 0) != 0))
			failed = 1;
		free(from);
		free(to);
		free(names[i].name);
	}
	free(names);
	if (o->preserve) {
		chmod(dst, st->st_mode & 07777);
		tree_set_times(dst, st, 0);
	} else if (created) {
		mode_t want = st->st_mode & 07777 & ~tree_umask();

		if ((want & S_IRWXU) != S_IRWXU)
			chmod(dst, want);
	}
	return failed ? -1 : 0;
}

/* Is src the directory this operand's copy created first (a copy into itself)? */
static inline int tree_is_created(const struct tree_options *o, const char *src)
{
	struct linux_statx sx;

	return o->created &&
	       statx(AT_FDCWD, src, AT_SYMLINK_NOFOLLOW, LINUX_STATX_BASIC_STATS, &sx) == 0 &&
	       sx.stx_ino == o->created_ino && sx.stx_dev_major == o->created_major &&
	       sx.stx_dev_minor == o->created_minor;
}

/*
 * Do src and dst name one file (each itself, or what its symbolic link leads
 * to when followed)? statx, for the whole inode number.
 */
static inline int tree_same_file(const char *src, int follow_src, const char *dst, int follow_dst)
{
	struct linux_statx a, b;

	return statx(AT_FDCWD, src, follow_src ? 0 : AT_SYMLINK_NOFOLLOW,
		     LINUX_STATX_BASIC_STATS, &a) == 0 &&
	       statx(AT_FDCWD, dst, follow_dst ? 0 : AT_SYMLINK_NOFOLLOW,
		     LINUX_STATX_BASIC_STATS, &b) == 0 &&
	       a.stx_ino == b.stx_ino && a.stx_dev_major == b.stx_dev_major &&
	       a.stx_dev_minor == b.stx_dev_minor;
}

/*
 * Copies src to the path dst (not into it); 0, or -1 after a message. top:
 * a command-line operand. Copying a directory into itself stops the
 * operand's copy where it meets the directory it created, as GNU cp does.
 */
static inline int tree_copy(struct tree_options *o, const char *src, const char *dst, int top)
{
	struct stat st;
	struct stat dst_st;
	int dst_exists;
	int r;

	if (top) {
		o->top_src = src;
		o->created = 0;
		o->into_self = 0;
	}
	r = top && o->follow_top ? stat(src, &st) : lstat(src, &st);
	if (r != 0) {
		tree_error(o->program, "cannot stat", src, errno);
		return -1;
	}
	dst_exists = lstat(dst, &dst_st) == 0;
	if (S_ISDIR(st.st_mode)) {
		if (!o->recursive) {
			fflush(stdout);
			fprintf(stderr, "%s: -r not specified; omitting directory '%s'\n",
				o->program, src);
			return -1;
		}
		if (tree_is_created(o, src)) {
			fflush(stdout);
			fprintf(stderr, "%s: cannot copy a directory, '%s', into itself, '%s'\n",
				o->program, o->top_src, dst);
			o->into_self = 1;
			return -1;
		}
		return tree_copy_dir(o, src, dst, &st);
	}
	if (dst_exists && S_ISDIR(dst_st.st_mode)) {
		fflush(stdout);
		fprintf(stderr, "%s: cannot overwrite directory '%s' with non-directory\n",
			o->program, dst);
		return -1;
	}
	if (dst_exists && tree_same_file(src, top && o->follow_top, dst, 1)) {
		fflush(stdout);
		fprintf(stderr, "%s: '%s' and '%s' are the same file\n", o->program, src, dst);
		return -1;
	}
	if (S_ISREG(st.st_mode))
		return tree_copy_file(o, src, dst, &st);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(src, target, sizeof(target) - 1);

		if (n < 0) {
			tree_error(o->program, "cannot read symbolic link", src, errno);
			return -1;
		}
		target[n] = '\0';
		if (dst_exists && unlink(dst) != 0) {
			tree_error(o->program, "cannot remove", dst, errno);
			return -1;
		}
		if (symlink(target, dst) != 0) {
			tree_error(o->program, "cannot create symbolic link", dst, errno);
			return -1;
		}
		if (o->preserve)
			tree_set_times(dst, &st, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	tree_error(o->program, "cannot copy special file", src, ENOTSUP);
	return -1;
}

/*
 * Removes path: a directory with everything in it when recursive, otherwise
 * only a non-directory (EISDIR for a directory). 0, or -1 after a message.
 */
static inline int tree_remove(const char *program, const char *path, int recursive)
{
	struct stat st;
	DIR *dir;
	struct dirent *d;
	int failed = 0;

	if (lstat(path, &st) != 0) {
		tree_error(program, "cannot remove", path, errno);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) != 0) {
			tree_error(program, "cannot remove", path, errno);
			return -1;
		}
		return 0;
	}
	if (!recursive) {
		tree_error(program, "cannot remove", path, EISDIR);
		return -1;
	}
	dir = opendir(path);
	if (dir == NULL) {
		tree_error(program, "cannot remove", path, errno);
		return -1;
	}
	/* Names are gathered first: removing while reading would move the stream's place. */
	{
		char **names = NULL;
		size_t count = 0, room = 0;

		while ((d = readdir(dir)) != NULL) {
			if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
				continue;
			if (count == room) {
				char **more;

				room = room ? room * 2 : 16;
				more = realloc(names, room * sizeof(*names));
				if (more == NULL)
					break;
				names = more;
			}
			names[count] = tree_join(path, d->d_name);
			if (names[count] != NULL)
				count++;
		}
		closedir(dir);
		for (size_t i = 0; i < count; i++) {
			if (tree_remove(program, names[i], 1) != 0)
				failed = 1;
			free(names[i]);
		}
		free(names);
	}
	if (failed)
		return -1;
	if (rmdir(path) != 0) {
		tree_error(program, "cannot remove", path, errno);
		return -1;
	}
	return 0;
}

/* Is path an existing directory (following symbolic links)? */
static inline int tree_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The destination of operand i of n (the last is the target): the target
 * itself, or target/basename(operand) when the target is a directory (which
 * it must be for several operands). NULL after a message on a failure.
 */
static inline char *tree_destination(const char *program, const char *operand,
				     const char *target, int target_is_dir)
{
	char *base;
	char *path;

	if (!target_is_dir)
		return strdup(target);
	base = tree_basename(operand);
	path = base ? tree_join(target, base) : NULL;
	free(base);
	if (path == NULL) {
		fflush(stdout);
		fprintf(stderr, "%s: out of memory\n", program);
	}
	return path;
}

/*
 * Checks the operands of cp, mv or ln (count of them, the last the target):
 * 1 with *target_is_dir set when the target is a directory, 0 when it is a
 * single destination, -1 after a message.
 */
static inline int tree_operands(const char *program, int count, char **operands,
				int *target_is_dir)
{
	if (count == 0) {
		fprintf(stderr, "%s: missing file operand\n", program);
		return -1;
	}
	if (count == 1) {
		fprintf(stderr, "%s: missing destination file operand after '%s'\n", program,
			operands[0]);
		return -1;
	}
	*target_is_dir = tree_is_dir(operands[count - 1]);
	if (count > 2 && !*target_is_dir) {
		fprintf(stderr, "%s: target '%s' is not a directory\n", program,
			operands[count - 1]);
		return -1;
	}
	return *target_is_dir;
}

#endif
