/*
 * pipe_wake.c: a reader woken by a pipe's writer that does not block next still runs. The
 * kernel puts a reader woken by a write on the writer's hart (the writer usually blocks next,
 * reading the answer, and that hart is awake); one that goes on computing instead must not keep
 * the reader waiting behind it. The child blocks reading a pipe; the parent writes one byte and
 * then spins, with no system call, until the child has set a flag in shared memory (or gives up
 * after about ten seconds of emulated work, and fails). Then a ping-pong of ROUNDS bytes checks
 * that the data still arrives in order.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#include "check.h"

#define ROUNDS 2000
#define SPIN_LIMIT 400000000u

int main(void)
{
	volatile uint32_t *flag = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				       -1, 0);
	CHECK(flag != MAP_FAILED);
	int down[2], up[2];
	CHECK(pipe(down) == 0 && pipe(up) == 0);
	pid_t child = fork_or_fail();
	if (child == 0) {
		char c;
		CHECK(read(down[0], &c, 1) == 1);
		*flag = 1;
		for (int i = 0; i < ROUNDS; i++) {
			CHECK(read(down[0], &c, 1) == 1);
			CHECK(c == (char)i);
			CHECK(write(up[1], &c, 1) == 1);
		}
		_exit(0);
	}
	struct timespec pause = {0, 20 * 1000 * 1000};
	nanosleep(&pause, NULL); /* the child is asleep in read by now */
	CHECK(write(down[1], "x", 1) == 1);
	uint32_t spins = 0;
	while (*flag == 0 && spins < SPIN_LIMIT) spins++;
	CHECK(*flag == 1);
	printf("a reader woken by a writer that kept computing ran meanwhile\n");
	for (int i = 0; i < ROUNDS; i++) {
		char c = (char)i, back;
		CHECK(write(down[1], &c, 1) == 1);
		CHECK(read(up[0], &back, 1) == 1);
		CHECK(back == c);
	}
	CHECK(exited_with(wait_for(child), 0));
	printf("%d ping-pong rounds in order\nok\n", ROUNDS);
	return 0;
}
