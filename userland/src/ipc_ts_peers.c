/*
 * ipc_ts_peers.c: RISC-V processes and TypeScript parties as peers, when
 * things go wrong. Needs the echo service (services/echo) and a "tester"
 * endpoint served by the test: a TypeScript client on the kernel's thread.
 *
 * A child killed (SIGKILL) while echo holds its call, and a child dead of
 * SIGSEGV right after a call, leave echo answering. A child fills tester's
 * queue with one-way messages (RING_SLOTS of them, then -EAGAIN) while tester
 * does not receive, then blocks in a send until tester drains it. A child serves
 * "rvserver" (1: echo the payload back; 3: quit, replying how many calls it
 * answered). This process calls "tester", which while it waits calls echo
 * (add 40 + 2) and "rvserver" (once with a handle it may not pass, once with
 * a handle that does not exist: both refused by the kernel, answered -EPERM
 * and -EBADF, never delivered; then a good call), and replies with the sum.
 * Last, echo is asked to crash: that call is -ECONNRESET, the next -ENOTCONN.
 * Prints the checks, then `ok`; exits 0 only if all passed.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipc_check.h"

/* The echo protocol (services/echo/protocol.ts). */
#define ADD 2
#define SLEEP 5
#define CRASH 6

/*
 * tester's labels: one-way fill messages, the last (blocking) one, a call
 * that returns once tester has taken them all, and the call to check echo.
 */
#define FILL 7
#define LAST 8
#define DRAINED 9
#define CHECK_ECHO 1

/* rvserver's labels. */
#define BOUNCE 1
#define QUIT 3

static long add(long endpoint, uint32_t a, uint32_t b, uint32_t *sum)
{
	struct denix_msg request, reply;

	msg_init(&request, ADD);
	msg_put_u32(&request, 0, a);
	msg_put_u32(&request, 4, b);
	long r = ipc_call(endpoint, &request, &reply, DENIX_TIMEOUT_INFINITE);

	if (r == 0 && reply.label == 0 && reply.length == 4)
		*sum = msg_u32(&reply, 0);
	return r == 0 ? reply.label : r;
}

/* Tells the parent (a byte on `fd`) that its call is about to go out, then sleeps in echo. */
static void __attribute__((noreturn)) caller_to_kill(int fd)
{
	struct denix_msg request, reply;
	long endpoint = ipc_lookup("echo");

	CHECK(endpoint > 0);
	msg_init(&request, SLEEP);
	msg_put_u32(&request, 0, 300);
	CHECK(write(fd, "x", 1) == 1);
	ipc_call(endpoint, &request, &reply, DENIX_TIMEOUT_INFINITE);
	_exit(3);
}

static void __attribute__((noreturn)) caller_to_crash(void)
{
	long endpoint = ipc_lookup("echo");
	uint32_t sum = 0;
	volatile int *volatile wild = (int *)16;

	CHECK(endpoint > 0);
	CHECK(add(endpoint, 1, 1, &sum) == 0 && sum == 2);
	*wild = 1;
	_exit(3);
}

/*
 * Fills tester's queue while it does not receive, then waits in a send for
 * room, then in a call until tester has taken everything (a dead client's
 * queued messages are dropped, not delivered).
 */
static void __attribute__((noreturn)) filler(void)
{
	struct denix_msg request, reply;
	long tester = ipc_lookup("tester");
	long sent;
	int queued = 0;

	CHECK(tester > 0);
	msg_init(&request, FILL);
	while ((sent = ipc_send(tester, &request, DENIX_SEND_NONBLOCK)) == 0 &&
	       queued <= DENIX_RING_SLOTS)
		queued++;
	CHECK(sent == -LINUX_EAGAIN && queued == DENIX_RING_SLOTS);
	msg_init(&request, LAST);
	CHECK(ipc_send(tester, &request, 0) == 0);
	msg_init(&request, DRAINED);
	CHECK(ipc_call(tester, &request, &reply, DENIX_TIMEOUT_INFINITE) == 0 && reply.label == 0);
	_exit(0);
}

