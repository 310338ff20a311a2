-- Triggers (before, after, instead of, RAISE) and views.
CREATE TABLE account(id INTEGER PRIMARY KEY, owner TEXT, balance INTEGER NOT NULL);
CREATE TABLE audit(seq INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT);
CREATE TRIGGER account_insert AFTER INSERT ON account
  BEGIN INSERT INTO audit(what) VALUES ('open ' || new.owner || ' ' || new.balance); END;
CREATE TRIGGER account_update AFTER UPDATE OF balance ON account WHEN new.balance <> old.balance
  BEGIN INSERT INTO audit(what) VALUES (new.owner || ': ' || old.balance || ' -> ' || new.balance); END;
CREATE TRIGGER account_no_overdraft BEFORE UPDATE ON account WHEN new.balance < 0
  BEGIN SELECT RAISE(ABORT, 'overdraft refused'); END;
CREATE TRIGGER account_delete BEFORE DELETE ON account
  BEGIN INSERT INTO audit(what) VALUES ('close ' || old.owner); END;
INSERT INTO account(owner, balance) VALUES ('alice', 100), ('bob', 50), ('carol', 0);
UPDATE account SET balance = balance - 30 WHERE owner = 'alice';
UPDATE account SET balance = balance + 30 WHERE owner = 'bob';
UPDATE account SET balance = balance - 500 WHERE owner = 'carol';
UPDATE account SET owner = 'Carol' WHERE owner = 'carol';
DELETE FROM account WHERE balance = 0;
SELECT seq, what FROM audit ORDER BY seq;
CREATE VIEW rich AS SELECT owner, balance FROM account WHERE balance >= 60;
SELECT * FROM rich ORDER BY owner;
CREATE VIEW summary(n, total) AS SELECT count(*), sum(balance) FROM account;
SELECT * FROM summary;
CREATE TRIGGER rich_insert INSTEAD OF INSERT ON rich
  BEGIN INSERT INTO account(owner, balance) VALUES (upper(new.owner), max(new.balance, 60)); END;
INSERT INTO rich VALUES ('dave', 10);
SELECT * FROM rich ORDER BY owner;
SELECT name, type FROM sqlite_schema WHERE type IN ('view', 'trigger') ORDER BY name;
DROP VIEW summary;
DROP TRIGGER account_delete;
DELETE FROM account WHERE owner = 'bob';
SELECT count(*) FROM audit;
SELECT * FROM sqlite_sequence;
