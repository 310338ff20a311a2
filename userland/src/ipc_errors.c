/*
 * ipc_errors.c: how the IPC calls fail. A bad handle is -EBADF, a handle
 * without the right -EPERM (passing one without GRANT too), an unknown name
 * -ENOENT, a malformed message or argument -EINVAL, a wild pointer -EFAULT, a
 * name someone live serves -EEXIST. A nonblocking send to a server that never
 * receives fills the queue (RING_SLOTS messages), then is -EAGAIN. A call
 * whose server dies holding it is -ECONNRESET, and later calls to the name
 * -ENOTCONN while nobody serves it. Prints the checks, then `ok`; exits 0 only
 * if all passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipc_check.h"

#define BAD_HANDLE 4242

static struct denix_msg request, reply;

/* A server that registers `name` and then never receives: it waits for EOF on `fd`. */
static void __attribute__((noreturn)) stuck_server(const char *name, int fd)
{
	char byte;

	CHECK(ipc_register(name) > 0);
	CHECK(read(fd, &byte, 1) == 0);
	_exit(0);
}

/* A server that takes one call and exits without answering it. */
static void __attribute__((noreturn)) dying_server(const char *name)
{
	long endpoint = ipc_register(name);
	struct denix_msg m;

	CHECK(endpoint > 0);
	CHECK(ipc_receive(endpoint, &m, DENIX_TIMEOUT_INFINITE) > 0);
	_exit(0);
}

static void bad_handles(long own)
{
	long region = region_create(4096);

	CHECK(region > 0);
	msg_init(&request, 1);
	CHECK(ipc_call(BAD_HANDLE, &request, &reply, DENIX_TIMEOUT_INFINITE) == -LINUX_EBADF);
	CHECK(ipc_send(0, &request, 0) == -LINUX_EBADF);
	CHECK(ipc_close(BAD_HANDLE) == -LINUX_EBADF);
	CHECK(notify(region, 1) == -LINUX_EBADF);
	CHECK(region_map(own, LINUX_PROT_READ) == -LINUX_EBADF);
	request.nhandles = 1;
	request.handles[0] = BAD_HANDLE;
	CHECK(ipc_call(own, &request, &reply, DENIX_TIMEOUT_INFINITE) == -LINUX_EBADF);
	printf("bad handle: -EBADF (%d)\n", LINUX_EBADF);

	long sender = ipc_lookup("rverrors");
	long unsendable = ipc_derive(region, DENIX_RIGHT_READ);

	CHECK(sender > 0 && unsendable > 0);
	CHECK(ipc_receive(sender, &request, 0) == -LINUX_EPERM);
	CHECK(region_map(unsendable, LINUX_PROT_READ | LINUX_PROT_WRITE) == -LINUX_EPERM);
	msg_init(&request, 1);
	request.nhandles = 1;
	request.handles[0] = (int32_t)unsendable;
	CHECK(ipc_send(own, &request, DENIX_SEND_NONBLOCK) == -LINUX_EPERM);
	CHECK(ipc_call(own, &request, &reply, DENIX_TIMEOUT_INFINITE) == -LINUX_EPERM);
	printf("handle without the right: -EPERM (%d), passing one without GRANT too\n",
	       LINUX_EPERM);
}

static void bad_arguments(long own)
{
	static const char long_name[] =
		"a-name-of-sixty-five-bytes-which-is-one-more-than-the-kernel-takes";

	CHECK(strlen(long_name) > DENIX_NAME_MAX);
	CHECK(ipc_lookup("no-such-endpoint") == -LINUX_ENOENT);
	printf("unknown name: -ENOENT (%d)\n", LINUX_ENOENT);

	msg_init(&request, 1);
	request.length = 300;
	CHECK(ipc_send(own, &request, DENIX_SEND_NONBLOCK) == -LINUX_EINVAL);
	CHECK(ipc_call(own, &request, &reply, DENIX_TIMEOUT_INFINITE) == -LINUX_EINVAL);
	msg_init(&request, 1);
	request.nhandles = 9;
	CHECK(ipc_send(own, &request, DENIX_SEND_NONBLOCK) == -LINUX_EINVAL);
	msg_init(&request, 1);
	CHECK(ipc_call(own, &request, &reply, -2) == -LINUX_EINVAL);
	CHECK(ipc_reply(12345, &request) == -LINUX_EINVAL);
	CHECK(ipc_register("") == -LINUX_EINVAL);
	CHECK(ipc_lookup(long_name) == -LINUX_EINVAL);
	CHECK(region_create(0) == -LINUX_EINVAL);
	CHECK(barrier_create(0) == -LINUX_EINVAL);
	printf("length 300, nhandles 9, bad timeout, token, name or size: -EINVAL (%d)\n",
	       LINUX_EINVAL);

	CHECK(ipc_send(own, (const struct denix_msg *)16, 0) == -LINUX_EFAULT);
	CHECK(ipc_call(own, &request, (struct denix_msg *)(uintptr_t)&bad_arguments,
		       DENIX_TIMEOUT_INFINITE) == -LINUX_EFAULT);
	CHECK(syscall2(DENIX_SYS_ipc_lookup, 16, 4) == -LINUX_EFAULT);
	printf("wild pointer: -EFAULT (%d)\n", LINUX_EFAULT);

	CHECK(ipc_register("rverrors") == -LINUX_EEXIST);
	printf("registering a name already served: -EEXIST (%d)\n", LINUX_EEXIST);
}

static void full_queue(void)
{
	int fds[2];

	CHECK(pipe(fds) == 0);
	pid_t pid = fork_or_fail();

	if (pid == 0) {
		close(fds[1]);
		stuck_server("rvstuck", fds[0]);
	}
	close(fds[0]);
	long endpoint = lookup_when_ready("rvstuck");
	int sent = 0;
	long r;

	CHECK(endpoint > 0);
	msg_init(&request, 1);
	while ((r = ipc_send(endpoint, &request, DENIX_SEND_NONBLOCK)) == 0 && sent < 1000)
		sent++;
	CHECK(r == -LINUX_EAGAIN);
	CHECK(sent == DENIX_RING_SLOTS);
	printf("nonblocking sends to a server that never receives: %d queued, then -EAGAIN "
	       "(%d)\n",
	       sent, LINUX_EAGAIN);
	close(fds[1]);
	CHECK(exited_with(wait_for(pid), 0));
}

static void dead_server(void)
{
	pid_t pid = fork_or_fail();

	if (pid == 0)
		dying_server("rvdies");
	long endpoint = lookup_when_ready("rvdies");

	CHECK(endpoint > 0);
	msg_init(&request, 1);
	CHECK(ipc_call(endpoint, &request, &reply, DENIX_TIMEOUT_INFINITE) == -LINUX_ECONNRESET);
	printf("the server died holding the call: -ECONNRESET (%d)\n", LINUX_ECONNRESET);
	CHECK(exited_with(wait_for(pid), 0));
	CHECK(ipc_call(endpoint, &request, &reply, DENIX_TIMEOUT_INFINITE) == -LINUX_ENOTCONN);
	long again = ipc_lookup("rvdies");

	CHECK(again > 0);
	CHECK(ipc_send(again, &request, DENIX_SEND_NONBLOCK) == -LINUX_ENOTCONN);
	printf("calling a name whose server is gone: -ENOTCONN (%d)\n", LINUX_ENOTCONN);
}

int main(void)
{
	long own = ipc_register("rverrors");

	CHECK(own > 0);
	bad_handles(own);
	bad_arguments(own);
	full_queue();
	dead_server();
	printf("ok\n");
	return 0;
}
