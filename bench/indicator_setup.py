#!/usr/bin/env python3
"""Prepares and runs the imports of bench/indicators, through the same pages people use.

1. The catalogue gets 281 Norwegian indicators and 32 more Swedish ones (the shipped data set has 8
   Swedish municipality indicators; with these a Swedish dashboard has 40).
2. A Swedish cluster programme: all 290 municipalities registered, 41 clusters (HTTP API), so the
   dashboards compare with a cluster too.
3. The import timed: 1,000,360 observations (356 Norwegian municipalities x 281 indicators x 10
   school years, with pupil counts and 1 % suppressed), uploaded as CSV, columns chosen, checked
   and written. The time runs from choosing the columns until the status page says it is done.
4. The 32 extra Swedish indicators x 290 municipalities x 10 years (92,800 observations)."""
import csv
import os
import random
import re
import sys
import time
import urllib.parse
import urllib.request
import uuid
from samrad_http import api_client, set_up_administrator

base, log_path, work, root = sys.argv[1:5]
random.seed(2011)
admin = set_up_administrator(base, log_path)
opener, csrf, form = admin.opener, admin.csrf, admin.post
token = admin.new_token()
api = api_client(base, token)


def codes(file, column):
    with open(os.path.join(root, "Sources/SamradServer/Resources/Directory", file), encoding="utf-8") as f:
        return sorted(row[column] for row in csv.DictReader(f))


categories = ["learning", "wellbeing", "attendance", "transition", "staff"]
for country, count in (("no", 281), ("se", 32)):
    for i in range(count):
        form("/indicators", {"code": f"{country}.bench_{i:03d}", "name_da": f"Indikator {i}", "name_sv": f"Indikator {i}", "name_en": f"Indicator {i}",
                             "unit": "percent", "direction": "lower" if i % 5 == 2 else "higher", "level": "municipality",
                             "category": categories[i % 5], "country": country, "source": "Generated for the benchmark", "licence": "CC0", "decimals": "1"})

se = codes("se_municipalities.csv", "kommunkod")
skr = api("POST", "/api/v1/organisations", {"name": "SKR (bench)", "kind": "association", "country": "se"})["id"]
slug = api("POST", "/api/v1/collaborations", {
    "title": "Klusterprogram (bench)", "kind": "cluster_programme", "organiserID": skr, "timeZone": "Europe/Stockholm",
    "periodStart": "2027-01-01", "periodEnd": "2031-12-31", "deadline": "2099-01-31T23:59", "seats": [], "priceKind": "free"})["slug"]
api("POST", f"/api/v1/collaborations/{slug}/status", {"status": "open"})
for code in se:
    api("POST", f"/api/v1/collaborations/{slug}/registrations/se/{code}", {"seats": []})
clusters, start = [], 0
for i in range(41):
    size = 8 if i < 3 else 7
    clusters.append({"name": f"Kluster {i + 1}", "wave": 1, "members": [f"se/{c}" for c in se[start:start + size]]})
    start += size
api("PUT", f"/api/v1/collaborations/{slug}/clusters", {"minSize": 6, "maxSize": 8, "clusters": clusters})


def generate(path, country, units, indicators, years):
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("kommune,indikator,skoleår,verdi,elever,flag\n")
        for unit in units:
            level = random.gauss(0, 6)
            pupils = random.randint(20, 5000)
            for indicator in indicators:
                base_value = 70 + level + random.gauss(0, 8)
                trend = random.gauss(0.3, 0.6)
                for year in years:
                    rows += 1
                    if random.random() < 0.01:
                        f.write(f"{unit},{indicator},{year - 1}/{year % 100:02d},,{pupils},..\n")
                        continue
                    value = min(100.0, max(0.0, base_value + trend * (year - years[0]) + random.gauss(0, 1.5)))
                    f.write(f"{unit},{indicator},{year - 1}/{year % 100:02d},{value:.1f},{pupils + random.randint(-20, 20)},\n")
    return rows


def run_import(path, country):
    boundary = "bench-" + uuid.uuid4().hex
    with open(path, "rb") as f:
        content = f.read()
    parts = []
    for name, value in (("_csrf", csrf()), ("format", "csv"), ("country", country), ("level", "municipality")):
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
    parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{os.path.basename(path)}\"\r\nContent-Type: text/csv\r\n\r\n".encode())
    body = b"".join(parts) + content + f"\r\n--{boundary}--\r\n".encode()
    started = time.monotonic()
    request = urllib.request.Request(base + "/indicators/imports", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with opener.open(request) as response:
        mapping = response.geturl()
    uploaded = time.monotonic() - started
    started = time.monotonic()
    status, _ = form(urllib.parse.urlparse(mapping).path, {"unit_column": "kommune", "year_column": "skoleår", "value_column": "verdi",
                                                         "indicator_column": "indikator", "pupils_column": "elever", "flag_column": "flag"})
    while True:
        page = opener.open(status).read().decode()
        if "Running" not in page and "Pågår" not in page and "I gang" not in page:
            break
        time.sleep(0.05)
    took = time.monotonic() - started
    imported = re.search(r"<dt>Values imported</dt><dd>(\d+)</dd>", page)
    assert imported, page[:3000]
    return uploaded, took, int(imported.group(1)), len(content)


years = list(range(2016, 2026))
no_file = os.path.join(work, "no.csv")
rows = generate(no_file, "no", codes("no_municipalities_2020.csv", "kommunenummer"), [f"no.bench_{i:03d}" for i in range(281)], years)
uploaded, took, imported, size = run_import(no_file, "no")
print(f"import of {imported:,} observations ({rows:,} rows, {size / 1e6:.0f} MB CSV): upload {uploaded:.1f} s, check and write {took:.1f} s "
      f"({imported / took:,.0f} rows/s)")
se_file = os.path.join(work, "se.csv")
rows = generate(se_file, "se", se, [f"se.bench_{i:03d}" for i in range(32)], years)
uploaded, took, imported, _ = run_import(se_file, "se")
print(f"import of {imported:,} Swedish observations: check and write {took:.1f} s")
