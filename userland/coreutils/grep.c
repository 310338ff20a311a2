/*
 * grep.c: prints the lines of each named file (or of stdin, or "-") that
 * match a pattern, as GNU grep does in the C locale. The regular
 * expressions are this file's own: basic (default, -G) with . * ^ $ [...]
 * (ranges, [:class:], [=c=], [.c.]), \( \) groups, \{m,n\} intervals, \1-\9
 * back-references and GNU's \+ \? \| \< \> \b \B \w \W \s \S, or extended
 * (-E) with + ? | ( ) {m,n} unescaped; -F takes fixed strings. Patterns
 * (the first operand, -e PATTERN, -f FILE; one per line) are parsed into a
 * tree, compiled into a small instruction program and run by a Pike
 * virtual machine (linear time), or by backtracking when the pattern has
 * back-references (with a step budget: a pathological pattern may miss).
 * Options: -i case-insensitive, -v invert, -c count, -n line numbers,
 * -l / -L files with / without a match, -h / -H without / with file names
 * (default: with, for several files), -q quiet, -s no messages about
 * files, -x whole line, -w whole words, -o only the matched parts, -m N
 * stop after N lines. A file with a NUL byte is binary:
 * its first matching line prints `grep: NAME: binary file matches` on
 * stderr instead (GNU 3.8). Exit status 0 when a line was selected, 1 when
 * none, 2 on an error (but 0 for -q once a line matched).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

/* ---- The pattern tree ---- */

enum node_type {
	N_EMPTY,
	N_CHAR,
	N_SET,
	N_ASSERT,
	N_GROUP,
	N_BACKREF,
	N_CAT,
	N_ALT,
	N_REPEAT,
};

enum assertion {
	A_LINE_START,
	A_LINE_END,
	A_WORD_BOUNDARY,
	A_NOT_WORD_BOUNDARY,
	A_WORD_START,
	A_WORD_END,
};

struct node {
	enum node_type type;
	int value;    /* the byte, set index, assertion, group number */
	int left, right;
	int min, max; /* N_REPEAT; max -1: no limit */
};

struct set {
	uint32_t bits[8];
};

static struct node *nodes;
static int node_count, node_size;
static struct set *sets;
static int set_count, set_size;
static bool ignore_case;

static const char *regex_error;

static void out_of_memory(void)
{
	fflush(stdout);
	fprintf(stderr, "grep: %s\n", strerror(ENOMEM));
	exit(2);
}

static void *grow(void *array, int *size, size_t element)
{
	int bigger = *size == 0 ? 64 : *size * 2;
	void *p = realloc(array, (size_t)bigger * element);
	if (p == NULL)
		out_of_memory();
	*size = bigger;
	return p;
}

static int new_node(enum node_type type, int value, int left, int right)
{
	if (node_count == node_size)
		nodes = grow(nodes, &node_size, sizeof(*nodes));
	nodes[node_count] = (struct node){type, value, left, right, 0, 0};
	return node_count++;
}

static int new_set(void)
{
	if (set_count == set_size)
		sets = grow(sets, &set_size, sizeof(*sets));
	memset(&sets[set_count], 0, sizeof(sets[set_count]));
	return set_count++;
}

static void set_add(struct set *s, unsigned c)
{
	s->bits[c >> 5] |= 1u << (c & 31);
}

static bool set_has(const struct set *s, unsigned c)
{
	return (s->bits[c >> 5] >> (c & 31)) & 1;
}

static bool is_word(unsigned char c)
{
	return isalnum(c) || c == '_';
}

static int char_node(unsigned char c)
{
	if (ignore_case && isalpha(c)) {
		int s = new_set();
		set_add(&sets[s], (unsigned)tolower(c));
		set_add(&sets[s], (unsigned)toupper(c));
		return new_node(N_SET, s, -1, -1);
	}
	return new_node(N_CHAR, c, -1, -1);
}

static int cat(int a, int b)
{
	if (a < 0 || nodes[a].type == N_EMPTY)
		return b;
	if (b < 0 || nodes[b].type == N_EMPTY)
		return a;
	return new_node(N_CAT, 0, a, b);
}

/* ---- Parsing ---- */

struct parser {
	const char *s;
	size_t i, n;
	bool ere;
	int depth;
	int group_base;  /* groups of earlier patterns */
	int groups;      /* groups opened in this pattern */
	uint32_t closed; /* bit g: group g (1..9) is closed */
};

static int fail_parse(const char *message)
{
	if (regex_error == NULL)
		regex_error = message;
	return -1;
}

static bool at(const struct parser *p, const char *token)
{
	size_t length = strlen(token);
	return p->n - p->i >= length && memcmp(p->s + p->i, token, length) == 0;
}

static bool at_alternation(const struct parser *p)
{
	return p->ere ? at(p, "|") : at(p, "\\|");
}

static bool at_close(const struct parser *p)
{
	return p->ere ? p->depth > 0 && at(p, ")") : at(p, "\\)");
}