static void __attribute__((noreturn)) serve(void)
{
	long endpoint = ipc_register("rvserver");
	uint32_t answered = 0;

	CHECK(endpoint > 0);
	for (;;) {
		struct denix_msg request, reply;
		long token = ipc_receive(endpoint, &request, DENIX_TIMEOUT_INFINITE);

		CHECK(token > 0);
		msg_init(&reply, 0);
		if (request.label == QUIT) {
			msg_put_u32(&reply, 0, answered);
			CHECK(ipc_reply(token, &reply) == 0);
			_exit(0);
		}
		CHECK(request.label == BOUNCE && request.nhandles == 0);
		memcpy(reply.payload, request.payload, request.length);
		reply.length = request.length;
		CHECK(ipc_reply(token, &reply) == 0);
		answered++;
	}
}

int main(void)
{
	struct denix_msg request, reply;
	int fds[2];
	char byte;
	uint32_t sum = 0;
	long echo = ipc_lookup("echo");

	CHECK(echo > 0);
	CHECK(pipe(fds) == 0);
	pid_t pid = fork_or_fail();

	if (pid == 0)
		caller_to_kill(fds[1]);
	CHECK(read(fds[0], &byte, 1) == 1);
	usleep(20000);
	CHECK(kill(pid, SIGKILL) == 0);
	CHECK(killed_by(wait_for(pid), SIGKILL));
	printf("a client killed while echo held its call: SIGKILL (%d)\n", SIGKILL);

	pid = fork_or_fail();
	if (pid == 0)
		caller_to_crash();
	CHECK(killed_by(wait_for(pid), SIGSEGV));
	printf("a client dead of SIGSEGV (%d) after its call\n", SIGSEGV);

	CHECK(add(echo, 20, 22, &sum) == 0 && sum == 42);
	printf("echo still answers: add(20, 22) = 42\n");

	pid = fork_or_fail();
	if (pid == 0)
		filler();
	CHECK(exited_with(wait_for(pid), 0));
	printf("tester's queue took %d one-way messages, then -EAGAIN; a blocking send "
	       "waited until tester drained it\n",
	       DENIX_RING_SLOTS);

	pid_t server = fork_or_fail();

	if (server == 0)
		serve();
	long rvserver = lookup_when_ready("rvserver");
	long tester = ipc_lookup("tester");

	CHECK(rvserver > 0);
	CHECK(tester > 0);
	msg_init(&request, CHECK_ECHO);
	CHECK(ipc_call(tester, &request, &reply, DENIX_TIMEOUT_INFINITE) == 0);
	CHECK(reply.label == 0 && reply.length == 4);
	printf("the test's TypeScript client got add(40, 2) = %u from echo\n",
	       (unsigned)msg_u32(&reply, 0));
	CHECK(msg_u32(&reply, 0) == 42);

	msg_init(&request, QUIT);
	CHECK(ipc_call(rvserver, &request, &reply, DENIX_TIMEOUT_INFINITE) == 0);
	CHECK(exited_with(wait_for(server), 0));
	printf("rvserver answered %u TypeScript call; the refused ones never reached it\n",
	       (unsigned)msg_u32(&reply, 0));
	CHECK(msg_u32(&reply, 0) == 1);

	msg_init(&request, CRASH);
	CHECK(ipc_call(echo, &request, &reply, DENIX_TIMEOUT_INFINITE) == -LINUX_ECONNRESET);
	printf("echo asked to crash: the call is -ECONNRESET (%d)\n", LINUX_ECONNRESET);
	CHECK(add(echo, 1, 2, &sum) == -LINUX_ENOTCONN);
	printf("and with echo gone, calls are -ENOTCONN (%d)\n", LINUX_ENOTCONN);
	printf("ok\n");
	return 0;
}
