-- Collating sequences: BINARY, NOCASE, RTRIM, in columns, indexes, ORDER BY and comparisons.
CREATE TABLE words(w TEXT, wn TEXT COLLATE NOCASE, wr TEXT COLLATE RTRIM);
INSERT INTO words VALUES ('apple', 'apple', 'apple'), ('Apple', 'Apple', 'apple  '), ('banana', 'BANANA', 'banana'),
  ('Cherry', 'cherry', 'cherry '), ('apricot', 'Apricot', 'apricot'), ('_z', '_z', '_z'), ('Zeta', 'zeta', 'zeta');
SELECT w FROM words ORDER BY w;
SELECT wn FROM words ORDER BY wn, w;
SELECT w FROM words ORDER BY w COLLATE NOCASE, w;
SELECT count(*) FROM words WHERE wn = 'APPLE';
SELECT count(*) FROM words WHERE w = 'APPLE';
SELECT count(*) FROM words WHERE wr = 'apple';
SELECT 'abc' = 'ABC', 'abc' = 'ABC' COLLATE NOCASE, 'abc ' = 'abc' COLLATE RTRIM;
SELECT wn, count(*) FROM words GROUP BY wn ORDER BY wn;
SELECT DISTINCT wr FROM words ORDER BY 1;
CREATE INDEX words_nocase ON words(w COLLATE NOCASE);
SELECT w FROM words WHERE w COLLATE NOCASE BETWEEN 'a' AND 'b' ORDER BY w COLLATE NOCASE, w;
SELECT 'Apple' LIKE 'apple', 'Apple' GLOB 'apple', 'Apple' GLOB 'A*', 'a_c' LIKE 'a\_c' ESCAPE '\';
SELECT upper('straße'), lower('ÀÉÎ'), length('héllo'), length(CAST('héllo' AS BLOB)), unicode('é'), char(233, 8364);
SELECT min(w), max(w), min(wn), max(wn) FROM words;
SELECT w FROM words ORDER BY length(w) DESC, w LIMIT 3;
