/*
 * sys/stat.h: picolibc's, completed with what POSIX's <sys/stat.h> has and
 * picolibc's leaves out in this configuration: lstat, and the tv_nsec values
 * UTIME_NOW and UTIME_OMIT of utimensat and futimens (Linux's values).
 */
#include_next <sys/stat.h>

#ifndef DENIX_SYS_STAT_H
#define DENIX_SYS_STAT_H

#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)

int lstat(const char *restrict path, struct stat *restrict st);

#endif