static const struct {
	const char *name;
	int (*test)(int);
} CLASSES[] = {
	{"alpha", isalpha}, {"upper", isupper}, {"lower", islower}, {"digit", isdigit},
	{"xdigit", isxdigit}, {"space", isspace}, {"print", isprint}, {"punct", ispunct},
	{"graph", isgraph}, {"cntrl", iscntrl}, {"blank", isblank}, {"alnum", isalnum},
};

/* One element of a bracket expression: a byte, or a class (returns -2, filling the set). */
static int bracket_element(struct parser *p, struct set *set, bool *is_class)
{
	*is_class = false;
	if (p->i + 1 < p->n && p->s[p->i] == '[' &&
	    (p->s[p->i + 1] == ':' || p->s[p->i + 1] == '=' || p->s[p->i + 1] == '.')) {
		char kind = p->s[p->i + 1];
		size_t start = p->i + 2, end = start;
		while (end + 1 < p->n && !(p->s[end] == kind && p->s[end + 1] == ']'))
			end++;
		if (end + 1 >= p->n)
			return fail_parse("Unmatched [, [^, [:, [., or [=");
		p->i = end + 2;
		if (kind == ':') {
			for (size_t c = 0; c < sizeof(CLASSES) / sizeof(CLASSES[0]); c++) {
				if (strlen(CLASSES[c].name) == end - start &&
				    memcmp(CLASSES[c].name, p->s + start, end - start) == 0) {
					for (int b = 0; b < 256; b++)
						if (CLASSES[c].test(b))
							set_add(set, (unsigned)b);
					*is_class = true;
					return 0;
				}
			}
			return fail_parse("Invalid character class name");
		}
		if (end - start != 1)
			return fail_parse("Invalid collation character");
		return (unsigned char)p->s[start];
	}
	return (unsigned char)p->s[p->i++];
}

static int parse_bracket(struct parser *p)
{
	int index = new_set();
	struct set set;
	bool negate = false;

	memset(&set, 0, sizeof(set));
	p->i++; /* '[' */
	if (p->i < p->n && p->s[p->i] == '^') {
		negate = true;
		p->i++;
	}
	bool first = true;
	for (;;) {
		if (p->i >= p->n)
			return fail_parse("Unmatched [, [^, [:, [., or [=");
		if (p->s[p->i] == ']' && !first) {
			p->i++;
			break;
		}
		first = false;
		bool is_class;
		int low = bracket_element(p, &set, &is_class);
		if (low < 0)
			return -1;
		if (is_class)
			continue;
		if (p->i + 1 < p->n && p->s[p->i] == '-' && p->s[p->i + 1] != ']') {
			p->i++;
			int high = bracket_element(p, &set, &is_class);
			if (high < 0)
				return -1;
			if (is_class || high < low)
				return fail_parse("Invalid range end");
			for (int c = low; c <= high; c++)
				set_add(&set, (unsigned)c);
			continue;
		}
		set_add(&set, (unsigned)low);
	}
	if (ignore_case) {
		for (int c = 0; c < 256; c++) {
			if (set_has(&set, (unsigned)c)) {
				set_add(&set, (unsigned)tolower(c));
				set_add(&set, (unsigned)toupper(c));
			}
		}
	}
	if (negate) {
		for (int w = 0; w < 8; w++)
			set.bits[w] = ~set.bits[w];
		/* A newline is never in a line. */
	}
	sets[index] = set;
	return new_node(N_SET, index, -1, -1);
}

static int class_node(int (*test)(int), bool negate)
{
	int s = new_set();
	for (int c = 0; c < 256; c++)
		if ((test != NULL ? (test(c) != 0) : is_word((unsigned char)c)) != negate)
			set_add(&sets[s], (unsigned)c);
	return new_node(N_SET, s, -1, -1);
}

/* An interval {m}, {m,}, {,n}, {m,n} after the opening brace; false when not one. */
static bool parse_interval(struct parser *p, int *min, int *max)
{
	size_t i = p->i;
	long low = -1, high;

	if (i < p->n && isdigit((unsigned char)p->s[i])) {
		low = 0;
		while (i < p->n && isdigit((unsigned char)p->s[i]))
			low = low < 100000 ? low * 10 + (p->s[i++] - '0') : low;
	}
	if (i < p->n && p->s[i] == ',') {
		i++;
		high = -1;
		if (i < p->n && isdigit((unsigned char)p->s[i])) {
			high = 0;
			while (i < p->n && isdigit((unsigned char)p->s[i]))
				high = high < 100000 ? high * 10 + (p->s[i++] - '0') : high;
		}
		if (low < 0)
			low = 0;
	} else {
		if (low < 0)
			return false;
		high = low;
	}
	const char *close = p->ere ? "}" : "\\}";
	size_t close_length = strlen(close);
	if (p->n - i < close_length || memcmp(p->s + i, close, close_length) != 0)
		return false;
	p->i = i + close_length;
	*min = (int)low;
	*max = (int)high;
	return true;
}

static int parse_alternation(struct parser *p);

