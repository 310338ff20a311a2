/*
 * ipc_check.h: what the IPC test programs (ipc_*.c) share on top of check.h:
 * building and reading messages (little-endian u32 payload fields), finding
 * an endpoint a just-forked server is about to register, and handing handles
 * to children. Handles belong to a process and are not inherited across fork,
 * so a parent that serves an endpoint gives its children handles in replies.
 */
#ifndef IPC_CHECK_H
#define IPC_CHECK_H

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "denix_ipc.h"

/* How often, 1 ms apart, to look for an endpoint before giving up. */
#define LOOKUP_TRIES 5000

/* An empty message with `label`. */
static void __attribute__((unused)) msg_init(struct denix_msg *m, int32_t label)
{
	memset(m, 0, sizeof *m);
	m->label = label;
}

/* Stores u32 `value` at payload offset `at`, growing the length to cover it. */
static void __attribute__((unused)) msg_put_u32(struct denix_msg *m, unsigned at, uint32_t value)
{
	memcpy(m->payload + at, &value, sizeof value);
	if (m->length < at + sizeof value)
		m->length = at + sizeof value;
}

/* The u32 at payload offset `at`. */
static uint32_t __attribute__((unused)) msg_u32(const struct denix_msg *m, unsigned at)
{
	uint32_t value;

	memcpy(&value, m->payload + at, sizeof value);
	return value;
}

/*
 * A handle to endpoint `name` once it exists: a server forked just before may
 * not have registered it yet (-ENOENT until then). Returns the last result.
 */
static long __attribute__((unused)) lookup_when_ready(const char *name)
{
	long handle = -LINUX_ENOENT;

	for (int i = 0; i < LOOKUP_TRIES && handle == -LINUX_ENOENT; i++) {
		handle = ipc_lookup(name);
		if (handle == -LINUX_ENOENT)
			usleep(1000);
	}
	return handle;
}

/* Answers the call behind `token` with status `label` and at most one handle (0: none). */
static void __attribute__((unused)) reply_with(long token, int32_t label, long handle)
{
	struct denix_msg reply;

	msg_init(&reply, label);
	if (handle > 0) {
		reply.nhandles = 1;
		reply.handles[0] = (int32_t)handle;
	}
	CHECK(ipc_reply(token, &reply) == 0);
}

/* Receives one call on `endpoint` and answers it with `handle`; returns the request's label. */
static int32_t __attribute__((unused)) hand_out(long endpoint, long handle)
{
	struct denix_msg request;
	long token = ipc_receive(endpoint, &request, DENIX_TIMEOUT_INFINITE);

	CHECK(token > 0);
	reply_with(token, 0, handle);
	return request.label;
}

/*
 * Calls endpoint `name` with `label` and returns the first handle of the
 * reply: how a child gets a handle from its parent. Fails the test unless the
 * reply is status 0 with a handle and no payload.
 */
static long __attribute__((unused)) fetch_handle(const char *name, int32_t label)
{
	struct denix_msg request, reply;
	long endpoint = lookup_when_ready(name);

	CHECK(endpoint > 0);
	msg_init(&request, label);
	CHECK(ipc_call(endpoint, &request, &reply, DENIX_TIMEOUT_INFINITE) == 0);
	CHECK(reply.label == 0 && reply.nhandles >= 1 && reply.length == 0);
	CHECK(ipc_close(endpoint) == 0);
	return reply.handles[0];
}

#endif
