/*
 * sqlite: a small front end to SQLite, the `sqlite` of denix's /bin (built with SQLite's own
 * amalgamation by scripts/sqlite.ts; never committed).
 *
 *   sqlite [-bail] [-batch] [-c SQL] [-f FILE] [-version] [DATABASE [SQL...]]
 *
 * (options may come anywhere, as sqlite3's may).
 * SQL comes from -c, from the arguments after the database, from -f's file, or else from
 * standard input, read a line at a time and run as soon as a statement is complete (so a
 * statement's output appears before the next is read). Output is the host sqlite3's default
 * list mode: columns separated by "|", NULL as nothing, one line per row. Errors go to
 * standard error the way sqlite3 3.40 prints them ("Parse error near line N: ...", "Runtime
 * error near line N: ... (CODE)", "Error: in prepare, ..."), processing goes on with the next
 * statement unless -bail, and the exit status is 1 if anything failed. Dot commands: .quit,
 * .exit, .bail on|off, .timeout MS. Without a database, one in memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite3.h"

struct shell {
	sqlite3 *db;
	int bail;
	int failed;
	/* SQL from the command line: errors are reported without line numbers. */
	int from_argument;
};

/* A growing buffer of SQL text. */
struct text {
	char *bytes;
	size_t len;
	size_t cap;
};

static void append(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		while (t->len + n + 1 > cap) cap *= 2;
		char *grown = realloc(t->bytes, cap);
		if (!grown) {
			fputs("Error: out of memory\n", stderr);
			exit(1);
		}
		t->bytes = grown;
		t->cap = cap;
	}
	memcpy(t->bytes + t->len, s, n);
	t->len += n;
	t->bytes[t->len] = '\0';
}

/* Prints one row in list mode. */
static void print_row(sqlite3_stmt *stmt)
{
	int columns = sqlite3_column_count(stmt);
	for (int i = 0; i < columns; i++) {
		const unsigned char *value = sqlite3_column_text(stmt, i);
		if (i > 0) fputc('|', stdout);
		if (value) fputs((const char *)value, stdout);
	}
	fputc('\n', stdout);
}

/* The line of `sql` (counted from `first_line`) that holds byte `offset`. */
static int line_at(const char *sql, int offset, int first_line)
{
	int line = first_line;
	for (int i = 0; i < offset && sql[i]; i++)
		if (sql[i] == '\n') line++;
	return line;
}

/* sqlite3's context for a syntax error: the statement's line and a caret under the spot. */
static void print_error_context(const char *sql, int offset)
{
	int start = offset;
	while (start > 0 && sql[start - 1] != '\n') start--;
	int end = offset;
	while (sql[end] && sql[end] != '\n') end++;
	fprintf(stderr, "  %.*s\n  %*s^--- error here\n", end - start, sql + start, offset - start,
		"");
}

/* Runs every statement of `sql`, which starts on line `line` of its input. */
static void run_sql(struct shell *sh, const char *sql, int line)
{
	const char *next = sql;
	while (*next) {
		sqlite3_stmt *stmt = NULL;
		const char *tail = NULL;
		while (*next == ' ' || *next == '\t' || *next == '\n' || *next == '\r') {
			if (*next == '\n') line++;
			next++;
		}
		if (!*next) return;
		int rc = sqlite3_prepare_v2(sh->db, next, -1, &stmt, &tail);
		if (rc != SQLITE_OK) {
			int offset = sqlite3_error_offset(sh->db);
			if (sh->from_argument) {
				fprintf(stderr, "Error: in prepare, %s (%d)\n", sqlite3_errmsg(sh->db),
					sqlite3_extended_errcode(sh->db));
			} else {
				fprintf(stderr, "Parse error near line %d: %s\n", line,
					sqlite3_errmsg(sh->db));
			}
			if (offset >= 0) print_error_context(next, offset);
			sh->failed = 1;
			return;
		}
		if (stmt) {
			while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) print_row(stmt);
			if (rc != SQLITE_DONE) {
				if (sh->from_argument) {
					fprintf(stderr, "Error: stepping, %s (%d)\n",
						sqlite3_errmsg(sh->db), sqlite3_extended_errcode(sh->db));
				} else {
					fprintf(stderr, "Runtime error near line %d: %s (%d)\n", line,
						sqlite3_errmsg(sh->db), sqlite3_extended_errcode(sh->db));
				}
				sh->failed = 1;
			}
			sqlite3_finalize(stmt);
			fflush(stdout);
			if (rc != SQLITE_DONE && sh->bail) return;
		}
		line = line_at(next, (int)(tail - next), line);
		next = tail;
	}
}