/* One atom; `items` is how many came before it in this branch. */
static int parse_atom(struct parser *p, int items)
{
	unsigned char c = (unsigned char)p->s[p->i];

	if (c == '\\') {
		if (p->i + 1 >= p->n)
			return fail_parse("Trailing backslash");
		unsigned char e = (unsigned char)p->s[p->i + 1];
		p->i += 2;
		if (!p->ere && e == '(')
			goto group;
		if (!p->ere && (e == '{'))
			return fail_parse("Invalid preceding regular expression");
		if (!p->ere && e == ')')
			return fail_parse("Unmatched ) or \\)");
		if (e >= '1' && e <= '9') {
			int g = e - '0';
			if (!(p->closed & (1u << g)))
				return fail_parse("Invalid back reference");
			return new_node(N_BACKREF, p->group_base + g, -1, -1);
		}
		switch (e) {
		case 'w':
			return class_node(NULL, false);
		case 'W':
			return class_node(NULL, true);
		case 's':
			return class_node(isspace, false);
		case 'S':
			return class_node(isspace, true);
		case 'b':
			return new_node(N_ASSERT, A_WORD_BOUNDARY, -1, -1);
		case 'B':
			return new_node(N_ASSERT, A_NOT_WORD_BOUNDARY, -1, -1);
		case '<':
			return new_node(N_ASSERT, A_WORD_START, -1, -1);
		case '>':
			return new_node(N_ASSERT, A_WORD_END, -1, -1);
		case '`':
			return new_node(N_ASSERT, A_LINE_START, -1, -1);
		case '\'':
			return new_node(N_ASSERT, A_LINE_END, -1, -1);
		default:
			return char_node(e);
		}
	}
	if (c == '[')
		return parse_bracket(p);
	if (c == '.') {
		p->i++;
		int s = new_set();
		memset(sets[s].bits, 0xff, sizeof(sets[s].bits));
		return new_node(N_SET, s, -1, -1);
	}
	if (c == '^' && (p->ere || items == 0)) {
		p->i++;
		return new_node(N_ASSERT, A_LINE_START, -1, -1);
	}
	if (c == '$') {
		p->i++;
		if (p->ere || p->i == p->n || at(p, "\\)") || at(p, "\\|"))
			return new_node(N_ASSERT, A_LINE_END, -1, -1);
		return char_node(c);
	}
	if (p->ere && c == '(') {
		p->i++;
		goto group;
	}
	p->i++;
	return char_node(c);

group : {
	int g = ++p->groups;
	p->depth++;
	int inner = parse_alternation(p);
	if (inner < 0)
		return -1;
	if (!at_close(p))
		return fail_parse("Unmatched ( or \\(");
	p->i += p->ere ? 1 : 2;
	p->depth--;
	if (g <= 9)
		p->closed |= 1u << g;
	return new_node(N_GROUP, p->group_base + g, inner, -1);
}
}

/* A repetition operator here? Sets min and max and consumes it. */
static bool parse_repeat(struct parser *p, int *min, int *max)
{
	if (p->i >= p->n)
		return false;
	char c = p->s[p->i];
	if (c == '*') {
		p->i++;
		*min = 0;
		*max = -1;
		return true;
	}
	if (p->ere) {
		if (c == '+' || c == '?') {
			p->i++;
			*min = c == '+' ? 1 : 0;
			*max = c == '+' ? -1 : 1;
			return true;
		}
		if (c == '{') {
			size_t saved = p->i;
			p->i++;
			if (parse_interval(p, min, max))
				return true;
			p->i = saved; /* not an interval: an ordinary '{' */
		}
		return false;
	}
	if (at(p, "\\+") || at(p, "\\?")) {
		*min = p->s[p->i + 1] == '+' ? 1 : 0;
		*max = p->s[p->i + 1] == '+' ? -1 : 1;
		p->i += 2;
		return true;
	}
	if (at(p, "\\{")) {
		p->i += 2;
		if (!parse_interval(p, min, max)) {
			regex_error = regex_error != NULL ? regex_error : "Unmatched \\{";
			*min = -1;
			return true;
		}
		return true;
	}
	return false;
}

/*
 * A branch: pieces up to a '|' or the group's end. As GNU's dfa does, a
 * repetition operator with only zero-width items (anchors, \<, \b ...)
 * before it in the branch is an ordinary character in a BRE ('*', '+',
 * '?', '{'), and applies to nothing (is skipped) in an ERE.
 */
