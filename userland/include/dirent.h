/*
 * dirent.h: directory streams, on getdents64 (lib/dir.c). It takes the place
 * of picolibc's <dirent.h>, whose <sys/dirent.h> is an #error in this
 * configuration. d_ino holds the same low 16 bits of the inode number that
 * picolibc's 16-bit st_ino does, so the two compare equal for one file;
 * d_type is Linux's DT_* value (DT_UNKNOWN where the file system does not
 * say).
 */
#ifndef _DIRENT_H_
#define _DIRENT_H_

#include <sys/types.h>

#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

struct dirent {
	ino_t d_ino;
	unsigned char d_type;
	char d_name[256];
};

typedef struct dirstream DIR;

/* Opens path (which must be a directory) with O_CLOEXEC. */
DIR *opendir(const char *path);
/* Takes over fd, which must be open on a directory; closedir closes it. */
DIR *fdopendir(int fd);
/*
 * The next entry ("." and ".." included), or NULL at the end (errno
 * unchanged) or on an error (errno set). The entry stays valid until the
 * next readdir or closedir on the same stream.
 */
struct dirent *readdir(DIR *dir);
/* Starts the stream again from the first entry. */
void rewinddir(DIR *dir);
int closedir(DIR *dir);
int dirfd(DIR *dir);

#endif
