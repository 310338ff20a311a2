-- Write-ahead logging with the exclusive locking mode (the WAL index in the process's memory,
-- no -shm mapping): transactions, a rollback, a checkpoint, and the data after each.
PRAGMA locking_mode=EXCLUSIVE;
PRAGMA journal_mode=WAL;
CREATE TABLE w(id INTEGER PRIMARY KEY, v TEXT);
WITH RECURSIVE c(i) AS (VALUES(1) UNION ALL SELECT i + 1 FROM c WHERE i < 500)
  INSERT INTO w SELECT i, 'value ' || i FROM c;
BEGIN;
UPDATE w SET v = upper(v) WHERE id % 2 = 0;
DELETE FROM w WHERE id > 490;
COMMIT;
BEGIN;
DELETE FROM w;
ROLLBACK;
SELECT count(*), min(v), max(v) FROM w;
PRAGMA wal_checkpoint(TRUNCATE);
SELECT count(*) FROM w WHERE v LIKE 'VALUE%';
PRAGMA journal_mode;
PRAGMA integrity_check;