static int parse_branch(struct parser *p)
{
	int result = new_node(N_EMPTY, 0, -1, -1);
	int items = 0;
	bool last_start = true;

	while (p->i < p->n && !at_alternation(p) && !at_close(p)) {
		int atom;
		int min, max;
		char c = p->s[p->i];

		if (!p->ere && last_start &&
		    (c == '*' || at(p, "\\+") || at(p, "\\?") || at(p, "\\{"))) {
			p->i += c == '*' ? 1 : 2;
			atom = char_node((unsigned char)p->s[p->i - 1]);
		} else if (p->ere && items == 0) {
			size_t saved = p->i;
			if (parse_repeat(p, &min, &max)) {
				if (min < 0)
					return -1;
				continue;
			}
			p->i = saved;
			atom = -2;
		} else {
			atom = -2;
		}
		if (atom == -2) {
			if (p->ere && c == ')' && p->depth == 0) {
				p->i++;
				atom = char_node(')');
			} else if (p->ere && c == '{') {
				p->i++;
				atom = char_node('{');
			} else {
				atom = parse_atom(p, items);
			}
		}
		if (atom < 0)
			return -1;
		if (nodes[atom].type != N_ASSERT)
			last_start = false;
		while ((p->ere || !last_start) && parse_repeat(p, &min, &max)) {
			if (min < 0)
				return -1;
			if (max >= 0 && min > max)
				return fail_parse("Invalid content of \\{\\}");
			if (min > 32767 || max > 32767)
				return fail_parse("Regular expression too big");
			int r = new_node(N_REPEAT, 0, atom, -1);
			nodes[r].min = min;
			nodes[r].max = max;
			atom = r;
		}
		result = cat(result, atom);
		items++;
	}
	return result;
}

/* Alternatives; as glibc, a back-reference may only name a group closed in its own branch. */
static int parse_alternation(struct parser *p)
{
	uint32_t initially_closed = p->closed;
	int left = parse_branch(p);
	if (left < 0)
		return -1;
	while (at_alternation(p)) {
		p->i += p->ere ? 1 : 2;
		uint32_t closed_so_far = p->closed;
		p->closed = initially_closed;
		int right = parse_branch(p);
		if (right < 0)
			return -1;
		p->closed |= closed_so_far;
		left = new_node(N_ALT, 0, left, right);
	}
	return left;
}

static int group_total;

static int parse_pattern(const char *s, size_t n, bool ere, bool fixed)
{
	if (fixed) {
		int result = new_node(N_EMPTY, 0, -1, -1);
		for (size_t i = 0; i < n; i++)
			result = cat(result, char_node((unsigned char)s[i]));
		return result;
	}
	struct parser p = {s, 0, n, ere, 0, group_total, 0, 0};
	int tree = parse_alternation(&p);
	if (tree >= 0 && p.i < p.n)
		tree = fail_parse("Unmatched ) or \\)");
	group_total += p.groups;
	return tree;
}

/* ---- The program ---- */

enum op {
	OP_CHAR,
	OP_SET,
	OP_SPLIT,
	OP_JMP,
	OP_ASSERT,
	OP_SAVE,
	OP_BACKREF,
	OP_MATCH,
};

struct inst {
	uint8_t op;
	int x, y;
	int loop; /* OP_SPLIT: loop slot for the backtracker's empty-iteration check, or -1 */
};

static struct inst *program;
static int program_length, program_size;
static int loop_slots;
static bool has_backrefs;

#define PROGRAM_LIMIT 1000000

static int emit(enum op op, int x, int y)
{
	if (program_length >= PROGRAM_LIMIT) {
		fflush(stdout);
		fputs("grep: regular expression too big\n", stderr);
		exit(2);
	}
	if (program_length == program_size)
		program = grow(program, &program_size, sizeof(*program));
	program[program_length] = (struct inst){(uint8_t)op, x, y, -1};
	return program_length++;
}

static void compile(int n)
{
	const struct node *node = &nodes[n];

	switch (node->type) {
	case N_EMPTY:
		break;
	case N_CHAR:
		emit(OP_CHAR, node->value, 0);
		break;
	case N_SET:
		emit(OP_SET, node->value, 0);
		break;
	case N_ASSERT:
		emit(OP_ASSERT, node->value, 0);
		break;
	case N_GROUP: {
		int group = node->value, inner = node->left;
		emit(OP_SAVE, 2 * group, 0);
		compile(inner);
		emit(OP_SAVE, 2 * group + 1, 0);
		break;
	}
	case N_BACKREF:
		has_backrefs = true;
		emit(OP_BACKREF, node->value, 0);
		break;
	case N_CAT: {
		int left = node->left, right = node->right;
		compile(left);
		compile(right);
		break;
	}
	case N_ALT: {
		int left = node->left, right = node->right;
		int split = emit(OP_SPLIT, 0, 0);
		program[split].x = program_length;
		compile(left);
		int jump = emit(OP_JMP, 0, 0);
		program[split].y = program_length;
		compile(right);
		program[jump].x = program_length;
		break;
	}
	case N_REPEAT: {
		int child = node->left, min = node->min, max = node->max;
		for (int i = 0; i < min; i++)
			compile(child);
		if (max < 0) {
			int split = emit(OP_SPLIT, 0, 0);
			program[split].loop = loop_slots++;
			program[split].x = program_length;
			compile(child);
			emit(OP_JMP, split, 0);
			program[split].y = program_length;
		} else {
			int pending[max - min > 0 ? max - min : 1];
			int count = 0;
			for (int i = min; i < max; i++) {
				int split = emit(OP_SPLIT, 0, 0);
				program[split].x = program_length;
				pending[count++] = split;
				compile(child);
			}
			for (int i = 0; i < count; i++)
				program[pending[i]].y = program_length;
		}
		break;
	}
	}
}

/* ---- Matching ---- */

