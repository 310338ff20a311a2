/*
 * ipc_call.c (bench_ipc_call): argv[1] (default 10000) calls of add to the
 * TypeScript echo service (services/echo, which must be running): the round
 * trip from a RISC-V process through the kernel and a shared ring to a
 * service and back. argv[1] = 0 measures start-up only (the lookup included).
 * Prints the call count; exits 1 if the lookup fails or a sum comes back
 * wrong.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denix_ipc.h"

#define DEFAULT_CALLS 10000
#define ADD 2

int main(int argc, char **argv)
{
	unsigned calls = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : DEFAULT_CALLS;
	long echo = ipc_lookup("echo");
	struct denix_msg request, reply;

	if (echo < 0) {
		printf("ipc_call: lookup echo: %ld\n", echo);
		return 1;
	}
	memset(&request, 0, sizeof request);
	request.label = ADD;
	request.length = 8;
	for (unsigned i = 0; i < calls; i++) {
		uint32_t a = i, b = 3, sum;

		memcpy(request.payload, &a, 4);
		memcpy(request.payload + 4, &b, 4);
		if (ipc_call(echo, &request, &reply, DENIX_TIMEOUT_INFINITE) != 0 || reply.label != 0 ||
		    reply.length != 4) {
			printf("ipc_call: call %u failed\n", i);
			return 1;
		}
		memcpy(&sum, reply.payload, 4);
		if (sum != a + b) {
			printf("ipc_call: call %u: wrong sum\n", i);
			return 1;
		}
	}
	printf("ipc_call: %u calls\n", calls);
	return 0;
}
