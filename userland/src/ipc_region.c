/*
 * ipc_region.c: shared regions between processes. The parent serves
 * "rvregion" and hands region handles to its children in replies (handles
 * are not inherited across fork). A child maps the region with its own handle
 * and sees the parent's bytes; its writes show in the parent's mapping (one
 * memory, no copy). A read-only derived handle cannot be mapped writable, and
 * writing through its read-only mapping kills the child with SIGSEGV. After
 * the parent revokes the region, a child's handle is gone (region_map and
 * region_size: -EBADF) and touching its mapping is SIGSEGV; the parent's own
 * handles are gone too. Prints the checks, then `ok`; exits 0 only if all
 * passed.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ipc_check.h"

#define SIZE (64 * 1024)
#define HALF (SIZE / 2)

/* Requests to the parent: a read-write handle, a read-only one, "revoke now". */
#define GET_WRITABLE 1
#define GET_READ_ONLY 2
#define REVOKE_NOW 3

static uint8_t parent_byte(uint32_t i)
{
	return (uint8_t)(i * 5 + 1);
}

static uint8_t child_byte(uint32_t i)
{
	return (uint8_t)(i * 3 + 7);
}

static volatile uint8_t *map_or_fail(long handle, unsigned long prot)
{
	long at = region_map(handle, prot);

	CHECK(!linux_is_error(at));
	return (volatile uint8_t *)at;
}

/* Maps the region with a handle from the parent, checks the first half, writes the second. */
static void __attribute__((noreturn)) sharer(void)
{
	long region = fetch_handle("rvregion", GET_WRITABLE);

	CHECK(region_size(region) == SIZE);
	volatile uint8_t *bytes = map_or_fail(region, LINUX_PROT_READ | LINUX_PROT_WRITE);

	for (uint32_t i = 0; i < HALF; i++)
		CHECK(bytes[i] == parent_byte(i));
	for (uint32_t i = HALF; i < SIZE; i++)
		bytes[i] = child_byte(i);
	_exit(0);
}

/* Gets a read-only handle: no writable mapping; reads work, the first write is SIGSEGV. */
static void __attribute__((noreturn)) reader(void)
{
	long region = fetch_handle("rvregion", GET_READ_ONLY);

	CHECK(region_map(region, LINUX_PROT_READ | LINUX_PROT_WRITE) == -LINUX_EPERM);
	volatile uint8_t *bytes = map_or_fail(region, LINUX_PROT_READ);

	CHECK(bytes[0] == parent_byte(0) && bytes[SIZE - 1] == child_byte(SIZE - 1));
	bytes[0] = 0;
	_exit(2);
}

/* Maps the region, has the parent revoke it, then finds handle and mapping gone. */
static void __attribute__((noreturn)) revoked(void)
{
	long region = fetch_handle("rvregion", GET_WRITABLE);
	volatile uint8_t *bytes = map_or_fail(region, LINUX_PROT_READ | LINUX_PROT_WRITE);

	CHECK(bytes[1] == parent_byte(1));
	long endpoint = ipc_lookup("rvregion");
	struct denix_msg request, reply;

	CHECK(endpoint > 0);
	msg_init(&request, REVOKE_NOW);
	CHECK(ipc_call(endpoint, &request, &reply, DENIX_TIMEOUT_INFINITE) == 0);
	CHECK(reply.label == 0);
	CHECK(region_map(region, LINUX_PROT_READ) == -LINUX_EBADF);
	CHECK(region_size(region) == -LINUX_EBADF);
	(void)bytes[1];
	_exit(2);
}

int main(void)
{
	long endpoint = ipc_register("rvregion");
	long region = region_create(SIZE);

	CHECK(endpoint > 0);
	CHECK(region > 0);
	pid_t pid = fork_or_fail();

	if (pid == 0)
		sharer();
	volatile uint8_t *bytes = map_or_fail(region, LINUX_PROT_READ | LINUX_PROT_WRITE);

	for (uint32_t i = 0; i < HALF; i++)
		bytes[i] = parent_byte(i);
	CHECK(hand_out(endpoint, region) == GET_WRITABLE);
	CHECK(exited_with(wait_for(pid), 0));
	printf("child mapped the region by its handle and saw the parent's bytes\n");
	for (uint32_t i = HALF; i < SIZE; i++)
		CHECK(bytes[i] == child_byte(i));
	printf("parent sees the child's writes: one memory, no copy\n");

	long read_only = ipc_derive(region, DENIX_RIGHT_READ | DENIX_RIGHT_GRANT);

	CHECK(read_only > 0);
	pid = fork_or_fail();
	if (pid == 0)
		reader();
	CHECK(hand_out(endpoint, read_only) == GET_READ_ONLY);
	CHECK(killed_by(wait_for(pid), SIGSEGV));
	CHECK(bytes[0] == parent_byte(0));
	printf("read-only handle: no writable mapping (-EPERM), a write is SIGSEGV (%d)\n",
	       SIGSEGV);

	pid = fork_or_fail();
	if (pid == 0)
		revoked();
	CHECK(hand_out(endpoint, region) == GET_WRITABLE);
	struct denix_msg request;
	long token = ipc_receive(endpoint, &request, DENIX_TIMEOUT_INFINITE);

	CHECK(token > 0 && request.label == REVOKE_NOW);
	CHECK(region_revoke(region) == 0);
	reply_with(token, 0, 0);
	CHECK(killed_by(wait_for(pid), SIGSEGV));
	printf("revoked: the child's handle is gone (-EBADF) and its mapping faults (SIGSEGV)\n");
	CHECK(region_map(region, LINUX_PROT_READ) == -LINUX_EBADF);
	CHECK(region_map(read_only, LINUX_PROT_READ) == -LINUX_EBADF);
	CHECK(region_revoke(region) == -LINUX_EBADF);
	printf("region_map with a revoked handle: -EBADF (%d)\n", LINUX_EBADF);
	printf("ok\n");
	return 0;
}
