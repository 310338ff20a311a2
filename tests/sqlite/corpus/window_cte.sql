-- Window functions and common table expressions, recursive ones included.
CREATE TABLE sales(region TEXT, month INTEGER, amount INTEGER);
INSERT INTO sales VALUES
  ('north', 1, 100), ('north', 2, 150), ('north', 3, 120), ('north', 4, 170),
  ('south', 1, 90), ('south', 2, 90), ('south', 3, 200), ('south', 4, 60),
  ('west', 1, 300), ('west', 2, 10);
SELECT region, month, amount,
  row_number() OVER w, rank() OVER w, dense_rank() OVER w,
  sum(amount) OVER (PARTITION BY region ORDER BY month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
  FROM sales WINDOW w AS (PARTITION BY region ORDER BY amount DESC) ORDER BY region, month;
SELECT region, month, lag(amount) OVER (PARTITION BY region ORDER BY month),
  lead(amount, 1, -1) OVER (PARTITION BY region ORDER BY month),
  first_value(amount) OVER (PARTITION BY region ORDER BY month),
  last_value(amount) OVER (PARTITION BY region ORDER BY month RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  FROM sales ORDER BY region, month;
SELECT month, amount, ntile(3) OVER (ORDER BY amount, region), percent_rank() OVER (ORDER BY amount),
  cume_dist() OVER (ORDER BY amount) FROM sales ORDER BY amount, region;
SELECT region, avg(amount) OVER (PARTITION BY region ORDER BY month ROWS 1 PRECEDING) FROM sales ORDER BY region, month;
WITH RECURSIVE fib(n, a, b) AS (SELECT 1, 0, 1 UNION ALL SELECT n + 1, b, a + b FROM fib WHERE n < 40)
  SELECT n, a FROM fib WHERE n % 5 = 0;
WITH RECURSIVE cnt(x) AS (VALUES(1) UNION ALL SELECT x + 1 FROM cnt LIMIT 1000)
  SELECT count(*), sum(x), sum(x * x) FROM cnt;
CREATE TABLE tree(id INTEGER PRIMARY KEY, parent INTEGER, name TEXT);
INSERT INTO tree VALUES (1, NULL, '/'), (2, 1, 'bin'), (3, 1, 'mnt'), (4, 3, 'work'), (5, 4, 'a.db'), (6, 2, 'sqlite');
WITH RECURSIVE path(id, depth, full) AS (
  SELECT id, 0, '' FROM tree WHERE parent IS NULL
  UNION ALL SELECT t.id, p.depth + 1, p.full || '/' || t.name FROM tree t JOIN path p ON t.parent = p.id)
  SELECT depth, full FROM path ORDER BY full;
WITH totals AS MATERIALIZED (SELECT region, sum(amount) AS total FROM sales GROUP BY region),
  best AS (SELECT max(total) AS top FROM totals)
  SELECT region, total FROM totals, best WHERE total = top;
WITH RECURSIVE mandel(px, py, x, y, i) AS (
  SELECT px, py, 0.0, 0.0, 0 FROM (WITH RECURSIVE r(v) AS (VALUES(0) UNION ALL SELECT v + 1 FROM r WHERE v < 19) SELECT a.v AS px, b.v AS py FROM r a, r b)
  UNION ALL SELECT px, py, x * x - y * y + (px / 8.0 - 1.8), 2 * x * y + (py / 8.0 - 1.2), i + 1 FROM mandel WHERE i < 30 AND x * x + y * y < 4)
  SELECT py, group_concat(CASE WHEN m = 30 THEN '#' ELSE '.' END, '') FROM (SELECT px, py, max(i) AS m FROM mandel GROUP BY px, py ORDER BY py, px) GROUP BY py;
