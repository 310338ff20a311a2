/*
 * ipc_echo.c: a RISC-V echo server and RISC-V clients, all processes. The
 * parent forks a server that registers "rvecho" and answers: 1 echo (u32
 * length, then the bytes, sent back), 2 add (two u32s -> their sum), 4 note
 * (one-way, a u32 sequence number per sender), 5 notes (-> how many notes
 * this sender's came in, in order), 3 quit (-> calls and notes served, then
 * it exits at once). CLIENTS clients make CALLS calls each, checking every
 * reply against its own request (sequence numbers in the payload: ordering
 * per client); one more client sends NOTES one-way messages and then asks how
 * many arrived in order. For quit, parent and server share CPU 0, so the
 * server exits before the parent collects the reply: a reply sent before its
 * server died must still arrive. Prints the checks, then `ok`; exits 0 only if
 * all passed.
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipc_check.h"
#include "posix_ext.h"

#define CLIENTS 3
#define CALLS 200
#define NOTES 50
#define SENDERS_MAX 8

#define ECHO 1
#define ADD 2
#define QUIT 3
#define NOTE 4
#define NOTES_SEEN 5

/* Notes in order so far, per sender (or -1 once one came out of order). */
struct sender_notes {
	int32_t sender;
	int32_t in_order;
};

static struct sender_notes notes[SENDERS_MAX];

static struct sender_notes *notes_of(int32_t sender)
{
	for (int i = 0; i < SENDERS_MAX; i++) {
		if (notes[i].sender == sender)
			return &notes[i];
		if (notes[i].sender == 0) {
			notes[i].sender = sender;
			return &notes[i];
		}
	}
	return NULL;
}

/* Runs the calling process on CPU 0 only. */
static void pin_to_cpu0(void)
{
	cpu_set_t cpu0;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	CHECK(sched_setaffinity(0, sizeof(cpu0), &cpu0) == 0);
}

static void __attribute__((noreturn)) serve(void)
{
	long endpoint = ipc_register("rvecho");
	uint32_t calls = 0, one_way = 0;

	CHECK(endpoint > 0);
	for (;;) {
		struct denix_msg request, reply;
		long token = ipc_receive(endpoint, &request, DENIX_TIMEOUT_INFINITE);
		struct sender_notes *from;

		CHECK(token >= 0);
		CHECK(request.sender > 0);
		if (token == 0) {
			CHECK(request.label == NOTE && request.length == 4);
			from = notes_of(request.sender);
			CHECK(from != NULL);
			if (from->in_order >= 0 && msg_u32(&request, 0) == (uint32_t)from->in_order)
				from->in_order++;
			else
				from->in_order = -1;
			one_way++;
			continue;
		}
		calls++;
		msg_init(&reply, 0);
		switch (request.label) {
		case ECHO:
			CHECK(request.length >= 4 && msg_u32(&request, 0) == request.length - 4u);
			memcpy(reply.payload, request.payload, request.length);
			reply.length = request.length;
			break;
		case ADD:
			msg_put_u32(&reply, 0, msg_u32(&request, 0) + msg_u32(&request, 4));
			break;
		case NOTES_SEEN:
			from = notes_of(request.sender);
			CHECK(from != NULL);
			msg_put_u32(&reply, 0, (uint32_t)from->in_order);
			break;
		case QUIT:
			pin_to_cpu0();
			msg_put_u32(&reply, 0, calls);
			msg_put_u32(&reply, 4, one_way);
			CHECK(ipc_reply(token, &reply) == 0);
			_exit(0);
		default:
			reply.label = -LINUX_EINVAL;
		}
		CHECK(ipc_reply(token, &reply) == 0);
	}
}

/* Client `id`: CALLS calls, echo and add in turn, every reply checked. */
static void __attribute__((noreturn)) client(int id)
{
	long endpoint = ipc_lookup("rvecho");

	CHECK(endpoint > 0);
	for (uint32_t i = 0; i < CALLS; i++) {
		struct denix_msg request, reply;

		if (i % 2 == 0) {
			uint32_t n = 8 + (i * 7 + (uint32_t)id) % (DENIX_MSG_PAYLOAD_MAX - 12);

			msg_init(&request, ECHO);
			msg_put_u32(&request, 0, n);
			msg_put_u32(&request, 4, (uint32_t)id);
			msg_put_u32(&request, 8, i);
			for (uint32_t b = 8; b < n; b++)
				request.payload[4 + b] = (uint8_t)(b * 31 + i + (uint32_t)id);
			request.length = (uint16_t)(4 + n);
		} else {
			msg_init(&request, ADD);
			msg_put_u32(&request, 0, 0xfffffff0u + i);
			msg_put_u32(&request, 4, (uint32_t)id * 1000 + i);
		}
		CHECK(ipc_call(endpoint, &request, &reply, DENIX_TIMEOUT_INFINITE) == 0);
		CHECK(reply.label == 0);
		CHECK(reply.nhandles == 0);
		if (i % 2 == 0) {
			CHECK(reply.length == request.length);
			CHECK(memcmp(reply.payload, request.payload, request.length) == 0);
		} else {
			CHECK(reply.length == 4);
			CHECK(msg_u32(&reply, 0) == 0xfffffff0u + i + (uint32_t)id * 1000 + i);
		}
	}
	_exit(0);
}

/* The one-way client: NOTES notes, then a call asking how many arrived in order. */
static void __attribute__((noreturn)) noter(void)
{
	long endpoint = ipc_lookup("rvecho");
	struct denix_msg request, reply;

	CHECK(endpoint > 0);
	for (uint32_t i = 0; i < NOTES; i++) {
		msg_init(&request, NOTE);
		msg_put_u32(&request, 0, i);
		CHECK(ipc_send(endpoint, &request, 0) == 0);
	}
	msg_init(&request, NOTES_SEEN);
	CHECK(ipc_call(endpoint, &request, &reply, DENIX_TIMEOUT_INFINITE) == 0);
	CHECK(reply.label == 0 && msg_u32(&reply, 0) == NOTES);
	_exit(0);
}

int main(void)
{
	pid_t server = fork_or_fail();

	if (server == 0)
		serve();
	long endpoint = lookup_when_ready("rvecho");

	CHECK(endpoint > 0);
	printf("server registered rvecho\n");

	pid_t clients[CLIENTS + 1];

	for (int id = 0; id < CLIENTS; id++) {
		clients[id] = fork_or_fail();
		if (clients[id] == 0)
			client(id + 1);
	}
	clients[CLIENTS] = fork_or_fail();
	if (clients[CLIENTS] == 0)
		noter();
	for (int id = 0; id <= CLIENTS; id++)
		CHECK(exited_with(wait_for(clients[id]), 0));
	printf("%d clients x %d calls: every reply right\n", CLIENTS, CALLS);
	printf("%d one-way messages arrived in order\n", NOTES);

	struct denix_msg request, reply;

	pin_to_cpu0();
	msg_init(&request, QUIT);
	CHECK(ipc_call(endpoint, &request, &reply, DENIX_TIMEOUT_INFINITE) == 0);
	CHECK(reply.label == 0);
	printf("server answered %u calls and %u one-way messages\n", (unsigned)msg_u32(&reply, 0),
	       (unsigned)msg_u32(&reply, 4));
	CHECK(msg_u32(&reply, 0) == CLIENTS * CALLS + 2);
	CHECK(msg_u32(&reply, 4) == NOTES);
	CHECK(exited_with(wait_for(server), 0));
	printf("server quit\n");
	printf("ok\n");
	return 0;
}
