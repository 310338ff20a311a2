/*
 * ipc_barrier.c: a barrier between processes. The parent creates a barrier
 * for PARTIES parties and a region of counters, and hands both handles to
 * each of its PARTIES - 1 children in one reply on "rvbarrier" (handles are
 * not inherited across fork). All of them go through ROUNDS rounds: each
 * counts its arrival in the round's slot, waits, then must see every party's
 * arrival, and counts it if its wait returned 1 (the serial arrival that
 * completed the round). Exactly one per round must. Prints the checks, then
 * `ok`; exits 0 only if all passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "ipc_check.h"

#define PARTIES 4
#define ROUNDS 50

/* The region's layout: arrivals per round, serial arrivals per round, early leavers. */
struct counters {
	uint32_t arrived[ROUNDS];
	uint32_t serial[ROUNDS];
	uint32_t early;
};

static void rounds(long barrier, struct counters *c)
{
	for (int r = 0; r < ROUNDS; r++) {
		__atomic_add_fetch(&c->arrived[r], 1, __ATOMIC_SEQ_CST);
		long result = barrier_wait(barrier, DENIX_TIMEOUT_INFINITE);

		CHECK(result == 0 || result == 1);
		if (__atomic_load_n(&c->arrived[r], __ATOMIC_SEQ_CST) != PARTIES)
			__atomic_add_fetch(&c->early, 1, __ATOMIC_SEQ_CST);
		if (result == 1)
			__atomic_add_fetch(&c->serial[r], 1, __ATOMIC_SEQ_CST);
	}
}

static struct counters *map_counters(long region)
{
	long at = region_map(region, LINUX_PROT_READ | LINUX_PROT_WRITE);

	CHECK(!linux_is_error(at));
	return (struct counters *)at;
}

/* A child: both handles in one reply, then the rounds. */
static void __attribute__((noreturn)) party(void)
{
	long endpoint = lookup_when_ready("rvbarrier");
	struct denix_msg request, reply;

	CHECK(endpoint > 0);
	msg_init(&request, 0);
	CHECK(ipc_call(endpoint, &request, &reply, DENIX_TIMEOUT_INFINITE) == 0);
	CHECK(reply.label == 0 && reply.nhandles == 2);
	rounds(reply.handles[0], map_counters(reply.handles[1]));
	_exit(0);
}

int main(void)
{
	pid_t children[PARTIES - 1];

	for (int i = 0; i < PARTIES - 1; i++) {
		children[i] = fork_or_fail();
		if (children[i] == 0)
			party();
	}
	long endpoint = ipc_register("rvbarrier");
	long barrier = barrier_create(PARTIES);
	long region = region_create(sizeof(struct counters));

	CHECK(endpoint > 0 && barrier > 0 && region > 0);
	for (int i = 0; i < PARTIES - 1; i++) {
		struct denix_msg request, reply;
		long token = ipc_receive(endpoint, &request, DENIX_TIMEOUT_INFINITE);

		CHECK(token > 0);
		msg_init(&reply, 0);
		reply.nhandles = 2;
		reply.handles[0] = (int32_t)barrier;
		reply.handles[1] = (int32_t)region;
		CHECK(ipc_reply(token, &reply) == 0);
	}
	struct counters *c = map_counters(region);

	rounds(barrier, c);
	for (int i = 0; i < PARTIES - 1; i++)
		CHECK(exited_with(wait_for(children[i]), 0));
	CHECK(c->early == 0);
	printf("%d processes x %d rounds: nobody left a round before all arrived\n", PARTIES,
	       ROUNDS);
	for (int r = 0; r < ROUNDS; r++)
		CHECK(c->arrived[r] == PARTIES && c->serial[r] == 1);
	printf("exactly one serial arrival (1) per round\n");
	printf("ok\n");
	return 0;
}