static bool assertion_holds(int kind, const unsigned char *text, size_t length, size_t pos)
{
	bool before = pos > 0 && is_word(text[pos - 1]);
	bool after = pos < length && is_word(text[pos]);

	switch (kind) {
	case A_LINE_START:
		return pos == 0;
	case A_LINE_END:
		return pos == length;
	case A_WORD_BOUNDARY:
		return before != after;
	case A_NOT_WORD_BOUNDARY:
		return before == after;
	case A_WORD_START:
		return !before && after;
	case A_WORD_END:
		return before && !after;
	}
	return false;
}

/* Thread lists for the Pike VM: sparse sets of program counters. */
struct threads {
	int *dense, *sparse;
	int count;
};

static struct threads current, next;
static int *stack;

static void threads_init(struct threads *t)
{
	t->dense = calloc((size_t)program_length, sizeof(int));
	t->sparse = calloc((size_t)program_length, sizeof(int));
	if (t->dense == NULL || t->sparse == NULL)
		out_of_memory();
	t->count = 0;
}

static bool threads_has(const struct threads *t, int pc)
{
	int i = t->sparse[pc];
	return i >= 0 && i < t->count && t->dense[i] == pc;
}

/* Adds pc and everything reachable from it without consuming a byte. */
static void add_thread(struct threads *t, int pc, const unsigned char *text, size_t length,
		       size_t pos)
{
	int top = 0;
	stack[top++] = pc;
	while (top > 0) {
		pc = stack[--top];
		if (threads_has(t, pc))
			continue;
		t->sparse[pc] = t->count;
		t->dense[t->count++] = pc;
		const struct inst *in = &program[pc];
		switch (in->op) {
		case OP_JMP:
			stack[top++] = in->x;
			break;
		case OP_SPLIT:
			stack[top++] = in->y;
			stack[top++] = in->x;
			break;
		case OP_SAVE:
			stack[top++] = pc + 1;
			break;
		case OP_ASSERT:
			if (assertion_holds(in->x, text, length, pos))
				stack[top++] = pc + 1;
			break;
		default:
			break;
		}
	}
}

/*
 * Runs the VM from `start`. Unanchored: true as soon as any match exists.
 * Anchored: marks in `ends` (when not NULL) every end of a match that
 * starts exactly at `start`, and returns whether there was one.
 */
static bool pike(const unsigned char *text, size_t length, size_t start, bool anchored,
		 bool *ends)
{
	bool found = false;

	current.count = 0;
	add_thread(&current, 0, text, length, start);
	for (size_t pos = start;; pos++) {
		next.count = 0;
		for (int i = 0; i < current.count; i++) {
			int pc = current.dense[i];
			const struct inst *in = &program[pc];
			if (in->op == OP_MATCH) {
				if (!anchored)
					return true;
				found = true;
				if (ends != NULL)
					ends[pos] = true;
				continue;
			}
			if (pos >= length)
				continue;
			if ((in->op == OP_CHAR && text[pos] == in->x) ||
			    (in->op == OP_SET && set_has(&sets[in->x], text[pos])))
				add_thread(&next, pc + 1, text, length, pos + 1);
		}
		if (pos >= length)
			break;
		if (!anchored)
			add_thread(&next, 0, text, length, pos + 1);
		struct threads swap = current;
		current = next;
		next = swap;
		if (current.count == 0)
			break;
	}
	return found;
}

/* The backtracker, for patterns with back-references. */
static long *captures;
static size_t *loop_positions;
static const unsigned char *bt_text;
static size_t bt_length;
static bool *bt_ends;
static bool bt_any;
static long bt_budget;

static bool backtrack(int pc, size_t pos)
{
	for (;;) {
		if (--bt_budget < 0)
			return false;
		const struct inst *in = &program[pc];
		switch (in->op) {
		case OP_CHAR:
			if (pos >= bt_length || bt_text[pos] != in->x)
				return false;
			pos++;
			pc++;
			break;
		case OP_SET:
			if (pos >= bt_length || !set_has(&sets[in->x], bt_text[pos]))
				return false;
			pos++;
			pc++;
			break;
		case OP_JMP:
			pc = in->x;
			break;
		case OP_ASSERT:
			if (!assertion_holds(in->x, bt_text, bt_length, pos))
				return false;
			pc++;
			break;
		case OP_SAVE: {
			long saved = captures[in->x];
			captures[in->x] = (long)pos;
			if (backtrack(pc + 1, pos))
				return true;
			captures[in->x] = saved;
			return false;
		}
		case OP_BACKREF: {
			long from = captures[2 * in->x], to = captures[2 * in->x + 1];
			if (from < 0 || to < from)
				return false;
			size_t n = (size_t)(to - from);
			if (bt_length - pos < n)
				return false;
			for (size_t k = 0; k < n; k++) {
				unsigned char a = bt_text[from + (long)k], b = bt_text[pos + k];
				if (a != b && !(ignore_case && tolower(a) == tolower(b)))
					return false;
			}
			pos += n;
			pc++;
			break;
		}
		case OP_SPLIT:
			if (in->loop >= 0) {
				size_t saved = loop_positions[in->loop];
				/* An iteration that consumed nothing may not start another. */
				if (saved != pos) {
					loop_positions[in->loop] = pos;
					bool ok = backtrack(in->x, pos);
					loop_positions[in->loop] = saved;
					if (ok)
						return true;
				}
			} else if (backtrack(in->x, pos)) {
				return true;
			}
			pc = in->y;
			break;
		case OP_MATCH:
			if (bt_ends != NULL)
				bt_ends[pos] = true;
			bt_any = true;
			/* Looking for every end: keep exploring. */
			return bt_ends == NULL;
		}
	}
}

