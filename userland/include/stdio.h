/*
 * stdio.h: picolibc's, completed with what ISO C's and POSIX's <stdio.h> have
 * and picolibc's leaves out: FILENAME_MAX (the longest path name the system
 * takes, PATH_MAX's 4096 bytes with its NUL) and renameat.
 */
#include_next <stdio.h>

#ifndef DENIX_STDIO_H
#define DENIX_STDIO_H

#ifndef FILENAME_MAX
#define FILENAME_MAX 4096
#endif

int renameat(int old_dirfd, const char *old_path, int new_dirfd, const char *new_path);

#endif
