-- Tables, constraints, affinity, changes, ALTER, transactions and savepoints.
CREATE TABLE person(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  born INTEGER CHECK (born > 1800),
  email TEXT UNIQUE,
  score REAL DEFAULT 0.5
);
INSERT INTO person(name, born, email) VALUES ('Ada', 1815, 'ada@example.org');
INSERT INTO person(name, born, email, score) VALUES ('Grace', 1906, 'grace@example.org', 9.75);
INSERT INTO person(name, born, email, score) VALUES ('Edsger', 1930, NULL, '7');
INSERT INTO person(name, born, email, score) VALUES ('Barbara', 1939, NULL, 8.125);
SELECT id, name, born, email, score, typeof(score) FROM person ORDER BY id;
SELECT changes(), total_changes(), last_insert_rowid();
UPDATE person SET score = score * 2 WHERE born > 1900;
SELECT name, score FROM person ORDER BY score DESC, name;
DELETE FROM person WHERE name = 'Edsger';
SELECT changes(), count(*) FROM person;
ALTER TABLE person ADD COLUMN city TEXT DEFAULT 'London';
ALTER TABLE person RENAME COLUMN born TO year;
ALTER TABLE person RENAME TO people;
SELECT name, year, city FROM people ORDER BY year;
CREATE TABLE kinds(a INTEGER, b REAL, c TEXT, d BLOB, e NUMERIC, f);
INSERT INTO kinds VALUES ('12', '12', 12, 12, '12.0', '12');
INSERT INTO kinds VALUES ('x1', '3.5e2', 3.25, x'00ff', '1e3', 1.5);
SELECT typeof(a), typeof(b), typeof(c), typeof(d), typeof(e), typeof(f), a, b, c, e, f FROM kinds;
BEGIN;
INSERT INTO people(name, year) VALUES ('Alan', 1912);
SAVEPOINT inner1;
INSERT INTO people(name, year) VALUES ('Kurt', 1906);
ROLLBACK TO inner1;
RELEASE inner1;
COMMIT;
SELECT name FROM people ORDER BY name;
BEGIN;
DELETE FROM people;
ROLLBACK;
SELECT count(*) FROM people;
INSERT OR REPLACE INTO people(id, name, year) VALUES (1, 'Ada Lovelace', 1815);
INSERT INTO people(id, name, year) VALUES (2, 'Hopper', 1906)
  ON CONFLICT(id) DO UPDATE SET name = excluded.name || ' (updated)';
SELECT id, name FROM people ORDER BY id;
UPDATE people SET score = 1 WHERE id = 1 RETURNING id, name, score;
CREATE TABLE strict_t(i INTEGER, t TEXT) STRICT;
INSERT INTO strict_t VALUES (1, 'one');
SELECT * FROM strict_t;
DROP TABLE kinds;
SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name;
PRAGMA integrity_check;
