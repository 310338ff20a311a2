/*
 * ipc_ts_client.c: a RISC-V client of the TypeScript echo service
 * (services/echo, which must be running): add and echo with inline payloads;
 * a 1 MiB region, mapped here and handed to the service by handle only, so
 * it checksums and fills the bytes where they lie (zero-copy); rights enforced
 * (fill through a read-only handle is -EPERM); a call that outlives its
 * timeout is -ETIMEDOUT and its late reply does not confuse the next call.
 * Prints a line per check, then `ok`; exits 0 only if all passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ipc_check.h"

/* The echo protocol (services/echo/protocol.ts). */
#define ECHO 1
#define ADD 2
#define CHECKSUM 3
#define FILL 4
#define SLEEP 5

#define REGION_SIZE (1024 * 1024)
#define FILL_OFFSET 4096
#define FILL_LENGTH 65536
#define FILL_VALUE 0x5a

static long echo;

/* What the region holds before any fill. */
static uint8_t pattern(uint32_t i)
{
	return (uint8_t)(i * 7 + (i >> 12));
}

/* Calls echo with `request`; returns the reply's status label. */
static int32_t call(struct denix_msg *request, struct denix_msg *reply)
{
	CHECK(ipc_call(echo, request, reply, DENIX_TIMEOUT_INFINITE) == 0);
	return reply->label;
}

static uint32_t add(uint32_t a, uint32_t b)
{
	struct denix_msg request, reply;

	msg_init(&request, ADD);
	msg_put_u32(&request, 0, a);
	msg_put_u32(&request, 4, b);
	CHECK(call(&request, &reply) == 0);
	CHECK(reply.length == 4);
	return msg_u32(&reply, 0);
}

/* A region request: offset, length (u32s), and for fill the byte; the region as handle 0. */
static void region_request(struct denix_msg *m, int32_t label, long region, uint32_t offset,
			   uint32_t length)
{
	msg_init(m, label);
	msg_put_u32(m, 0, offset);
	msg_put_u32(m, 4, length);
	m->nhandles = 1;
	m->handles[0] = (int32_t)region;
}

static int32_t fill(long region, uint32_t offset, uint32_t length, uint8_t value)
{
	struct denix_msg request, reply;

	region_request(&request, FILL, region, offset, length);
	request.payload[8] = value;
	request.length = 9;
	int32_t status = call(&request, &reply);

	CHECK(reply.length == 0);
	return status;
}

int main(void)
{
	struct denix_msg request, reply;

	echo = ipc_lookup("echo");
	CHECK(echo > 0);
	CHECK(add(40, 2) == 42);
	CHECK(add(0xffffffffu, 3) == 2);
	printf("echo.add(40, 2) = 42, and wraps mod 2^32\n");

	msg_init(&request, ECHO);
	msg_put_u32(&request, 0, DENIX_MSG_PAYLOAD_MAX - 4);
	for (int i = 4; i < DENIX_MSG_PAYLOAD_MAX; i++)
		request.payload[i] = (uint8_t)(i * 13);
	request.length = DENIX_MSG_PAYLOAD_MAX;
	CHECK(call(&request, &reply) == 0);
	CHECK(reply.length == DENIX_MSG_PAYLOAD_MAX);
	CHECK(memcmp(reply.payload, request.payload, DENIX_MSG_PAYLOAD_MAX) == 0);
	printf("echo.echo: %d bytes came back intact\n", DENIX_MSG_PAYLOAD_MAX - 4);

	msg_init(&request, 99);
	CHECK(call(&request, &reply) == -LINUX_EINVAL);
	printf("unknown label: -EINVAL (%d)\n", LINUX_EINVAL);

	long region = region_create(REGION_SIZE);

	CHECK(region > 0);
	CHECK(region_size(region) == REGION_SIZE);
	long at = region_map(region, LINUX_PROT_READ | LINUX_PROT_WRITE);

	CHECK(!linux_is_error(at));
	uint8_t *bytes = (uint8_t *)at;
	uint32_t sum = 0;

	for (uint32_t i = 0; i < REGION_SIZE; i++) {
		bytes[i] = pattern(i);
		sum += bytes[i];
	}
	printf("1 MiB region mapped read-write and filled\n");

	long readable = ipc_derive(region, DENIX_RIGHT_READ | DENIX_RIGHT_GRANT);

	CHECK(readable > 0);
	region_request(&request, CHECKSUM, readable, 0, REGION_SIZE);
	CHECK(call(&request, &reply) == 0);
	CHECK(reply.length == 4);
	CHECK(msg_u32(&reply, 0) == sum);
	printf("checksum through a read-only handle: %u, as computed here\n", (unsigned)sum);

	long writable = ipc_derive(region, DENIX_RIGHT_READ | DENIX_RIGHT_WRITE | DENIX_RIGHT_GRANT);

	CHECK(writable > 0);
	CHECK(fill(writable, FILL_OFFSET, FILL_LENGTH, FILL_VALUE) == 0);
	for (uint32_t i = 0; i < REGION_SIZE; i++) {
		int inside = i >= FILL_OFFSET && i < FILL_OFFSET + FILL_LENGTH;

		CHECK(bytes[i] == (inside ? FILL_VALUE : pattern(i)));
	}
	printf("fill through a read-write handle: %d bytes changed in our mapping, "
	       "none sent in a message\n",
	       FILL_LENGTH);

	CHECK(fill(readable, 0, 16, 0) == -LINUX_EPERM);
	for (uint32_t i = 0; i < 16; i++)
		CHECK(bytes[i] == pattern(i));
	printf("fill through a read-only handle: -EPERM (%d), bytes untouched\n", LINUX_EPERM);

	region_request(&request, CHECKSUM, readable, REGION_SIZE - 8, 16);
	CHECK(call(&request, &reply) == -LINUX_EINVAL);
	printf("checksum past the region's end: -EINVAL (%d)\n", LINUX_EINVAL);

	msg_init(&request, SLEEP);
	msg_put_u32(&request, 0, 500);
	CHECK(ipc_call(echo, &request, &reply, 50) == -LINUX_ETIMEDOUT);
	printf("sleep(500) with a 50 ms timeout: -ETIMEDOUT (%d)\n", LINUX_ETIMEDOUT);
	CHECK(add(1, 2) == 3);
	printf("the next call gets its own reply, not the late one\n");
	printf("ok\n");
	return 0;
}
