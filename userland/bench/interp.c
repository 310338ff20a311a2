/*
 * interp.c (bench_interp): a stack-machine bytecode interpreter (a switch
 * over opcodes in a loop, locals in call frames, call/return, a word memory)
 * running a bytecode program written out below argv[1] times (default 100):
 * recursive fib(20), iterative fib(1000 + run) mod 2^32 and a sieve counting
 * the primes below 10000. Prints a checksum of every value the program
 * printed; exits 1 if a run's values are wrong (6765, the native fib, 1229).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_RUNS 100
#define STACK_SIZE 256
#define MAX_FRAMES 64
#define FRAME_LOCALS 4
#define MEMORY_WORDS 16384
#define MAX_OUTPUT 8

enum opcode {
	OP_HALT,	/* stop */
	OP_PUSH,	/* k: push k */
	OP_LOAD,	/* i: push local i */
	OP_STORE,	/* i: pop into local i */
	OP_ADD,		/* a b: push a + b */
	OP_SUB,		/* a b: push a - b */
	OP_MUL,		/* a b: push a * b */
	OP_LT,		/* a b: push 1 if a < b (signed), else 0 */
	OP_JMP,		/* addr: jump */
	OP_JZ,		/* addr: pop, jump if it is 0 */
	OP_CALL,	/* addr n: pop n arguments into a new frame's locals 0..n-1 */
	OP_RET,		/* leave the frame; its top of stack is the result */
	OP_LOADM,	/* a: push memory[a] */
	OP_STOREM,	/* a v: memory[a] = v */
	OP_PRINT,	/* pop and append to the output */
};

/* Entry points and jump targets: the word offsets noted beside the code. */
enum {
	FIB = 22,
	FIB_RECURSE = 32,
	FIBITER = 50,
	FIBITER_LOOP = 62,
	FIBITER_DONE = 89,
	SIEVE = 92,
	SIEVE_CLEAR = 96,
	SIEVE_CLEARED = 117,
	SIEVE_OUTER = 125,
	SIEVE_PRIME = 139,
	SIEVE_INNER = 153,
	SIEVE_NEXT = 174,
	SIEVE_END = 183,
	PROGRAM_SIZE = 186,
};

/* main(run): print fib(20), fibiter(1000 + run), sieve(10000). */
static const int32_t program[PROGRAM_SIZE] = {
	/*   0 */ OP_PUSH, 20,
	/*   2 */ OP_CALL, FIB, 1,
	/*   5 */ OP_PRINT,
	/*   6 */ OP_PUSH, 1000,
	/*   8 */ OP_LOAD, 0,
	/*  10 */ OP_ADD,
	/*  11 */ OP_CALL, FIBITER, 1,
	/*  14 */ OP_PRINT,
	/*  15 */ OP_PUSH, 10000,
	/*  17 */ OP_CALL, SIEVE, 1,
	/*  20 */ OP_PRINT,
	/*  21 */ OP_HALT,

	/* fib(n): n < 2 ? n : fib(n - 1) + fib(n - 2) */
	/*  22 */ OP_LOAD, 0,
	/*  24 */ OP_PUSH, 2,
	/*  26 */ OP_LT,
	/*  27 */ OP_JZ, FIB_RECURSE,
	/*  29 */ OP_LOAD, 0,
	/*  31 */ OP_RET,
	/*  32 */ OP_LOAD, 0,
	/*  34 */ OP_PUSH, 1,
	/*  36 */ OP_SUB,
	/*  37 */ OP_CALL, FIB, 1,
	/*  40 */ OP_LOAD, 0,
	/*  42 */ OP_PUSH, 2,
	/*  44 */ OP_SUB,
	/*  45 */ OP_CALL, FIB, 1,
	/*  48 */ OP_ADD,
	/*  49 */ OP_RET,

	/* fibiter(n): a = 0, b = 1; n times (a, b) = (b, a + b); a */
	/*  50 */ OP_PUSH, 0,
	/*  52 */ OP_STORE, 1,
	/*  54 */ OP_PUSH, 1,
	/*  56 */ OP_STORE, 2,
	/*  58 */ OP_PUSH, 0,
	/*  60 */ OP_STORE, 3,
	/*  62 */ OP_LOAD, 3,
	/*  64 */ OP_LOAD, 0,
	/*  66 */ OP_LT,
	/*  67 */ OP_JZ, FIBITER_DONE,
	/*  69 */ OP_LOAD, 1,
	/*  71 */ OP_LOAD, 2,
	/*  73 */ OP_ADD,
	/*  74 */ OP_LOAD, 2,
	/*  76 */ OP_STORE, 1,
	/*  78 */ OP_STORE, 2,
	/*  80 */ OP_LOAD, 3,
	/*  82 */ OP_PUSH, 1,
	/*  84 */ OP_ADD,
	/*  85 */ OP_STORE, 3,
	/*  87 */ OP_JMP, FIBITER_LOOP,
	/*  89 */ OP_LOAD, 1,
	/*  91 */ OP_RET,

	/* sieve(n): clear memory[0..n), count i in [2, n) unmarked, marking i*i, i*i+i, ... */
	/*  92 */ OP_PUSH, 0,
	/*  94 */ OP_STORE, 1,
	/*  96 */ OP_LOAD, 1,
	/*  98 */ OP_LOAD, 0,
	/* 100 */ OP_LT,
	/* 101 */ OP_JZ, SIEVE_CLEARED,
	/* 103 */ OP_LOAD, 1,
	/* 105 */ OP_PUSH, 0,
	/* 107 */ OP_STOREM,
	/* 108 */ OP_LOAD, 1,
	/* 110 */ OP_PUSH, 1,
	/* 112 */ OP_ADD,
	/* 113 */ OP_STORE, 1,
	/* 115 */ OP_JMP, SIEVE_CLEAR,
	/* 117 */ OP_PUSH, 0,
	/* 119 */ OP_STORE, 3,
	/* 121 */ OP_PUSH, 2,
	/* 123 */ OP_STORE, 1,
	/* 125 */ OP_LOAD, 1,
	/* 127 */ OP_LOAD, 0,
	/* 129 */ OP_LT,
	/* 130 */ OP_JZ, SIEVE_END,
	/* 132 */ OP_LOAD, 1,
	/* 134 */ OP_LOADM,
	/* 135 */ OP_JZ, SIEVE_PRIME,
	/* 137 */ OP_JMP, SIEVE_NEXT,
	/* 139 */ OP_LOAD, 3,
	/* 141 */ OP_PUSH, 1,
	/* 143 */ OP_ADD,
	/* 144 */ OP_STORE, 3,
	/* 146 */ OP_LOAD, 1,
	/* 148 */ OP_LOAD, 1,
	/* 150 */ OP_MUL,
	/* 151 */ OP_STORE, 2,
	/* 153 */ OP_LOAD, 2,
	/* 155 */ OP_LOAD, 0,
	/* 157 */ OP_LT,
	/* 158 */ OP_JZ, SIEVE_NEXT,
	/* 160 */ OP_LOAD, 2,
	/* 162 */ OP_PUSH, 1,
	/* 164 */ OP_STOREM,
	/* 165 */ OP_LOAD, 2,
	/* 167 */ OP_LOAD, 1,
	/* 169 */ OP_ADD,
	/* 170 */ OP_STORE, 2,
	/* 172 */ OP_JMP, SIEVE_INNER,
	/* 174 */ OP_LOAD, 1,
	/* 176 */ OP_PUSH, 1,
	/* 178 */ OP_ADD,
	/* 179 */ OP_STORE, 1,
	/* 181 */ OP_JMP, SIEVE_OUTER,
	/* 183 */ OP_LOAD, 3,
	/* 185 */ OP_RET,
};

