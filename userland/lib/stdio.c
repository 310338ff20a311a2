/*
 * stdio.c: stdin, stdout and stderr as picolibc tinystdio bufio FILEs on file
 * descriptors 0, 1 and 2. stdout is fully buffered and flushed by a
 * destructor (picolibc's exit() runs destructors but does not flush stdio);
 * stderr has a one-byte buffer, which is how bufio spells unbuffered. A
 * constructor gives each FILE its lock (lib/libc_lock.c), so threads can
 * share them.
 */
#include <stdio-bufio.h>
#include <stdio.h>
#include <unistd.h>

#define STDOUT_BUFFER_SIZE 4096

static char stdin_buffer[BUFSIZ];
static char stdout_buffer[STDOUT_BUFFER_SIZE];
static char stderr_buffer[1];

static struct __file_bufio stdin_file = FDEV_SETUP_BUFIO(
	0, stdin_buffer, sizeof(stdin_buffer), read, write, lseek, close, __SRD, 0);
static struct __file_bufio stdout_file = FDEV_SETUP_BUFIO(
	1, stdout_buffer, sizeof(stdout_buffer), read, write, lseek, close, __SWR, 0);
static struct __file_bufio stderr_file = FDEV_SETUP_BUFIO(
	2, stderr_buffer, sizeof(stderr_buffer), read, write, lseek, close, __SWR, 0);

FILE *const stdin = &stdin_file.xfile.cfile.file;
FILE *const stdout = &stdout_file.xfile.cfile.file;
FILE *const stderr = &stderr_file.xfile.cfile.file;

static void __attribute__((constructor)) init_locks(void)
{
	__bufio_lock_init(&stdin_file.xfile.cfile.file);
	__bufio_lock_init(&stdout_file.xfile.cfile.file);
	__bufio_lock_init(&stderr_file.xfile.cfile.file);
}

static void __attribute__((destructor)) flush_stdout(void)
{
	fflush(stdout);
}
