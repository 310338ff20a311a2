/*
 * fs_append.c: O_APPEND under concurrency, in the current directory. Two
 * forked writers, released together through a pipe, each append 1000
 * fixed-size records to one file with one write() per record; afterwards
 * the file must hold exactly 2000 whole records, 1000 from each writer and
 * each writer's in order: no write tore, overlapped or was lost. Done twice:
 * with each writer opening the file itself, then with both sharing the
 * descriptor they inherited. Prints one line per fact, then `ok`.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_check.h"

#define RECORDS 1000
#define RECORD_SIZE 32
#define WRITERS 2

/* "wA 000123 " then the writer's letter to fill, then '\n': 32 bytes. */
static void make_record(char *record, char writer, int sequence)
{
	snprintf(record, RECORD_SIZE, "w%c %06d ", writer, sequence);
	size_t used = strlen(record);
	memset(record + used, writer, RECORD_SIZE - 1 - used);
	record[RECORD_SIZE - 1] = '\n';
}

/* A writer: waits for the start, then appends its records; exits 0 when all went whole. */
static void writer(char letter, int fd, int start)
{
	char record[RECORD_SIZE];
	char go;

	if (fd < 0)
		fd = open("log", O_WRONLY | O_APPEND);
	if (fd < 0 || read(start, &go, 1) != 0)
		_exit(2);
	for (int i = 0; i < RECORDS; i++) {
		make_record(record, letter, i);
		if (write(fd, record, RECORD_SIZE) != RECORD_SIZE)
			_exit(3);
	}
	_exit(0);
}

/* Runs the writers (sharing fd when it is open, else each opening the file) and checks the file. */
static void run_writers(int shared_fd)
{
	static char contents[WRITERS * RECORDS * RECORD_SIZE + 1];
	int start[2];
	pid_t pids[WRITERS];

	CHECK(pipe(start) == 0);
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork_or_fail();
		if (pids[w] == 0) {
			close(start[1]);
			writer((char)('A' + w), shared_fd, start[0]);
		}
	}
	/* Closing the write end is the starting gun: both readers see end of file at once. */
	CHECK(close(start[0]) == 0 && close(start[1]) == 0);
	for (int w = 0; w < WRITERS; w++)
		CHECK(exited_with(wait_for(pids[w]), 0));

	CHECK(size_of("log") == WRITERS * RECORDS * RECORD_SIZE);
	CHECK(get_file("log", contents, sizeof(contents)) == WRITERS * RECORDS * RECORD_SIZE);
	int next[WRITERS] = { 0 };
	char record[RECORD_SIZE];
	for (int r = 0; r < WRITERS * RECORDS; r++) {
		const char *got = contents + r * RECORD_SIZE;
		int w = got[1] - 'A';

		CHECK(got[0] == 'w' && w >= 0 && w < WRITERS && next[w] < RECORDS);
		make_record(record, (char)('A' + w), next[w]);
		CHECK(memcmp(got, record, RECORD_SIZE) == 0);
		next[w]++;
	}
	CHECK(next[0] == RECORDS && next[1] == RECORDS);
}

int main(void)
{
	int fd = open("log", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0 && close(fd) == 0);
	run_writers(-1);
	printf("2 writers with their own O_APPEND descriptors: 2000 whole records of 32 bytes, "
	       "1000 from each, in order\n");

	fd = open("log", O_WRONLY | O_TRUNC | O_APPEND);
	CHECK(fd >= 0);
	run_writers(fd);
	CHECK(lseek(fd, 0, SEEK_CUR) == WRITERS * RECORDS * RECORD_SIZE);
	CHECK(close(fd) == 0);
	printf("2 writers sharing one inherited O_APPEND descriptor: the same, and the shared "
	       "offset ends at 64000\n");

	CHECK(unlink("log") == 0);
	printf("ok\n");
	return 0;
}
