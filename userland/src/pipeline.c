/*
 * pipeline.c: three processes joined by two pipes, generator | transformer
 * | checksummer, move 16 MiB (argv[1] MiB overrides). The generator writes
 * an xorshift stream and sends the checksum of what it wrote on a third
 * pipe; the transformer XORs every word with a constant; the checksummer
 * (the parent) undoes that, checksums what it received and compares.
 * Prints the byte count and `checksum ok`, then `ok`; exits 0 only if the
 * byte counts and checksums agree and both children exited 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

#define DEFAULT_MIB 16
#define CHUNK 4096
#define WORDS (CHUNK / 4)
#define MASK 0x5a5aa5a5u

static uint32_t buffer[WORDS];

/* An order-sensitive checksum of 32-bit words. */
static uint32_t mix(uint32_t sum, uint32_t word)
{
	sum ^= word;
	sum *= 0x01000193u;
	return sum ^ (sum >> 15);
}

static void write_all(int fd, const void *data, size_t length)
{
	const char *p = data;

	while (length > 0) {
		ssize_t n = write(fd, p, length);

		if (n <= 0)
			_exit(3);
		p += n;
		length -= (size_t)n;
	}
}

/* Reads up to a whole chunk (fewer only at end of stream); returns the byte count. */
static size_t read_chunk(int fd, void *data)
{
	char *p = data;
	size_t got = 0;

	while (got < CHUNK) {
		ssize_t n = read(fd, p + got, CHUNK - got);

		if (n < 0)
			_exit(4);
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static void generator(int out, int report, uint32_t total)
{
	uint32_t state = 2463534242u;
	uint32_t sum = 0;

	for (uint32_t done = 0; done < total; done += CHUNK) {
		for (int i = 0; i < WORDS; i++) {
			state ^= state << 13;
			state ^= state >> 17;
			state ^= state << 5;
			buffer[i] = state;
			sum = mix(sum, state);
		}
		write_all(out, buffer, CHUNK);
	}
	write_all(report, &sum, sizeof(sum));
	_exit(0);
}

static void transformer(int in, int out)
{
	size_t got;

	while ((got = read_chunk(in, buffer)) > 0) {
		if (got % 4 != 0)
			_exit(5);
		for (size_t i = 0; i < got / 4; i++)
			buffer[i] ^= MASK;
		write_all(out, buffer, got);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	uint32_t total = (uint32_t)(argc > 1 ? atoi(argv[1]) : DEFAULT_MIB) * 1024 * 1024;
	int first[2];
	int second[2];
	int report[2];

	CHECK(pipe(first) == 0 && pipe(second) == 0 && pipe(report) == 0);
	pid_t gen = fork_or_fail();
	if (gen == 0) {
		close(first[0]);
		close(second[0]);
		close(second[1]);
		close(report[0]);
		generator(first[1], report[1], total);
	}
	pid_t trans = fork_or_fail();
	if (trans == 0) {
		close(first[1]);
		close(second[0]);
		close(report[0]);
		close(report[1]);
		transformer(first[0], second[1]);
	}
	close(first[0]);
	close(first[1]);
	close(second[1]);
	close(report[1]);

	uint32_t sum = 0;
	uint32_t received = 0;
	size_t got;
	while ((got = read_chunk(second[0], buffer)) > 0) {
		CHECK(got % 4 == 0);
		for (size_t i = 0; i < got / 4; i++)
			sum = mix(sum, buffer[i] ^ MASK);
		received += (uint32_t)got;
	}
	uint32_t sent_sum;
	CHECK(read(report[0], &sent_sum, sizeof(sent_sum)) == sizeof(sent_sum));
	CHECK(exited_with(wait_for(gen), 0));
	CHECK(exited_with(wait_for(trans), 0));
	printf("bytes: %lu\n", (unsigned long)received);
	CHECK(received == total);
	CHECK(sum == sent_sum);
	printf("checksum ok\n");
	printf("ok\n");
	return 0;
}