struct frame {
	int return_pc;
	uint32_t *locals;
};

static uint32_t memory[MEMORY_WORDS];
static uint32_t locals[(MAX_FRAMES + 1) * FRAME_LOCALS];

/*
 * Runs code from pc 0 with main's local 0 set to argument, appending what it
 * prints to output. Returns how many values it printed, or -1 if the program
 * overflowed the frame stack or printed too much.
 */
static int run(const int32_t *code, uint32_t argument, uint32_t *output)
{
	uint32_t stack[STACK_SIZE];
	struct frame frames[MAX_FRAMES];
	uint32_t *sp = stack;
	uint32_t *local = locals;
	int depth = 0;
	int printed = 0;
	int pc = 0;

	local[0] = argument;
	for (;;) {
		int32_t op = code[pc++];
		switch (op) {
		case OP_HALT:
			return printed;
		case OP_PUSH:
			*sp++ = (uint32_t)code[pc++];
			break;
		case OP_LOAD:
			*sp++ = local[code[pc++]];
			break;
		case OP_STORE:
			local[code[pc++]] = *--sp;
			break;
		case OP_ADD:
			sp--;
			sp[-1] += sp[0];
			break;
		case OP_SUB:
			sp--;
			sp[-1] -= sp[0];
			break;
		case OP_MUL:
			sp--;
			sp[-1] *= sp[0];
			break;
		case OP_LT:
			sp--;
			sp[-1] = (int32_t)sp[-1] < (int32_t)sp[0];
			break;
		case OP_JMP:
			pc = code[pc];
			break;
		case OP_JZ:
			pc = *--sp == 0 ? code[pc] : pc + 1;
			break;
		case OP_CALL: {
			int target = code[pc];
			int args = code[pc + 1];
			if (depth == MAX_FRAMES)
				return -1;
			frames[depth].return_pc = pc + 2;
			frames[depth].locals = local;
			depth++;
			local += FRAME_LOCALS;
			for (int i = args - 1; i >= 0; i--)
				local[i] = *--sp;
			pc = target;
			break;
		}
		case OP_RET:
			depth--;
			pc = frames[depth].return_pc;
			local = frames[depth].locals;
			break;
		case OP_LOADM:
			sp[-1] = memory[sp[-1] % MEMORY_WORDS];
			break;
		case OP_STOREM:
			sp -= 2;
			memory[sp[0] % MEMORY_WORDS] = sp[1];
			break;
		case OP_PRINT:
			if (printed == MAX_OUTPUT)
				return -1;
			output[printed++] = *--sp;
			break;
		default:
			return -1;
		}
	}
}

static uint32_t native_fib(uint32_t n)
{
	uint32_t a = 0, b = 1;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t next = a + b;
		a = b;
		b = next;
	}
	return a;
}

int main(int argc, char **argv)
{
	unsigned runs = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : DEFAULT_RUNS;
	uint32_t checksum = 0;
	uint32_t output[MAX_OUTPUT];

	for (unsigned r = 0; r < runs; r++) {
		int printed = run(program, r, output);
		if (printed != 3 || output[0] != 6765 || output[1] != native_fib(1000 + r) ||
		    output[2] != 1229) {
			printf("interp: self-check failed in run %u\n", r);
			return 1;
		}
		for (int i = 0; i < printed; i++)
			checksum = (checksum ^ output[i]) * 16777619u;
	}
	printf("interp: %u runs: 0x%08lx\n", runs, (unsigned long)checksum);
	return 0;
}
