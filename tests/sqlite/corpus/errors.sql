-- Errors: each is reported on stderr as sqlite3 reports it, and the run goes on.
CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT NOT NULL, c INTEGER CHECK (c > 0), UNIQUE(b));
INSERT INTO t VALUES (1, 'one', 1);
SELECT * FROM missing_table;
SELEC 1;
INSERT INTO t VALUES (1, 'dup', 2);
INSERT INTO t VALUES (2, NULL, 2);
INSERT INTO t VALUES (3, 'three', -1);
INSERT INTO t VALUES (4, 'one', 4);
SELECT no_such_column FROM t;
SELECT no_such_function(1);
SELECT * FROM t WHERE;
CREATE TABLE t(x);
INSERT INTO t(a, b, c) VALUES (5, 'five', 5);
SELECT abs(-9223372036854775807 - 1);
SELECT json('{not json');
SELECT
  a,
  b
FROM t
WHERE a >
;
SELECT a, b, c FROM t ORDER BY a;
COMMIT;
.nonsense
SELECT 'still running';
