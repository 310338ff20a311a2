/**
 * What each file system program (userland/src/fs_*.c) prints, line by line, before its final
 * "ok": the same under qemu-riscv32 on the host (fs_programs_qemu_test.ts) and on denix's own
 * VFS (tests/services/vfs/fs_programs_test.ts).
 */

/** Every line each program prints, in order. */
export const EXPECT: Record<string, string[]> = {
  fs_basic: [
    "create, write, read back: 13 bytes, then end of file",
    "O_CREAT|O_EXCL on an existing file: EEXIST",
    "O_TRUNC empties the file",
    "lseek SEEK_SET, SEEK_CUR, SEEK_END",
    "a write past the end leaves a gap of zeros",
    "pread and pwrite leave the offset alone",
    "writev gathers and readv scatters 13 bytes",
    "fstat and stat agree: regular, mode 0644, 10 bytes, 1 link",
    "ftruncate down to 4 bytes, then up to 4106: the new bytes are zeros",
    "fsync, fdatasync and sync succeed",
    "O_APPEND writes at the end whatever the offset",
    "access F_OK and R_OK|W_OK on an existing file: 0",
    "after unlink: open, stat, access and unlink give ENOENT",
    "an unlinked file lives on while open: 0 links, still read and written",
    "stdio: fopen w, a and r, fprintf, fgets, remove",
  ],
  fs_dirs: [
    "mkdir makes a directory (mode 0755); again, or over a file: EEXIST",
    "nested mkdir d/e/f; a missing parent: ENOENT; a file as parent: ENOTDIR",
    "a directory has 2 links plus 1 per subdirectory",
    "rmdir: non-empty ENOTEMPTY, a file ENOTDIR, gone ENOENT; unlink of a directory: EISDIR",
    "chdir and getcwd round trip through w/x/y, .., y/../.. and back",
    "fchdir returns; getcwd: too small ERANGE, NULL allocates; chdir: ENOENT, ENOTDIR",
    "readdir lists exactly ., .., f1, f2, sub, ln with d_type and d_ino",
    "rewinddir starts again: 6 entries",
    "readdir of 300 files (several getdents64 buffers) sees each once",
    "opendir: missing ENOENT, a file ENOTDIR",
    "rename a file; over an existing file (replaced); onto itself (no change)",
    "rename a directory with its contents; into its own subtree: EINVAL",
    "rename a directory: over a non-empty one ENOTEMPTY, over an empty one ok; " +
    "file over directory EISDIR; directory over file ENOTDIR",
    "renameat between a directory descriptor and the working directory",
    "link: both names have 2 links and one inode; a write through one shows in the other",
    "after unlink 1 link remains; link: existing EEXIST, missing ENOENT, a directory EPERM",
    "symlink: readlink (and truncated), lstat sees the link, stat and open the target; " +
    "readlink of a file EINVAL",
    "a dangling symlink: open and stat ENOENT, lstat ok",
    "a loop a -> b -> a: ELOOP; O_NOFOLLOW on a symlink: ELOOP",
    "a path through a symlinked directory; getcwd there names the real one",
    "unlink of a symlink leaves its target",
    "mkdirat, openat, fstatat, symlinkat, readlinkat, linkat, faccessat, unlinkat resolve " +
    "from a directory descriptor",
    "a 255-byte name: created, stat, listed by readdir, unlinked",
    "a 256-byte name: ENAMETOOLONG",
    "everything made is gone",
  ],
  fs_big: [
    "wrote 5243003 bytes in odd-sized chunks, checksum 8be577ad",
    "read back in other chunk sizes: the same bytes, checksum 8be577ad",
    "pread across the 4 KiB, 48 KiB, 4 MiB + 48 KiB and 5 MiB boundaries and the end",
    "1 byte at 64 MiB: size 67108865, at most 256 KiB allocated",
    "the hole reads as zeros up to the byte, then end of file",
    "ftruncate to 0 frees every block",
    "truncate to 1052673 bytes: the data before the cut intact, end of file there",
    "extended again to 5 MiB: the new part reads zeros, not the old data",
  ],
  fs_append: [
    "2 writers with their own O_APPEND descriptors: 2000 whole records of 32 bytes, " +
    "1000 from each, in order",
    "2 writers sharing one inherited O_APPEND descriptor: the same, and the shared offset " +
    "ends at 64000",
  ],
  fs_errors: [
    "EFAULT: read, write, pread and readv buffers, open and mkdir paths; the file is unharmed",
    "EBADF: read, write, close, fstat, lseek, fsync, fchdir, openat on a closed descriptor; " +
    "-1; 1000000",
    "EBADF: write on O_RDONLY, read on O_WRONLY",
    "EISDIR: open a directory for writing, read it, truncate it",
    "ENOTDIR: a path through a file, a trailing slash, O_DIRECTORY, a file as openat's or " +
    "fchdir's directory",
    "ENOENT: a missing parent, a missing file, the empty path",
    "EINVAL: lseek with a bad whence or to a negative offset, negative pread, pwrite and " +
    "truncate offsets, a bad lock whence, ftruncate on O_RDONLY, rmdir .",
    "ESPIPE: lseek, pread and pwrite on a pipe",
    "a path of 4096 bytes: ENAMETOOLONG; of 4095 bytes: works",
  ],
  fs_meta: [
    "umask 027: open 0666 gives 0640, mkdir 0777 gives 0750; umask returns the old mask",
    "chmod, fchmod (set-user-ID bit too), fchmodat; chmod through a symlink changes the target",
    "faccessat with and without AT_EACCESS; another flag: EINVAL",
    "utimensat sets atime and mtime (nanoseconds where the file system keeps them)",
    "futimens: UTIME_OMIT keeps a time, UTIME_NOW sets the current one",
    "a write moves mtime and ctime to now",
    "utimensat AT_SYMLINK_NOFOLLOW sets the link's own times, not the target's",
    "F_DUPFD and F_DUPFD_CLOEXEC take the lowest free descriptor from their minimum; " +
    "F_GETFD/F_SETFD and O_CLOEXEC",
    "F_GETFL shows O_RDWR|O_APPEND; F_SETFL clears O_APPEND for every duplicate",
    "F_SETFL O_NONBLOCK: an empty pipe gives EAGAIN; an unknown command EINVAL",
    "F_GETLK reports the other process's lock (type, range, pid) and read locks sharing; " +
    "F_SETLK over it: EAGAIN; elsewhere: granted",
    "F_SETLKW waits for the holder to unlock",
    "closing any descriptor for the file drops the process's locks",
    "the exited child's locks are gone: the whole file locks",
    "statfs and fstatfs agree: block size and counts, 255-byte names; a missing path: ENOENT",
  ],
  fs_jobs: [
    "getpgrp, getpgid(0), getpgid(self) agree; getsid(0) is getsid(self)",
    "setpgid makes a new group and moves a second child into it",
    "kill(-pgid) signals the whole group; waitpid(-pgid) reaps both, then ECHILD",
    "setpgid: negative ids EINVAL, a reaped child ESRCH; getpgid and getsid of it: ESRCH",
    "setsid: the child leads a new session and group; again EPERM; setpgid across sessions " +
    "EPERM",
    "a file and a pipe are not terminals: isatty 0, tcgetattr, tcsetattr, tcgetpgrp, " +
    "tcsetpgrp, TIOCGWINSZ ENOTTY; a closed descriptor EBADF",
  ],
  fs_pty: [
    "/dev/ptmx gives a master; TIOCSPTLCK and TIOCGPTN open its slave",
    "a new slave: canonical, echo, signals, CR to NL, NL to CR NL, CS8, ^C ^D ^? ^Z, " +
    "38400 baud",
    "cfmakeraw and tcsetattr: raw mode and 9600 baud read back",
    "raw mode passes bytes through untouched",
    "canonical mode: a line ending in CR reads as hi\\n and echoes as hi\\r\\n",
    "TIOCSWINSZ on the master, TIOCGWINSZ on the slave: 24 x 80",
    "a session leader takes the slave as controlling terminal (TIOCSCTTY, /dev/tty); " +
    "tcsetpgrp moves the foreground group and back, not to another session's (EPERM)",
    "with the slave closed, the master reads EIO",
  ],
};