static int group_slots;

static bool run_backtrack(const unsigned char *text, size_t length, size_t start, bool anchored,
			  bool *ends)
{
	bt_text = text;
	bt_length = length;
	bt_ends = ends;
	for (size_t s = start; s <= length; s++) {
		for (int g = 0; g < group_slots; g++)
			captures[g] = -1;
		for (int l = 0; l < loop_slots; l++)
			loop_positions[l] = SIZE_MAX;
		bt_any = false;
		bt_budget = 10000000;
		backtrack(0, s);
		if (bt_any)
			return true;
		if (anchored)
			break;
	}
	return false;
}

static bool search(const unsigned char *text, size_t length)
{
	return has_backrefs ? run_backtrack(text, length, 0, false, NULL)
			    : pike(text, length, 0, false, NULL);
}

static bool *ends;
static size_t ends_size;

/* Marks every end of a match starting at `start`; false when there is none. */
static bool match_ends(const unsigned char *text, size_t length, size_t start)
{
	if (length + 1 > ends_size) {
		free(ends);
		ends_size = length + 1;
		ends = malloc(ends_size);
		if (ends == NULL)
			out_of_memory();
	}
	memset(ends + start, 0, length + 1 - start);
	return has_backrefs ? run_backtrack(text, length, start, true, ends)
			    : pike(text, length, start, true, ends);
}

/* ---- Options and output ---- */

static bool invert, count_only, line_numbers, list_matching, list_nonmatching, quiet,
	no_messages, whole_line, whole_word, only_matching;
static int with_filename = -1; /* -1: when several files */
static long max_count = -1;
static bool status_error, any_selected;

/*
 * The next match in a line at or after `from`: leftmost, then longest
 * (among those that are whole words with -w). False when there is none.
 */
static bool find_match(const unsigned char *text, size_t length, size_t from, size_t *match_start,
		       size_t *match_end)
{
	for (size_t s = from; s <= length; s++) {
		if (whole_word && s > 0 && is_word(text[s - 1]))
			continue;
		if (!match_ends(text, length, s))
			continue;
		for (size_t e = length + 1; e-- > s;) {
			if (!ends[e])
				continue;
			if (whole_word && e < length && is_word(text[e]))
				continue;
			*match_start = s;
			*match_end = e;
			return true;
		}
	}
	return false;
}

static bool line_matches(const unsigned char *text, size_t length)
{
	if (!search(text, length))
		return false;
	if (!whole_word)
		return true;
	size_t s, e;
	return find_match(text, length, 0, &s, &e);
}

static void prefix(const char *name, uintmax_t number)
{
	if (with_filename == 1)
		printf("%s:", name);
	if (line_numbers)
		printf("%ju:", number);
}

struct file_state {
	const char *name;
	uintmax_t line_number;
	uintmax_t selected;
	bool binary;
	bool done;
};

/* One line (without its newline); sets done when the file needs no more reading. */
static void process_line(struct file_state *f, const unsigned char *text, size_t length)
{
	f->line_number++;
	if (line_matches(text, length) == invert)
		return;
	f->selected++;
	if (quiet) {
		fflush(stdout);
		exit(0);
	}
	if (list_matching || list_nonmatching) {
		f->done = true;
		return;
	}
	if (!count_only) {
		if (f->binary) {
			fflush(stdout);
			fprintf(stderr, "grep: %s: binary file matches\n", f->name);
			f->done = true;
			return;
		}
		if (only_matching) {
			size_t from = 0, s, e;
			while (!invert && from <= length && find_match(text, length, from, &s, &e)) {
				if (e > s) {
					prefix(f->name, f->line_number);
					fwrite(text + s, 1, e - s, stdout);
					putchar('\n');
				}
				from = e > s ? e : s + 1;
			}
		} else {
			prefix(f->name, f->line_number);
			fwrite(text, 1, length, stdout);
			putchar('\n');
		}
	}
	if (max_count >= 0 && f->selected >= (uintmax_t)max_count)
		f->done = true;
}