/* A dot command; returns 0 when the input should end. */
static int dot_command(struct shell *sh, char *line)
{
	char *argv[3] = {0};
	int argc = 0;
	for (char *word = strtok(line, " \t\r\n"); word && argc < 3; word = strtok(NULL, " \t\r\n"))
		argv[argc++] = word;
	if (argc == 1 && (!strcmp(argv[0], ".quit") || !strcmp(argv[0], ".exit"))) return 0;
	if (argc == 2 && !strcmp(argv[0], ".bail")) {
		sh->bail = !strcmp(argv[1], "on");
		return 1;
	}
	if (argc == 2 && !strcmp(argv[0], ".timeout")) {
		sqlite3_busy_timeout(sh->db, atoi(argv[1]));
		return 1;
	}
	fprintf(stderr,
		"Error: unknown command or invalid arguments:  \"%s\". Enter \".help\" for help\n",
		argc > 0 ? argv[0] + 1 : "");
	sh->failed = 1;
	return !sh->bail;
}

/* Reads SQL a line at a time, running each complete statement. */
static void run_input(struct shell *sh, FILE *in)
{
	struct text statement = {0};
	char chunk[4096];
	struct text line = {0};
	int line_no = 0, start_line = 0;
	for (;;) {
		line.len = 0;
		int eof = 1;
		while (fgets(chunk, sizeof chunk, in)) {
			eof = 0;
			append(&line, chunk, strlen(chunk));
			if (line.bytes[line.len - 1] == '\n') break;
		}
		if (eof) break;
		line_no++;
		if (statement.len == 0) {
			const char *p = line.bytes;
			while (*p == ' ' || *p == '\t') p++;
			if (*p == '.') {
				if (!dot_command(sh, line.bytes)) break;
				continue;
			}
			if (*p == '\n' || *p == '\r' || *p == '\0') continue;
			start_line = line_no;
		}
		append(&statement, line.bytes, line.len);
		if (sqlite3_complete(statement.bytes)) {
			run_sql(sh, statement.bytes, start_line);
			statement.len = 0;
			if (sh->failed && sh->bail) break;
		}
	}
	if (statement.len > 0 && !(sh->failed && sh->bail)) {
		int blank = 1;
		for (size_t i = 0; i < statement.len; i++)
			if (statement.bytes[i] != ' ' && statement.bytes[i] != '\n' &&
			    statement.bytes[i] != '\t' && statement.bytes[i] != '\r')
				blank = 0;
		if (!blank) run_sql(sh, statement.bytes, start_line);
	}
	free(statement.bytes);
	free(line.bytes);
}

static int usage(void)
{
	fputs("usage: sqlite [-bail] [-batch] [-c SQL] [-f FILE] [-version] [DATABASE [SQL...]]\n",
	      stderr);
	return 1;
}

int main(int argc, char **argv)
{
	struct shell sh = {0};
	const char *database = NULL;
	const char *command = NULL, *script = NULL;
	const char **sql = calloc((size_t)argc, sizeof *sql);
	int statements = 0;
	if (!sql) return 1;
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i][0] == '-' && argv[i][1] == '-' ? argv[i] + 1 : argv[i];
		if (opt[0] != '-' || !opt[1]) {
			if (database) sql[statements++] = argv[i];
			else database = argv[i];
		} else if (!strcmp(opt, "-bail")) sh.bail = 1;
		else if (!strcmp(opt, "-batch")) continue;
		else if (!strcmp(opt, "-version")) {
			printf("%s %s\n", sqlite3_libversion(), sqlite3_sourceid());
			return 0;
		} else if (!strcmp(opt, "-c") && i + 1 < argc) command = argv[++i];
		else if (!strcmp(opt, "-f") && i + 1 < argc) script = argv[++i];
		else {
			fprintf(stderr, "sqlite: unknown option: %s\n", argv[i]);
			return usage();
		}
	}
	if (!database) database = ":memory:";
	if (sqlite3_open(database, &sh.db) != SQLITE_OK) {
		fprintf(stderr, "Error: unable to open database \"%s\": %s\n", database,
			sqlite3_errmsg(sh.db));
		sqlite3_close(sh.db);
		return 1;
	}
	if (command || statements > 0) {
		sh.from_argument = 1;
		if (command) run_sql(&sh, command, 1);
		for (int i = 0; i < statements && !(sh.failed && sh.bail); i++) run_sql(&sh, sql[i], 1);
	} else if (script) {
		FILE *in = fopen(script, "r");
		if (!in) {
			fprintf(stderr, "Error: cannot open \"%s\": %s\n", script, strerror(errno));
			sh.failed = 1;
		} else {
			run_input(&sh, in);
			fclose(in);
		}
	} else {
		run_input(&sh, stdin);
	}
	if (sqlite3_close(sh.db) != SQLITE_OK) {
		fprintf(stderr, "Error: %s\n", sqlite3_errmsg(sh.db));
		sh.failed = 1;
	}
	free(sql);
	return sh.failed ? 1 : 0;
}
