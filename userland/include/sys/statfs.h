/*
 * sys/statfs.h: file system statistics (picolibc has none). struct statfs is
 * the kernel's struct statfs64 as rv32 lays it out (88 bytes, 64-bit counts),
 * which statfs64 and fstatfs64 fill directly. The magic numbers are the
 * f_type values of the file systems denix's VFS serves, Linux's own.
 */
#ifndef _SYS_STATFS_H
#define _SYS_STATFS_H

#include <stdint.h>

#define EXT2_SUPER_MAGIC 0xef53
#define TMPFS_MAGIC 0x01021994
#define PROC_SUPER_MAGIC 0x9fa0

typedef struct {
	int32_t val[2];
} fsid_t;

struct statfs {
	uint32_t f_type;
	uint32_t f_bsize;
	uint64_t f_blocks;
	uint64_t f_bfree;
	uint64_t f_bavail;
	uint64_t f_files;
	uint64_t f_ffree;
	fsid_t f_fsid;
	uint32_t f_namelen;
	uint32_t f_frsize;
	uint32_t f_flags;
	uint32_t f_spare[4];
};

int statfs(const char *path, struct statfs *buf);
int fstatfs(int fd, struct statfs *buf);

#endif