static void grep_fd(int fd, const char *name)
{
	static unsigned char *buffer;
	static size_t size;
	size_t used = 0, start = 0;
	struct file_state f = {name, 0, 0, false, max_count == 0};
	bool eof = false;

	while (!f.done && !eof) {
		if (size - used < 32768) {
			if (start > 0) {
				memmove(buffer, buffer + start, used - start);
				used -= start;
				start = 0;
			}
			if (size - used < 32768) {
				size_t bigger = size == 0 ? 65536 : size * 2;
				unsigned char *p = realloc(buffer, bigger);
				if (p == NULL)
					out_of_memory();
				buffer = p;
				size = bigger;
			}
		}
		ssize_t n = read(fd, buffer + used, size - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (!no_messages) {
				fflush(stdout);
				fprintf(stderr, "grep: %s: %s\n", name, strerror(errno));
			}
			status_error = true;
			break;
		}
		if (n == 0) {
			eof = true;
		} else {
			if (memchr(buffer + used, '\0', (size_t)n) != NULL)
				f.binary = true;
			used += (size_t)n;
		}
		/* Every complete line, and at the end what is left. */
		while (!f.done && start < used) {
			unsigned char *newline = memchr(buffer + start, '\n', used - start);
			if (newline == NULL) {
				if (!eof)
					break;
				process_line(&f, buffer + start, used - start);
				start = used;
				break;
			}
			process_line(&f, buffer + start, (size_t)(newline - (buffer + start)));
			start = (size_t)(newline - buffer) + 1;
		}
	}
	if (count_only) {
		if (with_filename == 1)
			printf("%s:", name);
		printf("%ju\n", f.selected);
	}
	if (list_matching && f.selected > 0)
		printf("%s\n", name);
	if (list_nonmatching && f.selected == 0)
		printf("%s\n", name);
	if (f.selected > 0)
		any_selected = true;
}

static void grep_file(const char *path)
{
	if (strcmp(path, "-") == 0) {
		grep_fd(STDIN_FILENO, "(standard input)");
		return;
	}
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		if (!no_messages) {
			fflush(stdout);
			fprintf(stderr, "grep: %s: %s\n", path, strerror(errno));
		}
		status_error = true;
		return;
	}
	grep_fd(fd, path);
	close(fd);
}

/* The patterns, newline-separated, as given. */
static char *patterns;
static size_t patterns_length;
static bool have_patterns, patterns_empty_file;

static void add_patterns(const char *text, size_t length)
{
	char *bigger = realloc(patterns, patterns_length + length + 2);
	if (bigger == NULL)
		out_of_memory();
	patterns = bigger;
	if (have_patterns)
		patterns[patterns_length++] = '\n';
	memcpy(patterns + patterns_length, text, length);
	patterns_length += length;
	patterns[patterns_length] = '\0';
	have_patterns = true;
}

static void add_pattern_file(const char *path)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "grep: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	size_t size = 4096, used = 0;
	char *text = malloc(size);
	if (text == NULL)
		out_of_memory();
	for (;;) {
		if (used == size) {
			text = realloc(text, size *= 2);
			if (text == NULL)
				out_of_memory();
		}
		ssize_t n = read(fd, text + used, size - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "grep: %s: %s\n", path, strerror(errno));
			exit(2);
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	/* One pattern per line; an empty file gives none. */
	if (used > 0) {
		if (text[used - 1] == '\n')
			used--;
		add_patterns(text, used);
	} else if (!have_patterns) {
		patterns_empty_file = true;
	}
	free(text);
}

static int usage(const char *message, const char *arg)
{
	fflush(stdout);
	if (message != NULL)
		fprintf(stderr, "grep: %s '%s'\n", message, arg);
	fputs("Usage: grep [-EFGHhiLlnoqsvwxc] [-m NUM] [-e PATTERN]... [-f FILE]... [PATTERN] [FILE]...\n",
	      stderr);
	return 2;
}

static const struct {
	const char *name;
	char letter;
} LONG_OPTIONS[] = {
	{"--extended-regexp", 'E'}, {"--fixed-strings", 'F'}, {"--basic-regexp", 'G'},
	{"--ignore-case", 'i'},     {"--invert-match", 'v'},  {"--count", 'c'},
	{"--line-number", 'n'},     {"--files-with-matches", 'l'},
	{"--files-without-match", 'L'}, {"--no-filename", 'h'}, {"--with-filename", 'H'},
	{"--quiet", 'q'},           {"--silent", 'q'},        {"--no-messages", 's'},
	{"--line-regexp", 'x'},     {"--word-regexp", 'w'},   {"--only-matching", 'o'},
	{"--no-ignore-case", 'I'},
};

