-- Built-in functions: strings, numbers and their text form, dates from fixed inputs, JSON, printf.
SELECT substr('denix', 2, 3), replace('a.b.c', '.', '/'), trim('  x  '), ltrim('xxa', 'x'), rtrim('ayy', 'y');
SELECT instr('hello world', 'o'), upper('mixed Case'), lower('MIXED'), length(''), hex('AZ'), quote('it''s');
SELECT printf('%5d|%-5d|%05.1f|%x|%o|%e|%s|%q|%%', 42, 42, 3.14159, 255, 8, 12345.678, 'str', 'it''s');
SELECT 7 / 2, 7 % 3, -7 / 2, 7.0 / 2, 2 * 3.5, 1e308 * 10, -1e308 * 10, 0.1 + 0.2, 1 / 3.0;
SELECT round(2.5), round(-2.5), round(3.14159, 3), abs(-9223372036854775807), 9223372036854775807 + 1;
SELECT cast('12abc' AS INTEGER), cast('3.9' AS INTEGER), cast(3.9 AS INTEGER), cast(12 AS TEXT) || 'x', cast('1e2' AS REAL);
SELECT 100000000000000000000, 1.5e-7, 123456789.123456789, -0.0, 2.0, 1e15, 1e16, 4.0 / 3;
SELECT date('2024-02-29', '+1 year'), datetime('2026-12-07 10:00:00', '+90 minutes'), julianday('2000-01-01');
SELECT strftime('%Y-%m-%d %H:%M:%S %j %w', '2026-12-07T23:59:59'), date('2026-01-31', '+1 month'), unixepoch('2026-12-07');
SELECT time('12:34:56', '+3600 seconds'), date('2026-12-07', 'weekday 0'), date('2026-12-07', 'start of month', '-1 day');
SELECT json_object('a', 1, 'b', json_array(1, 2, NULL), 'c', 'x'), json_extract('{"a":{"b":[5,6]}}', '$.a.b[1]');
SELECT json_type('{"a":1.5}', '$.a'), json_array_length('[1,2,3]'), json_valid('{bad'), json('  [1, 2 ]');
SELECT key, value FROM json_each('{"x":1,"y":"two","z":null}') ORDER BY key;
SELECT json_group_array(v) FROM (SELECT 3 AS v UNION ALL SELECT 1 UNION ALL SELECT 2);
SELECT '{"n":[1,2,3]}' -> '$.n', '{"n":[1,2,3]}' ->> '$.n[2]';
SELECT sqlite_version() = '3.53.2', sqlite_compileoption_used('THREADSAFE=0');
SELECT likely(1), unlikely(0), typeof(zeroblob(1)), char(72, 105), format('%,d', 1234567);
WITH RECURSIVE s(v) AS (VALUES(1) UNION ALL SELECT v + 1 FROM s WHERE v < 5) SELECT group_concat(v, '+') FROM s;
