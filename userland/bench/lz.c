/*
 * lz.c (bench_lz): an LZ77 compressor (hash chains over a 16 KiB window,
 * greedy matching) and its decompressor, over 64 KiB of text made of words
 * drawn from a small dictionary by an LCG, argv[1] times (default 100). Each
 * pass compresses, decompresses and compares the result with the input byte
 * for byte, folding the compressed size and a hash of the compressed bytes
 * into a checksum. Exits 1 if a round trip differs or nothing was saved.
 *
 * Compressed format, a sequence of tokens, each starting with a byte c:
 * c < 0x80: c + 1 literal bytes follow; c >= 0x80: a match of (c & 0x7f) + 4
 * bytes, starting the 16-bit little-endian offset that follows back in the
 * output.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUFFER_SIZE 65536
#define DEFAULT_PASSES 100
#define WINDOW_SIZE 16384
#define HASH_BITS 12
#define HASH_SIZE (1 << HASH_BITS)
#define MAX_CHAIN 16
#define MIN_MATCH 4
#define MAX_MATCH (0x7f + MIN_MATCH)
#define MAX_LITERALS 0x80
#define PACKED_SIZE (BUFFER_SIZE + BUFFER_SIZE / MAX_LITERALS + 16)

static const char *const words[] = {
	"the", "of", "and", "a", "to", "in", "is", "was", "that", "for",
	"kernel", "process", "memory", "page", "file", "signal", "thread", "pipe",
	"emulator", "instruction", "register", "interrupt", "scheduler", "buffer",
	"compress", "window", "offset", "length", "token", "literal", "match", "hash",
};
#define WORD_COUNT (sizeof(words) / sizeof(words[0]))

static uint8_t text[BUFFER_SIZE];
static uint8_t packed[PACKED_SIZE];
static uint8_t unpacked[BUFFER_SIZE];
/* Position + 1 of the latest string with each hash (0: none), and of the one before each. */
static uint32_t head[HASH_SIZE];
static uint32_t chain[WINDOW_SIZE];

static void make_text(void)
{
	uint32_t seed = 12345;
	size_t n = 0;
	unsigned words_in_sentence = 0;

	while (n < BUFFER_SIZE) {
		seed = seed * 1103515245u + 12345u;
		const char *word = words[(seed >> 16) % WORD_COUNT];
		for (size_t i = 0; word[i] && n < BUFFER_SIZE; i++)
			text[n++] = (uint8_t)word[i];
		if (++words_in_sentence >= 4 && seed >> 29 == 0) {
			if (n < BUFFER_SIZE)
				text[n++] = '.';
			words_in_sentence = 0;
		}
		if (n < BUFFER_SIZE)
			text[n++] = (seed >> 8) % 16 == 0 ? '\n' : ' ';
	}
}

static uint32_t hash4(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		     (uint32_t)p[3] << 24;
	return (v * 2654435761u) >> (32 - HASH_BITS);
}

static void insert(const uint8_t *in, size_t pos)
{
	uint32_t h = hash4(in + pos);
	chain[pos % WINDOW_SIZE] = head[h];
	head[h] = (uint32_t)pos + 1;
}

static size_t put_literals(uint8_t *out, size_t op, const uint8_t *in, size_t from, size_t to)
{
	while (from < to) {
		size_t run = to - from < MAX_LITERALS ? to - from : MAX_LITERALS;
		out[op++] = (uint8_t)(run - 1);
		memcpy(out + op, in + from, run);
		op += run;
		from += run;
	}
	return op;
}

/* Compresses in[0..n) into out (at least n + n / 128 + 16 bytes); returns its length. */
static size_t compress(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t op = 0;
	size_t literals = 0;
	size_t pos = 0;

	memset(head, 0, sizeof(head));
	while (pos + MIN_MATCH <= n) {
		size_t limit = n - pos < MAX_MATCH ? n - pos : MAX_MATCH;
		size_t best_length = 0;
		size_t best_offset = 0;
		uint32_t candidate = head[hash4(in + pos)];

		for (int tries = 0; candidate != 0 && tries < MAX_CHAIN; tries++) {
			size_t from = candidate - 1;
			if (pos - from > WINDOW_SIZE)
				break;
			if (in[from + best_length] == in[pos + best_length]) {
				size_t length = 0;
				while (length < limit && in[from + length] == in[pos + length])
					length++;
				if (length > best_length) {
					best_length = length;
					best_offset = pos - from;
					if (length == limit)
						break;
				}
			}
			candidate = chain[from % WINDOW_SIZE];
		}
		if (best_length < MIN_MATCH) {
			insert(in, pos);
			pos++;
			continue;
		}
		op = put_literals(out, op, in, literals, pos);
		out[op++] = (uint8_t)(0x80 | (best_length - MIN_MATCH));
		out[op++] = (uint8_t)best_offset;
		out[op++] = (uint8_t)(best_offset >> 8);
		for (size_t end = pos + best_length; pos < end; pos++)
			if (pos + MIN_MATCH <= n)
				insert(in, pos);
		literals = pos;
	}
	return put_literals(out, op, in, literals, n);
}

/* Decompresses in[0..m) into out (capacity bytes); returns its length, or -1 if malformed. */
static long decompress(const uint8_t *in, size_t m, uint8_t *out, size_t capacity)
{
	size_t ip = 0;
	size_t op = 0;

	while (ip < m) {
		uint8_t c = in[ip++];
		if (c < 0x80) {
			size_t run = (size_t)c + 1;
			if (run > m - ip || run > capacity - op)
				return -1;
			memcpy(out + op, in + ip, run);
			ip += run;
			op += run;
		} else {
			size_t length = (size_t)(c & 0x7f) + MIN_MATCH;
			if (m - ip < 2)
				return -1;
			size_t offset = (size_t)in[ip] | (size_t)in[ip + 1] << 8;
			ip += 2;
			if (offset == 0 || offset > op || length > capacity - op)
				return -1;
			/* Byte by byte: a match may overlap the bytes it produces. */
			for (size_t i = 0; i < length; i++, op++)
				out[op] = out[op - offset];
		}
	}
	return (long)op;
}

int main(int argc, char **argv)
{
	unsigned passes = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : DEFAULT_PASSES;
	uint32_t checksum = 0;
	size_t packed_size = 0;

	make_text();
	for (unsigned pass = 0; pass < passes; pass++) {
		packed_size = compress(text, BUFFER_SIZE, packed);
		long size = decompress(packed, packed_size, unpacked, BUFFER_SIZE);
		if (size != BUFFER_SIZE || memcmp(unpacked, text, BUFFER_SIZE) != 0 ||
		    packed_size >= BUFFER_SIZE) {
			printf("lz: self-check failed in pass %u: %u -> %lu -> %ld bytes\n", pass,
			       BUFFER_SIZE, (unsigned long)packed_size, size);
			return 1;
		}
		uint32_t hash = 2166136261u;
		for (size_t i = 0; i < packed_size; i++)
			hash = (hash ^ packed[i]) * 16777619u;
		checksum = (checksum * 31u + (uint32_t)packed_size) ^ hash;
	}
	printf("lz: %u passes, %u -> %lu bytes: 0x%08lx\n", passes, BUFFER_SIZE,
	       (unsigned long)packed_size, (unsigned long)checksum);
	return 0;
}
