/*
 * sqlite_bench: the workload of `deno task bench sqlite` (scripts/bench/sqlite.ts), built with
 * SQLite's amalgamation for denix (and run under qemu-riscv32) and natively. Four phases on a
 * database in rollback-journal mode, each timed with CLOCK_MONOTONIC (wall) and
 * CLOCK_PROCESS_CPUTIME_ID (the time the process itself ran; the rest is waiting on system
 * calls):
 *
 *   insert  ROWS rows in one transaction (a table with an index on a text key)
 *   commit  COMMITS one-row transactions, each a journal write, fsyncs and a delete
 *   lookup  LOOKUPS indexed lookups of random keys
 *   scan    SCANS full scans with a predicate on every row
 *
 * Prints "start" when the database is open, then one line per phase: "NAME WALL_US CPU_US".
 * Exits 1, saying why, on any error.
 *
 *   sqlite_bench DATABASE
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sqlite3.h"

#define ROWS 10000
#define COMMITS 500
#define LOOKUPS 5000
#define SCANS 5

static sqlite3 *db;

static void check(int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "sqlite_bench: %s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
}

static long long micros(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long wall0, cpu0;

static void start(void)
{
	wall0 = micros(CLOCK_MONOTONIC);
	cpu0 = micros(CLOCK_PROCESS_CPUTIME_ID);
}

static void stop(const char *phase)
{
	printf("%s %lld %lld\n", phase, micros(CLOCK_MONOTONIC) - wall0,
	       micros(CLOCK_PROCESS_CPUTIME_ID) - cpu0);
	fflush(stdout);
}

/* The key of row i: a permutation of 0..ROWS-1 (so inserts land all over the index). */
static void key(char *buf, int i)
{
	snprintf(buf, 16, "k%08d", (int)((i * 7919LL) % 100003));
}

static void exec(const char *sql)
{
	check(sqlite3_exec(db, sql, NULL, NULL, NULL), sql);
}

static void insert(sqlite3_stmt *stmt, int i)
{
	char k[16], v[101];
	key(k, i);
	for (int j = 0; j < 100; j++) v[j] = (char)('a' + (i + j) % 26);
	v[100] = '\0';
	sqlite3_bind_text(stmt, 1, k, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, v, -1, SQLITE_TRANSIENT);
	check(sqlite3_step(stmt), "insert");
	sqlite3_reset(stmt);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: sqlite_bench DATABASE\n");
		return 2;
	}
	check(sqlite3_open(argv[1], &db), "open");
	exec("PRAGMA journal_mode=DELETE");
	exec("CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT, v TEXT); CREATE INDEX t_k ON t(k)");
	sqlite3_stmt *ins;
	check(sqlite3_prepare_v2(db, "INSERT INTO t(k, v) VALUES (?, ?)", -1, &ins, NULL), "prepare");
	printf("start\n");
	fflush(stdout);

	start();
	exec("BEGIN");
	for (int i = 0; i < ROWS; i++) insert(ins, i);
	exec("COMMIT");
	stop("insert");

	start();
	for (int i = 0; i < COMMITS; i++) insert(ins, ROWS + i);
	stop("commit");

	sqlite3_stmt *get;
	check(sqlite3_prepare_v2(db, "SELECT v FROM t WHERE k = ?", -1, &get, NULL), "prepare");
	unsigned seed = 12345;
	int found = 0;
	start();
	for (int i = 0; i < LOOKUPS; i++) {
		char k[16];
		seed = seed * 1103515245 + 12345;
		key(k, (int)((seed >> 8) % (ROWS + COMMITS)));
		sqlite3_bind_text(get, 1, k, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(get) == SQLITE_ROW) found++;
		sqlite3_reset(get);
	}
	stop("lookup");
	if (found != LOOKUPS) {
		fprintf(stderr, "sqlite_bench: %d of %d lookups found their row\n", found, LOOKUPS);
		return 1;
	}

	sqlite3_stmt *scan;
	check(sqlite3_prepare_v2(db, "SELECT count(*), sum(length(v)) FROM t WHERE v LIKE '%xyz%'",
				 -1, &scan, NULL),
	      "prepare");
	start();
	for (int i = 0; i < SCANS; i++) {
		check(sqlite3_step(scan), "scan");
		sqlite3_reset(scan);
	}
	stop("scan");

	sqlite3_finalize(ins);
	sqlite3_finalize(get);
	sqlite3_finalize(scan);
	check(sqlite3_close(db), "close");
	return 0;
}
