/*
 * mmap.c: memory mappings. An anonymous private mapping is zero-filled and
 * writable; touching it after munmap, or writing it after mprotect to
 * PROT_READ, kills a child with SIGSEGV (reading still works); unmapping
 * one page of three leaves its neighbours; MAP_SHARED | MAP_ANONYMOUS
 * memory is shared with a forked child, MAP_PRIVATE memory is copied;
 * MAP_FIXED maps over existing pages at exactly the address asked for.
 * Prints one line per check, then `ok`; exits 0 only if all passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "posix_ext.h"

#define PAGE 4096
#define SIZE (16 * PAGE)
#define BIG (4 * 1024 * 1024)

static char *map_anonymous(size_t length, int flags)
{
	char *p = mmap(NULL, length, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	CHECK((uintptr_t)p % PAGE == 0);
	return p;
}

/* Forks a child that runs touch(p); returns its wait status. */
static int in_child(void (*touch)(volatile char *), char *p)
{
	pid_t pid = fork_or_fail();

	if (pid == 0) {
		touch(p);
		_exit(0);
	}
	return wait_for(pid);
}

static void read_it(volatile char *p)
{
	if (p[0] != 'A')
		_exit(2);
}

static void write_it(volatile char *p)
{
	p[0] = 'B';
}

static void unmap_then_read(volatile char *p)
{
	if (munmap((void *)p, SIZE) != 0)
		_exit(3);
	read_it(p);
}

int main(void)
{
	char *p = map_anonymous(SIZE, MAP_PRIVATE);
	for (int i = 0; i < SIZE; i++)
		CHECK(p[i] == 0);
	for (int i = 0; i < SIZE; i++)
		p[i] = (char)(i * 7);
	for (int i = 0; i < SIZE; i++)
		CHECK(p[i] == (char)(i * 7));
	p[0] = 'A';
	printf("anonymous private mapping: zero-filled, readable, writable\n");

	char *big = map_anonymous(BIG, MAP_PRIVATE);
	for (int i = 0; i < BIG; i += PAGE)
		CHECK(big[i] == 0 && big[i + PAGE - 1] == 0);
	for (int i = 0; i < BIG; i += PAGE)
		big[i] = (char)(i / PAGE);
	for (int i = 0; i < BIG; i += PAGE)
		CHECK(big[i] == (char)(i / PAGE));
	CHECK(munmap(big, BIG) == 0);
	printf("4 MiB mapping: every page usable\n");

	CHECK(killed_by(in_child(unmap_then_read, p), SIGSEGV));
	CHECK(p[0] == 'A');
	printf("read after munmap: SIGSEGV\n");

	CHECK(mprotect(p, SIZE, PROT_READ) == 0);
	CHECK(exited_with(in_child(read_it, p), 0));
	CHECK(killed_by(in_child(write_it, p), SIGSEGV));
	CHECK(mprotect(p, SIZE, PROT_READ | PROT_WRITE) == 0);
	p[0] = 'A';
	printf("write after mprotect(PROT_READ): SIGSEGV, reads still work\n");

	char *three = map_anonymous(3 * PAGE, MAP_PRIVATE);
	memset(three, 'x', 3 * PAGE);
	CHECK(munmap(three + PAGE, PAGE) == 0);
	CHECK(three[0] == 'x' && three[PAGE - 1] == 'x');
	CHECK(three[2 * PAGE] == 'x' && three[3 * PAGE - 1] == 'x');
	CHECK(killed_by(in_child(read_it, three + PAGE), SIGSEGV));
	printf("munmap of the middle page: neighbours stay, the hole faults\n");

	/* MAP_FIXED puts a fresh zero page back in the hole. */
	char *fixed = mmap(three + PAGE, PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(fixed == three + PAGE);
	CHECK(fixed[0] == 0 && fixed[PAGE - 1] == 0);
	fixed[0] = 'y';
	/* ... and replaces a page that is still mapped, leaving its neighbours. */
	char *over = mmap(three, PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(over == three);
	CHECK(three[0] == 0 && three[PAGE] == 'y' && three[2 * PAGE] == 'x');
	CHECK(munmap(three, 3 * PAGE) == 0);
	printf("MAP_FIXED maps at the address asked for, replacing what was there\n");

	volatile uint32_t *shared = (volatile uint32_t *)map_anonymous(PAGE, MAP_SHARED);
	pid_t pid = fork_or_fail();
	if (pid == 0) {
		shared[10] = 0x12345678;
		_exit(0);
	}
	CHECK(exited_with(wait_for(pid), 0));
	CHECK(shared[10] == 0x12345678);
	printf("MAP_SHARED: the child's write is seen by the parent\n");

	volatile uint32_t *private = (volatile uint32_t *)map_anonymous(PAGE, MAP_PRIVATE);
	private[10] = 1;
	int to_child[2];
	CHECK(pipe(to_child) == 0);
	pid = fork_or_fail();
	if (pid == 0) {
		char byte;

		private[10] = 2;
		if (read(to_child[0], &byte, 1) != 1)
			_exit(2);
		/* The parent has written 3 by now; our copy must still say 2. */
		_exit(private[10] == 2 ? 0 : 1);
	}
	private[10] = 3;
	CHECK(write(to_child[1], "g", 1) == 1);
	CHECK(exited_with(wait_for(pid), 0));
	CHECK(private[10] == 3);
	printf("MAP_PRIVATE: copies after fork, neither side sees the other's writes\n");

	CHECK(munmap(p, SIZE) == 0);
	printf("ok\n");
	return 0;
}
