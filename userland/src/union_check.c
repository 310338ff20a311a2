/*
 * union_check: /tmp as a union mount — a tmpfs whose root also shows the
 * directory it covers (the host's /tmp through hostfs). Run on a system whose
 * covered /tmp holds lower.txt ("from below\n") and sub/inner.txt
 * ("inner\n"): what is below is listed, read and entered; what is made goes
 * into the tmpfs; what is below cannot be removed, renamed, replaced or
 * written (EROFS), nor made again (EEXIST).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs_check.h"

#define NAMES_MAX 64

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the names in /tmp, sorted, without . and .. */
static void list_tmp(void)
{
	char *names[NAMES_MAX];
	int n = 0;
	DIR *dir = opendir("/tmp");
	struct dirent *e;

	CHECK(dir != NULL);
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		CHECK(n < NAMES_MAX);
		names[n] = strdup(e->d_name);
		CHECK(names[n] != NULL);
		n++;
	}
	CHECK(closedir(dir) == 0);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	printf("/tmp:");
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

int main(void)
{
	char cwd[64];

	CHECK(file_is("/tmp/lower.txt", "from below\n"));
	CHECK(file_is("/tmp/sub/inner.txt", "inner\n"));
	printf("what is below reads through\n");

	CHECK(chdir("/tmp/sub") == 0 && getcwd(cwd, sizeof(cwd)) != NULL);
	printf("cwd %s\n", cwd);
	CHECK(chdir("..") == 0 && getcwd(cwd, sizeof(cwd)) != NULL);
	printf("cwd %s\n", cwd);

	put_file("/tmp/new.txt", "made here\n");
	CHECK(mkdir("/tmp/newdir", 0755) == 0);
	CHECK(file_is("/tmp/new.txt", "made here\n"));
	list_tmp();

	CHECK_ERRNO(unlink("/tmp/lower.txt"), EROFS);
	CHECK_ERRNO(rename("/tmp/lower.txt", "/tmp/moved.txt"), EROFS);
	CHECK_ERRNO(rename("/tmp/new.txt", "/tmp/lower.txt"), EROFS);
	CHECK_ERRNO(rmdir("/tmp/sub"), EROFS);
	CHECK_ERRNO(open("/tmp/lower.txt", O_WRONLY), EROFS);
	CHECK_ERRNO(open("/tmp/lower.txt", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	CHECK_ERRNO(mkdir("/tmp/lower.txt", 0755), EEXIST);
	CHECK_ERRNO(symlink("x", "/tmp/sub"), EEXIST);
	CHECK(file_is("/tmp/lower.txt", "from below\n"));
	printf("what is below stays as it is\n");

	CHECK(unlink("/tmp/new.txt") == 0 && rmdir("/tmp/newdir") == 0);
	list_tmp();
	printf("ok\n");
	return 0;
}
