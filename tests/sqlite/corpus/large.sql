-- A database over 20 MiB: 20,000 rows of about a kilobyte, an index built over them, lookups.
CREATE TABLE big(id INTEGER PRIMARY KEY, key TEXT, body BLOB);
WITH RECURSIVE c(i, r) AS (SELECT 1, 12345 UNION ALL SELECT i + 1, (r * 1103515245 + 12345) % 2147483648 FROM c WHERE i < 20000)
  INSERT INTO big SELECT i, printf('%08x-%d', r, i), zeroblob(1000 + r % 100) FROM c;
SELECT count(*), sum(length(body)), min(key), max(key) FROM big;
CREATE INDEX big_key ON big(key);
SELECT id, key FROM big WHERE key BETWEEN '10000000' AND '10ffffff' ORDER BY key LIMIT 5;
UPDATE big SET body = zeroblob(10) WHERE id % 10 = 0;
DELETE FROM big WHERE id % 7 = 0;
SELECT count(*), sum(length(body)) FROM big;
SELECT page_count * page_size > 20 * 1024 * 1024 FROM pragma_page_count, pragma_page_size;
PRAGMA integrity_check;
