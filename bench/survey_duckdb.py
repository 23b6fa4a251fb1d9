#!/usr/bin/env python3
"""The same aggregates as Samrad's survey results, in DuckDB on the same 500,000 pupils' answers
(20 million answer cells): per question and answer, the count in every school, municipality,
cluster, national grouping, region and the country, the number who answered each question, the
mean of each scale, and groups under the threshold left out (primary suppression only; Samrad's
secondary suppression and its check of every atom have no counterpart here). Prints the load time
and the median of five runs, and checks that the country's figures and the viewer's shown groups
equal Samrad's (the results JSON is the second argument)."""
import json
import statistics
import sys
import time

import duckdb
from samrad_http import timed

answers_csv, samrad_json = sys.argv[1], sys.argv[2]
con = duckdb.connect()
started = time.perf_counter()
con.execute(f"CREATE TABLE answers AS SELECT * FROM read_csv('{answers_csv}', header = true, all_varchar = true)")
loaded = time.perf_counter() - started
pupils = con.execute("SELECT count(*) FROM answers").fetchone()[0]
questions = [c[0] for c in con.execute("DESCRIBE answers").fetchall()][5:]

QUERY = f"""
WITH cells AS (
  UNPIVOT answers ON {", ".join(questions)} INTO NAME question VALUE answer
), counted AS (
  SELECT CASE WHEN GROUPING(school) = 0 THEN 'school' WHEN GROUPING(municipality) = 0 THEN 'municipality'
              WHEN GROUPING(cluster) = 0 THEN 'cluster' WHEN GROUPING(national_group) = 0 THEN 'similar'
              WHEN GROUPING(region) = 0 THEN 'region' ELSE 'country' END AS kind,
         coalesce(school, municipality, cluster, national_group, region, 'se') AS key, question, answer,
         count(*) AS count, sum(TRY_CAST(answer AS INTEGER)) AS total
  FROM cells WHERE answer IS NOT NULL AND answer <> ''
  GROUP BY GROUPING SETS ((school, question, answer), (municipality, question, answer), (cluster, question, answer),
                          (national_group, question, answer), (region, question, answer), (question, answer))
), items AS (
  SELECT kind, key, question, sum(count) AS n, sum(total) / sum(count) AS mean FROM counted GROUP BY ALL
)
SELECT c.kind, c.key, c.question, c.answer, c.count, i.n, i.mean
FROM counted c JOIN items i USING (kind, key, question) WHERE i.n >= 5
"""
result, times = timed(lambda: con.execute(QUERY).fetchall())
groups = {(r[0], r[1]) for r in result}
print(f"duckdb {duckdb.__version__}: {pupils:,} pupils ({pupils * len(questions):,} answer cells) loaded in "
      f"{loaded * 1000:.0f} ms; every group's aggregates in {statistics.median(times) * 1000:.0f} ms "
      f"(median of 5; min {min(times) * 1000:.0f}), {len(groups):,} groups shown")

ours = {}
for kind, key, question, answer, count, n, mean in result:
    entry = ours.setdefault((kind, key, question), {"n": n, "mean": mean, "counts": {}})
    entry["counts"][answer] = count
samrad = json.load(open(samrad_json))
checked = 0
for g, group in enumerate(samrad["groups"]):
    for question in samrad["questions"]:
        figures = question["items"][0]["groups"][g]
        if figures is None:
            continue  # hidden by Samrad: DuckDB's primary suppression alone may still show it
        # The CSV names a cluster by its name; Samrad keys it by its id and labels it by its name.
        key = group["label"] if group["kind"] == "cluster" else group["key"]
        mine = ours[(group["kind"], key, question["key"])]
        assert figures["n"] == mine["n"], (group, question["key"], figures["n"], mine["n"])
        for code, count in zip([c["key"] for c in question["items"][0]["codes"]], figures["counts"]):
            assert mine["counts"].get(code, 0) == count, (group, question["key"], code, count)
        if figures.get("mean") is not None:
            assert abs(figures["mean"] - mine["mean"]) < 1e-9, (group, question["key"], figures["mean"], mine["mean"])
        checked += 1
print(f"check: Samrad's and DuckDB's figures agree for all {checked} shown group × question pairs of the viewer")
