#!/usr/bin/env python3
"""Prepares bench/surveys: a Swedish programme with all 290 municipalities registered and formed into
41 clusters (through the HTTP API), 2,400 schools (more in larger municipalities), a national pupil
well-being survey of 40 questions (34 scales, 4 yes/no, 2 choices) sent through the API, and 500,000
pupils' answers written straight into the database as the class-code page stores them (one 40-byte
record per pupil under its school; through HTTP it would take a quarter of an hour), with 2,000
fresh class codes of 40 places for the submission load. Writes the same answers with each pupil's
school, municipality, region, grouping and cluster as a CSV for DuckDB, the class codes for wrk,
and bench.env. The database is SQLite (a file) or PostgreSQL (a URL, written with COPY)."""
import csv
import io
import os
import random
import sqlite3
import subprocess
import sys
import time
import uuid

from samrad_http import api_client, set_up_administrator, swedish_cluster_programme

base, log_path, work, database, root = sys.argv[1:6]
PUPILS = int(os.environ.get("PUPILS", "500000"))
SCHOOLS = 2_400
CODES = 2_000
random.seed(2027)

admin = set_up_administrator(base, log_path)
token = admin.new_token()
api = api_client(base, token)

municipalities, slug, cluster_of = swedish_cluster_programme(api, root, "Trivsel i skolan (bench)")
codes = sorted(municipalities)

text = lambda s: {"sv": s}
questions = [{"key": f"q{i}", "kind": "likert", "text": text(f"Påstående {i}"), "required": True,
              "scale": {"min": 1, "max": 5}} for i in range(34)]
questions += [{"key": f"jn{i}", "kind": "yes_no", "text": text(f"Ja eller nej {i}")} for i in range(4)]
questions += [{"key": f"val{i}", "kind": "single_choice", "text": text(f"Val {i}"),
               "options": [{"key": f"o{j}", "label": text(f"Alternativ {j}")} for j in range(4)]} for i in range(2)]
qid = api("POST", f"/api/v1/collaborations/{slug}/questionnaires", {
    "title": "Trivselsenkät (bench)", "audience": "pupils", "closesAt": "2099-01-01T00:00", "threshold": 5,
    "form": {"sections": [{"key": "s1", "title": text("Trivsel"), "questions": questions}]}})["id"]
api("POST", f"/api/v1/questionnaires/{qid}/send")

# Schools: at least one per municipality, the rest by population^0.8.
population = {c: int(municipalities[c]["population_eurostat_lau2020"] or 1) for c in codes}
school_municipality = codes + random.choices(codes, weights=[population[c] ** 0.8 for c in codes], k=SCHOOLS - 290)
schools = [(f"{90000000 + n}", m) for n, m in enumerate(school_municipality)]
# Pupils: by school, a school's size drawn around its share.
sizes = [random.uniform(0.3, 1.7) for _ in schools]
pupil_school = random.choices(range(len(schools)), weights=sizes, k=PUPILS)
tilt = [random.gauss(0, 0.35) for _ in schools]


class Store:
    """Bulk rows into SQLite (executemany) or PostgreSQL (COPY through psql)."""

    def __init__(self, database):
        self.pg = database.startswith("postgres")
        self.database = database
        if not self.pg:
            self.db = sqlite3.connect(database, timeout=60)
            self.db.execute("PRAGMA journal_mode=WAL")

    def uuid(self, value):
        return str(value).upper() if not self.pg else str(value).lower()

    def moment(self, seconds):
        return seconds if not self.pg else time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(seconds))

    def blob(self, data):
        return data if not self.pg else "\\x" + data.hex()

    def rows(self, table, columns, rows):
        if not self.pg:
            marks = ",".join("?" * len(columns))
            self.db.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)
            self.db.commit()
            return
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
        subprocess.run(["psql", self.database, "-q", "-c",
                        f"\\copy {table} ({','.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '')"],
                       input=buffer.getvalue(), text=True, check=True)

    def sql(self, statement):
        if not self.pg:
            self.db.execute(statement)
            self.db.commit()
        else:
            subprocess.run(["psql", self.database, "-q", "-c", statement], check=True)


store = Store(database)
now = time.time()
school_ids = [uuid.uuid4() for _ in schools]
store.rows("schools", ["id", "country", "code", "name", "kind", "municipality_code", "created_at"],
           [(store.uuid(school_ids[n]), "se", code, f"Skola {n}", "school", m, store.moment(now))
            for n, (code, m) in enumerate(schools)])
store.rows("survey_units", ["id", "questionnaire_id", "unit", "municipality_country", "municipality_code", "school_code"],
           [(store.uuid(uuid.uuid4()), store.uuid(qid), n, "se", m, code) for n, (code, m) in enumerate(schools)])

layout = [("likert", 5)] * 34 + [("yes_no", 2)] * 4 + [("choice", 4)] * 2
answers, flat = [], []
for pupil, s in enumerate(pupil_school):
    record = bytearray(40)
    values = []
    for i, (kind, codes_in_item) in enumerate(layout):
        if kind == "likert":
            point = min(5, max(1, round(random.gauss(3.6 + tilt[s], 1.0))))
            record[i], value = point, point
        elif kind == "yes_no":
            if random.random() < 0.05:
                values.append("")
                continue  # not answered
            yes = random.random() < 0.8 + tilt[s] / 4
            record[i], value = (1 if yes else 2), ("yes" if yes else "no")
        else:
            choice = random.choices(range(4), weights=[4, 3, 2, 1])[0]
            record[i], value = choice + 1, f"o{choice}"
        values.append(value)
    answers.append((store.uuid(qid), s, random.randint(4, 9), store.blob(bytes(record))))
    code, m = schools[s]
    row = municipalities[m]
    flat.append([f"se/{code}", f"se/{m}", f"se/{row['lan_code']}", f"se/{row['skr_kommungrupp']}", cluster_of[m]] + values)
    if len(answers) == 50_000:
        store.rows("survey_answers", ["questionnaire_id", "unit", "grade", "record"], answers)
        answers = []
if answers:
    store.rows("survey_answers", ["questionnaire_id", "unit", "grade", "record"], answers)

alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
class_codes = sorted({"".join(random.choice(alphabet) for _ in range(8)) for _ in range(CODES)})
store.rows("survey_class_codes", ["id", "questionnaire_id", "code", "school_id", "grade", "capacity", "used", "created_at"],
           [(store.uuid(uuid.uuid4()), store.uuid(qid), c, store.uuid(school_ids[random.randrange(len(schools))]),
             random.randint(4, 9), 40, 0, store.moment(now)) for c in class_codes])
with open(os.path.join(work, "codes.txt"), "w") as f:
    f.write("\n".join(class_codes) + "\n")
with open(os.path.join(work, "answers.csv"), "w", newline="", encoding="utf-8") as f:
    writer = csv.writer(f)
    writer.writerow(["school", "municipality", "region", "national_group", "cluster"] + [q["key"] for q in questions])
    writer.writerows(flat)
# The viewer: a school in Stockholm.
viewer = next(f"se/0180/{code}" for code, m in schools if m == "0180")
with open(os.path.join(work, "bench.env"), "w") as f:
    f.write(f"TOKEN={token}\nQUESTIONNAIRE={qid}\nPUPILS={PUPILS}\nSCHOOLS={len(schools)}\nVIEWER={viewer}\n")
print(f"{PUPILS:,} pupils' answers in {len(schools):,} schools of 290 municipalities, {len(class_codes):,} class codes")
