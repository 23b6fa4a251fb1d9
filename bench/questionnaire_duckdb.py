#!/usr/bin/env python3
"""The same aggregates as Samrad's results computation, in DuckDB on the same answers: per item,
for all respondents, each region, each national municipality group and each cluster, the number
of respondents, the count per option or scale point, mean and sample standard deviation, and
groups under the threshold left out (primary suppression; Samrad's secondary suppression has no
counterpart here). Prints the load time and the median of five runs, and checks that the figures
for all respondents equal Samrad's (results JSON given as the second argument)."""
import json
import statistics
import sys
import time

import duckdb
from samrad_http import timed

answers_csv, samrad_json = sys.argv[1], sys.argv[2]
con = duckdb.connect()
started = time.perf_counter()
con.execute(f"""CREATE TABLE answers AS SELECT * FROM read_csv('{answers_csv}', header = true,
    columns = {{'respondent': 'INTEGER', 'municipality': 'VARCHAR', 'region': 'VARCHAR', 'national_group': 'VARCHAR', 'cluster': 'VARCHAR',
               'question': 'VARCHAR', 'statement': 'VARCHAR', 'option': 'VARCHAR', 'number': 'DOUBLE'}})""")
loaded = time.perf_counter() - started
rows = con.execute("SELECT count(*) FROM answers").fetchone()[0]

QUERY = """
WITH items AS (
  SELECT CASE WHEN GROUPING(region) = 0 THEN 'region' WHEN GROUPING(national_group) = 0 THEN 'similar' WHEN GROUPING(cluster) = 0 THEN 'cluster' ELSE 'all' END AS kind,
         coalesce(region, national_group, cluster, '') AS key, question, coalesce(statement, '') AS statement,
         count(DISTINCT respondent) AS n, avg(number) AS mean, stddev_samp(number) AS sd
  FROM answers WHERE question <> 'fritext'
  GROUP BY GROUPING SETS ((question, statement), (region, question, statement), (national_group, question, statement), (cluster, question, statement))
), codes AS (
  SELECT CASE WHEN GROUPING(region) = 0 THEN 'region' WHEN GROUPING(national_group) = 0 THEN 'similar' WHEN GROUPING(cluster) = 0 THEN 'cluster' ELSE 'all' END AS kind,
         coalesce(region, national_group, cluster, '') AS key, question, coalesce(statement, '') AS statement,
         CASE WHEN coalesce(option, '') <> '' THEN option ELSE CAST(CAST(number AS INTEGER) AS VARCHAR) END AS code, count(*) AS count
  FROM answers WHERE question NOT LIKE 'tal%' AND question <> 'fritext'
  GROUP BY GROUPING SETS ((question, statement, code), (region, question, statement, code), (national_group, question, statement, code), (cluster, question, statement, code))
)
SELECT i.kind, i.key, i.question, i.statement, i.n, i.mean, i.sd, c.code, c.count
FROM items i LEFT JOIN codes c USING (kind, key, question, statement)
WHERE i.n >= 5
"""
result, times = timed(lambda: con.execute(QUERY).fetchall())
groups = {(r[0], r[1]) for r in result}
print(f"duckdb {duckdb.__version__}: {rows:,} answer rows loaded in {loaded * 1000:.0f} ms; "
      f"aggregates in {statistics.median(times) * 1000:.1f} ms (median of 5; min {min(times) * 1000:.1f}), "
      f"{len(groups)} groups shown, {len(result):,} rows")

# The figures for all respondents must agree with Samrad's.
samrad = json.load(open(samrad_json))
ours = {}
for r in result:
    if r[0] == "all":
        ours.setdefault((r[2], r[3] or None), {"n": r[4], "mean": r[5], "counts": {}})["counts"][r[7]] = r[8]
checked = 0
for question in samrad["questions"]:
    for item in question["items"]:
        theirs = item["groups"][0]
        mine = ours[(question["key"], item.get("statement"))]
        assert theirs["n"] == mine["n"], (question["key"], theirs["n"], mine["n"])
        for code, count in zip([c["key"] for c in item["codes"]], theirs["counts"]):
            assert mine["counts"].get(code, 0) == count, (question["key"], code, count, mine["counts"].get(code))
        if theirs.get("mean") is not None:
            assert abs(theirs["mean"] - mine["mean"]) < 1e-9, (question["key"], theirs["mean"], mine["mean"])
        checked += 1
print(f"check: Samrad's and DuckDB's figures for all respondents agree on all {checked} items")