int main(int argc, char **argv)
{
	char *operands[argc > 1 ? argc : 1];
	int noperands = 0;
	bool ere = false, fixed = false;
	bool options_done = false;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (gnu_operand(argv[i], &options_done, operands, &noperands))
			continue;
		char letters[3] = {'-', 0, 0};
		const char *value = NULL;
		if (arg[1] == '-') {
			const char *eq = strchr(arg, '=');
			size_t name_length = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
			if (strncmp(arg, "--regexp", name_length) == 0 && name_length == 8) {
				letters[1] = 'e';
			} else if (strncmp(arg, "--file", name_length) == 0 && name_length == 6) {
				letters[1] = 'f';
			} else if (strncmp(arg, "--max-count", name_length) == 0 && name_length == 11) {
				letters[1] = 'm';
			} else if (strncmp(arg, "--color", 7) == 0 || strncmp(arg, "--colour", 8) == 0) {
				continue;
			} else {
				for (size_t o = 0; o < sizeof(LONG_OPTIONS) / sizeof(LONG_OPTIONS[0]); o++)
					if (strcmp(arg, LONG_OPTIONS[o].name) == 0)
						letters[1] = LONG_OPTIONS[o].letter;
				if (letters[1] == 0)
					return usage("unrecognized option", arg);
			}
			if (letters[1] == 'e' || letters[1] == 'f' || letters[1] == 'm') {
				value = eq != NULL ? eq + 1 : argv[++i];
				if (value == NULL)
					return usage("option requires an argument", arg);
			}
			arg = letters; /* handled below as if "-X" */
		}
		for (const char *p = arg + 1; *p != '\0'; p++) {
			switch (*p) {
			case 'E':
				ere = true;
				fixed = false;
				break;
			case 'F':
				fixed = true;
				ere = false;
				break;
			case 'G':
				ere = fixed = false;
				break;
			case 'i':
			case 'y':
				ignore_case = true;
				break;
			case 'I':
				ignore_case = false;
				break;
			case 'v':
				invert = true;
				break;
			case 'c':
				count_only = true;
				break;
			case 'n':
				line_numbers = true;
				break;
			case 'l':
				list_matching = true;
				list_nonmatching = false;
				break;
			case 'L':
				list_nonmatching = true;
				list_matching = false;
				break;
			case 'h':
				with_filename = 0;
				break;
			case 'H':
				with_filename = 1;
				break;
			case 'q':
				quiet = true;
				break;
			case 's':
				no_messages = true;
				break;
			case 'x':
				whole_line = true;
				break;
			case 'w':
				whole_word = true;
				break;
			case 'o':
				only_matching = true;
				break;
			case 'e':
			case 'f':
			case 'm': {
				char letter = *p;
				if (value == NULL) {
					value = p[1] != '\0' ? p + 1 : argv[++i];
					if (value == NULL) {
						char option[2] = {letter, '\0'};
						return usage("option requires an argument --", option);
					}
				}
				if (letter == 'e') {
					add_patterns(value, strlen(value));
				} else if (letter == 'f') {
					add_pattern_file(value);
				} else {
					char *end;
					max_count = strtol(value, &end, 10);
					if (end == value || *end != '\0') {
						fprintf(stderr, "grep: invalid max count\n");
						return 2;
					}
				}
				value = NULL;
				goto next_argument;
			}
			default: {
				char option[2] = {*p, '\0'};
				return usage("invalid option --", option);
			}
			}
		}
next_argument:;
	}

	int first_file = 0;
	if (!have_patterns && !patterns_empty_file) {
		if (noperands == 0)
			return usage(NULL, NULL);
		add_patterns(operands[0], strlen(operands[0]));
		first_file = 1;
	}

	/* No pattern at all (-f of an empty file) matches nothing: GNU inverts the empty one. */
	if (!have_patterns) {
		invert = !invert;
		whole_line = whole_word = false;
		add_patterns("", 0);
	}
	/* GNU's shortcut when nothing can be selected: no output at all. */
	bool all_empty = true;
	for (size_t k = 0; k < patterns_length; k++)
		all_empty = all_empty && patterns[k] == '\n';
	if ((max_count == 0 || (all_empty && invert && !whole_line && !whole_word)) &&
	    !list_nonmatching)
		return 1;

	/* Every pattern, one per line, as alternatives. */
	int tree = -1;
	{
		const char *s = patterns, *end = patterns + patterns_length;
		for (;;) {
			const char *newline = memchr(s, '\n', (size_t)(end - s));
			const char *stop = newline != NULL ? newline : end;
			int one = parse_pattern(s, (size_t)(stop - s), ere, fixed);
			if (one < 0) {
				fflush(stdout);
				fprintf(stderr, "grep: %s\n", regex_error);
				return 2;
			}
			tree = tree < 0 ? one : new_node(N_ALT, 0, tree, one);
			if (newline == NULL)
				break;
			s = newline + 1;
		}
	}
	if (whole_line) {
		tree = cat(new_node(N_ASSERT, A_LINE_START, -1, -1),
			   cat(new_node(N_GROUP, 0, tree, -1), new_node(N_ASSERT, A_LINE_END, -1, -1)));
	}
	compile(tree);
	emit(OP_MATCH, 0, 0);
	threads_init(&current);
	threads_init(&next);
	stack = malloc((size_t)(2 * program_length + 2) * sizeof(int));
	group_slots = 2 * (group_total + 1);
	captures = malloc((size_t)group_slots * sizeof(long));
	loop_positions = malloc((size_t)(loop_slots + 1) * sizeof(size_t));
	if (stack == NULL || captures == NULL || loop_positions == NULL)
		out_of_memory();

	int nfiles = noperands - first_file;
	if (with_filename < 0)
		with_filename = nfiles > 1;
	if (nfiles == 0)
		grep_file("-");
	for (int f = first_file; f < noperands; f++)
		grep_file(operands[f]);

	if (fflush(stdout) != 0) {
		fprintf(stderr, "grep: write error: %s\n", strerror(errno));
		return 2;
	}
	if (status_error)
		return 2;
	return any_selected ? 0 : 1;
}
