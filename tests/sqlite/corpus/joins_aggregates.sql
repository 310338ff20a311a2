-- Joins, grouping, aggregates, subqueries and compound selects.
CREATE TABLE dept(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE emp(id INTEGER PRIMARY KEY, name TEXT, dept INTEGER REFERENCES dept(id), salary INTEGER, boss INTEGER);
INSERT INTO dept VALUES (1, 'kernel'), (2, 'drivers'), (3, 'shell'), (4, 'empty');
INSERT INTO emp VALUES
  (1, 'ken', 1, 300, NULL), (2, 'dennis', 1, 280, 1), (3, 'rob', 2, 250, 1),
  (4, 'brian', 3, 240, 2), (5, 'doug', 3, 230, 2), (6, 'joe', 2, 210, 3),
  (7, 'lorinda', NULL, 190, 1), (8, 'bill', 2, 250, 3);
SELECT e.name, d.name FROM emp e JOIN dept d ON d.id = e.dept ORDER BY e.id;
SELECT d.name, count(e.id) FROM dept d LEFT JOIN emp e ON e.dept = d.id GROUP BY d.id ORDER BY d.id;
SELECT e.name, b.name FROM emp e LEFT JOIN emp b ON b.id = e.boss ORDER BY e.name;
SELECT count(*) FROM dept CROSS JOIN emp;
SELECT d.name, sum(salary), avg(salary), min(salary), max(salary), total(salary)
  FROM emp JOIN dept d ON d.id = emp.dept GROUP BY d.name HAVING count(*) > 1 ORDER BY 2 DESC;
SELECT group_concat(name, ',') FROM (SELECT name FROM emp ORDER BY name);
SELECT count(DISTINCT salary), count(dept), count(*) FROM emp;
SELECT name FROM emp WHERE salary > (SELECT avg(salary) FROM emp) ORDER BY name;
SELECT name FROM dept d WHERE NOT EXISTS (SELECT 1 FROM emp WHERE dept = d.id);
SELECT name FROM emp WHERE dept IN (SELECT id FROM dept WHERE name LIKE '%r%') ORDER BY id;
SELECT salary FROM emp WHERE dept = 1 UNION SELECT salary FROM emp WHERE dept = 2 ORDER BY 1;
SELECT salary FROM emp WHERE dept = 2 INTERSECT SELECT salary FROM emp WHERE dept = 3;
SELECT dept FROM emp EXCEPT SELECT id FROM dept WHERE id > 1;
SELECT salary FROM emp UNION ALL SELECT 1 ORDER BY 1 LIMIT 3 OFFSET 2;
SELECT name, CASE WHEN salary >= 250 THEN 'senior' WHEN salary >= 220 THEN 'mid' ELSE 'junior' END
  FROM emp ORDER BY salary DESC, name;
SELECT d.name, (SELECT max(salary) FROM emp WHERE dept = d.id) FROM dept d ORDER BY 1;
SELECT e1.name, e2.name FROM emp e1, emp e2 WHERE e1.salary = e2.salary AND e1.id < e2.id;
SELECT dept, count(*) FILTER (WHERE salary > 240) FROM emp GROUP BY dept ORDER BY dept;
EXPLAIN QUERY PLAN SELECT * FROM emp WHERE id = 3;
