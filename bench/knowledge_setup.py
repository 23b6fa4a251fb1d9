#!/usr/bin/env python3
"""Prepares bench/knowledge: 100,000 generated materials in the knowledge bank.

One material is written, submitted and published through the pages, so the row has exactly the
form Samrad writes; 99,999 more are generated from it (60 % Danish, 40 % Swedish, texts of 150-400
words drawn from the words of Samrad's own Danish and Swedish texts, a few themes each, published
over ten years, 85 % public, 10 % for members, 5 % private) and written straight into the SQLite
file. The server is stopped meanwhile; `samrad reindex` then builds the search index."""
import json
import random
import re
import sqlite3
import sys
import urllib.parse
import urllib.request
import uuid
from samrad_http import set_up_administrator

base, log_path, db_path, root = sys.argv[1:5]
random.seed(8)
admin = set_up_administrator(base, log_path)
form = admin.post
url, _ = form("/knowledge", {"kind": "article", "title": "Skoleudvikling i praksis", "summary": "Sådan arbejder lærerne med skoleudvikling.",
                              "body": "Lærerne fortæller om læsning og trivsel.", "authors": "Bench Admin", "language": "da",
                              "licence": "cc-by-4.0", "visibility": "public", "consent": "on", "themes": "Læsning"})
href = urllib.parse.urlparse(url).path
form(href + "/steps/submit", {})
form(href + "/steps/publish", {})


def words(language):
    with open(f"{root}/Sources/SamradServer/Resources/Localization/{language}.json", encoding="utf-8") as f:
        texts = json.load(f).values()
    found = [w.lower() for text in texts for w in re.findall(r"[^\W\d_]{3,}", text)]
    return found  # with repetitions, so common words stay common


vocabulary = {"da": words("da"), "sv": words("sv")}
themes = ["Læsning", "Trivsel", "Kollegialt lærande", "Resultatopfølgning", "Inklusion", "Matematik", "Ledelse",
          "Digitalisering", "Overgange", "Forældresamarbejde", "Skolutveckling", "Fravær", "Naturfag", "Betyg"]
kinds = ["article", "example", "project", "research", "document", "slides"]
municipalities = {"da": [r[0] for r in sqlite3.connect(db_path).execute("SELECT code FROM municipalities WHERE country = 'dk'")],
                  "sv": [r[0] for r in sqlite3.connect(db_path).execute("SELECT code FROM municipalities WHERE country = 'se'")]}

db = sqlite3.connect(db_path)
db.row_factory = sqlite3.Row
template = dict(db.execute("SELECT * FROM knowledge_materials").fetchone())
id_is_blob = isinstance(template["id"], bytes)
published = template["published_at"]


def new_id():
    u = uuid.uuid4()
    return u.bytes if id_is_blob else str(u).upper() if template["id"].isupper() else str(u)


def sentence(language, n):
    return " ".join(random.choice(vocabulary[language]) for _ in range(n)).capitalize() + "."


rows, theme_rows = [], []
start = 1_700_000_000 - 10 * 365 * 86400
for i in range(99_999):
    language = "da" if random.random() < 0.6 else "sv"
    country = "dk" if language == "da" else "se"
    title = sentence(language, random.randint(4, 8))[:-1]
    body = "\n\n".join(" ".join(sentence(language, random.randint(8, 20)) for _ in range(random.randint(3, 6)))
                       for _ in range(random.randint(2, 5)))
    chosen = random.sample(themes, random.randint(1, 3))
    row = dict(template)
    mid = new_id()
    at = start + random.randint(0, 10 * 365 * 86400)
    row.update(id=mid, search_key=None, slug=f"bench-{i}", kind=random.choice(kinds), title=title, summary=sentence(language, random.randint(15, 30)),
               body=body, body_text=body.replace("\n\n", " "), themes=json.dumps(chosen, ensure_ascii=False), language=language, country=country,
               municipality_country=country, municipality_code=random.choice(municipalities[language]),
               visibility=random.choices(["public", "members", "private"], [85, 10, 5])[0],
               published_at=at if not isinstance(published, str) else published, submitted_at=at, created_at=at, updated_at=at)
    rows.append(row)
    theme_rows.extend((new_id(), mid, t, 1 if row["visibility"] == "public" else 0) for t in chosen)
columns = list(template.keys())
db.executemany(f"INSERT INTO knowledge_materials ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
               [tuple(r[c] for c in columns) for r in rows])
db.executemany("INSERT INTO knowledge_themes (id, material_id, theme, listed) VALUES (?, ?, ?, ?)", theme_rows)
db.commit()
words_total = sum(len(r["body"].split()) + len(r["summary"].split()) for r in rows)
print(f"generated 99,999 materials ({words_total / 1e6:.1f} M words) and {len(theme_rows)} theme rows; one written through the pages: {href}")
