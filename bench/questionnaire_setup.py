#!/usr/bin/env python3
"""Prepares bench/questionnaires: a Swedish cluster programme with all 290 municipalities registered
and formed into 41 clusters (through the HTTP API), a teachers' questionnaire of 50 questions (74
result items: scales, choices, yes/no, numbers, matrices, one text), and 14,525 teachers who all
submitted - about 1,000,000 answer rows written straight into the SQLite file (through the API it would
take an hour). Writes the same answers, with each respondent's region, national municipality
group and cluster, as a CSV for DuckDB, and bench.env with the token and questionnaire id."""
import csv
import json
import os
import random
import sqlite3
import sys
import time
import uuid
from samrad_http import api_client, set_up_administrator, swedish_cluster_programme

base, log_path, work, db_path, root = sys.argv[1:6]
TEACHERS = 14_525
random.seed(2014)


admin = set_up_administrator(base, log_path)
form = admin.form
token = admin.new_token()
api = api_client(base, token)


municipalities, slug, cluster_of = swedish_cluster_programme(api, root, "Klusterprogram (bench)")
codes = sorted(municipalities)

# The questionnaire: 20 scales, 10 single and 5 multiple choices, 5 yes/no, 5 numbers, 4 matrices
# of 5 statements, 1 text.
text = lambda s: {"sv": s}
questions = []
for i in range(20):
    questions.append({"key": f"skala{i}", "kind": "likert", "text": text(f"Påstående {i}"), "scale": {"min": 1, "max": 5}})
for i in range(10):
    questions.append({"key": f"val{i}", "kind": "single_choice", "text": text(f"Val {i}"),
                      "options": [{"key": f"o{j}", "label": text(f"Alternativ {j}")} for j in range(4)]})
for i in range(5):
    questions.append({"key": f"flera{i}", "kind": "multiple_choice", "text": text(f"Flera {i}"),
                      "options": [{"key": f"o{j}", "label": text(f"Alternativ {j}")} for j in range(5)]})
for i in range(5):
    questions.append({"key": f"janej{i}", "kind": "yes_no", "text": text(f"Ja eller nej {i}")})
for i in range(5):
    questions.append({"key": f"tal{i}", "kind": "number", "text": text(f"Timmar {i}"), "number": {"min": 0, "max": 100}})
for i in range(4):
    questions.append({"key": f"matris{i}", "kind": "matrix", "text": text(f"Matris {i}"), "scale": {"min": 1, "max": 4},
                      "statements": [{"key": f"p{j}", "label": text(f"Påstående {j}")} for j in range(5)]})
questions.append({"key": "fritext", "kind": "long_text", "text": text("Något mer?")})
created = api("POST", f"/api/v1/collaborations/{slug}/questionnaires", {
    "title": "Lärarenkät (bench)", "audience": "registered", "closesAt": "2099-01-01T00:00", "threshold": 5,
    "form": {"sections": [{"key": "s1", "title": text("Enkät"), "questions": questions}]}})
qid = created["id"]

# 20,000 teachers, more in larger municipalities, each with one submitted response.
population = {c: int(municipalities[c]["population_eurostat_lau2020"] or 1) for c in codes}
weights = [population[c] ** 0.8 for c in codes]
teacher_municipality = [codes[i % 290] for i in range(290)] + random.choices(codes, weights=weights, k=TEACHERS - 290)
db = sqlite3.connect(db_path, timeout=30)
db.execute("PRAGMA journal_mode=WAL")
now = time.time()
people, responses, answers, flat = [], [], [], []
for n, code in enumerate(teacher_municipality):
    pid, rid = str(uuid.uuid4()).upper(), str(uuid.uuid4()).upper()
    people.append((pid, f"Lärare {n}", "teacher", "se", code, 0, now, now))
    responses.append((rid, qid.upper(), pid, "submitted", now, 0, now, now))
    tilt = (int(code) % 7) / 10  # municipalities differ a little
    row = municipalities[code]
    groups = (row["lan_code"], row["skr_kommungrupp"], cluster_of[code])

    def add(question, statement=None, option=None, number=None, text=None):
        answers.append((str(uuid.uuid4()).upper(), rid, question, statement, option, number, text))
        flat.append((n, code, *groups, question, statement or "", option or "", "" if number is None else number))

    for i in range(20):
        add(f"skala{i}", number=float(min(5, max(1, round(random.gauss(3 + tilt, 1.1))))))
    for i in range(10):
        add(f"val{i}", option=random.choices(["o0", "o1", "o2", "o3"], weights=[4, 3, 2, 1])[0])
    for i in range(5):
        for j in range(5):
            if random.random() < 0.35:
                add(f"flera{i}", option=f"o{j}")
    for i in range(5):
        add(f"janej{i}", option="yes" if random.random() < 0.6 + tilt / 2 else "no")
    for i in range(5):
        add(f"tal{i}", number=float(round(max(0, min(100, random.gauss(20, 8))))))
    for i in range(4):
        for j in range(5):
            add(f"matris{i}", statement=f"p{j}", number=float(random.randint(1, 4)))
    if n % 10 == 0:
        add("fritext", text="Mer tid för kollegialt lärande.")
db.executemany("INSERT INTO people (id, name, position, municipality_country, municipality_code, is_example, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)", people)
db.executemany("INSERT INTO questionnaire_responses (id, questionnaire_id, person_id, status, submitted_at, reopened, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)", responses)
db.executemany('INSERT INTO questionnaire_answers (id, response_id, question, statement, "option", number, text) VALUES (?,?,?,?,?,?,?)', answers)
db.execute("UPDATE questionnaires SET audience = 'people', people = ?, sent_at = ?, closed_at = ?, published_at = ?, visibility = 'participants' WHERE id = ?",
           (json.dumps([p[0] for p in people]), now - 86400, now - 3600, now - 60, qid.upper()))
db.commit()
db.close()
with open(os.path.join(work, "answers.csv"), "w", newline="", encoding="utf-8") as f:
    writer = csv.writer(f)
    writer.writerow(["respondent", "municipality", "region", "national_group", "cluster", "question", "statement", "option", "number"])
    writer.writerows(flat)
with open(os.path.join(work, "bench.env"), "w") as f:
    f.write(f"TOKEN={token}\nQUESTIONNAIRE={qid}\nANSWERS={len(answers)}\nRESPONDENTS={len(responses)}\n")
print(f"{len(responses)} respondents, {len(answers)} answer rows, {len(set(cluster_of.values()))} clusters")
