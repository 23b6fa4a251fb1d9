"""The multi-instance deployment (PostgreSQL, two Samrad instances, nginx) under the load and faults a
national association meets: all municipalities registering at once, an instance killed in the
middle of it, the database gone for a few seconds, the mail server down. Bounded in time; every
server listens on 127.0.0.1 only."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests


def open_collaboration(api, danish, title, capacity=None):
    body = {"title": title, "kind": "standing_network", "organiserID": danish["organisation"], "timeZone": "Europe/Copenhagen",
            "deadline": "2099-01-31T23:59", "seats": [{"position": "administration", "count": 1, "required": True}]}
    if capacity:
        body["capacity"] = capacity
    slug = api.call("POST", "/api/v1/collaborations", body)["slug"]
    api.call("POST", f"/api/v1/collaborations/{slug}/status", {"status": "open"})
    return slug


def register(api, danish, slug, code, base):
    """One municipality's registration; returns the HTTP status (0 when the connection failed)
    and the registration's status."""
    try:
        response = requests.post(f"{base}/api/v1/collaborations/{slug}/registrations/dk/{code}", timeout=60,
                                 json={"seats": [{"position": "administration", "personID": danish["people"][code]}]},
                                 headers={"Authorization": f"Bearer {api.token}", "Accept": "application/json"})
    except requests.RequestException:
        return 0, None
    return response.status_code, (response.json().get("status") if response.status_code == 201 else None)


def stored(cluster, slug):
    rows = cluster.sql(f"""SELECT r.municipality_code, r.status FROM registrations r JOIN collaborations c ON c.id = r.collaboration_id
                           WHERE c.slug = '{slug}'""")
    return rows


def test_registration_race_over_both_instances(cluster, api, danish):
    slug = open_collaboration(api, danish, "Kapløbet om 12 pladser", capacity=12)
    codes = sorted(danish["people"])
    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(lambda code: register(api, danish, slug, code, cluster.url), codes))
    assert [status for status, _ in answers] == [201] * 98, answers
    assert sorted(s for _, s in answers).count("registered") == 12
    assert sorted(s for _, s in answers).count("waitlisted") == 86
    rows = stored(cluster, slug)
    assert len(rows) == 98 and len({code for code, _ in rows}) == 98
    assert sum(1 for _, status in rows if status == "registered") == 12
    # Both instances took registrations.
    spread = cluster.upstreams("POST", f"/collaborations/{slug}/registrations/")
    assert len(spread) == 2 and min(spread.values()) >= 20, spread


def test_answers_through_one_instance_and_results_through_the_other(cluster, api, danish, inbox):
    first, second = cluster.instance_urls
    slug = open_collaboration(api, danish, "Statusmåling på tværs")
    codes = sorted(danish["people"])[:10]
    coordinator = api.coordinator(inbox, "koordinator@example.dk", [f"dk/{code}" for code in codes])
    for code in codes:
        assert register(api, danish, slug, code, first)[0] == 201
    questionnaire = api.call("POST", f"/api/v1/collaborations/{slug}/questionnaires", {
        "title": "Status 2026", "audience": "registered", "closesAt": "2099-01-01T00:00", "threshold": 3,
        "form": {"sections": [{"key": "s1", "title": {"da": "Status"}, "questions": [
            {"key": "trivsel", "kind": "likert", "text": {"da": "Eleverne trives"}, "scale": {"min": 1, "max": 5}},
            {"key": "plan", "kind": "yes_no", "text": {"da": "Har I en plan?"}}]}]}}, base=first)["id"]
    api.call("POST", f"/api/v1/questionnaires/{questionnaire}/send", {}, base=first)
    for n, code in enumerate(codes):
        api.call("PUT", f"/api/v1/questionnaires/{questionnaire}/responses/dk/{code}",
                 {"answers": {"trivsel": 1 + n % 5, "plan": "yes" if n % 2 else "no"}}, base=first, token=coordinator)
        api.call("POST", f"/api/v1/questionnaires/{questionnaire}/responses/dk/{code}/submit", {}, base=first, token=coordinator)
    progress = api.call("GET", f"/api/v1/questionnaires/{questionnaire}/progress", base=second)
    results = api.call("GET", f"/api/v1/questionnaires/{questionnaire}/results", base=second)
    assert progress["submitted"] == 10, progress
    assert results["respondents"] == 10, results


def invitations_per_sending(cluster):
    """An invitation to all of Denmark: one e-mail per municipality to its administration, and one
    to each coordinator of each municipality (coordinators are always told)."""
    roles = cluster.sql("SELECT count(*) FROM role_assignments WHERE kind = 'coordinator' AND municipality_country = 'dk'")
    return 98 + int(roles[0][0])


def administration(messages):
    return sorted(m["To"] for m in messages if str(m["To"]).startswith("forvaltning-"))


def test_each_email_is_delivered_once_while_both_workers_run(cluster, api, danish, inbox):
    slug = open_collaboration(api, danish, "Invitationer til alle")
    api.call("POST", f"/api/v1/collaborations/{slug}/invitations", {"scope": "country", "country": "dk", "positions": ["administration"]})
    title = "Invitationer til alle"
    expected = invitations_per_sending(cluster)
    arrived = inbox.wait_for(expected, lambda m: title in str(email_subject(m)))
    time.sleep(2)  # a second delivery would come within the next outbox rounds
    arrived = [m for m in inbox.messages if title in str(email_subject(m))]
    recipients = administration(arrived)
    assert len(recipients) == 98 and len(set(recipients)) == 98, f"{len(recipients)} mails to {len(set(recipients))} addresses"
    assert len(arrived) == expected and len({m["Message-ID"] for m in arrived}) == expected
    assert cluster.sql("SELECT count(*) FROM outbox_messages WHERE status <> 'sent'") == [["0"]]


def email_subject(message):
    import email.header
    return email.header.make_header(email.header.decode_header(message.get("Subject", "")))


def test_an_instance_killed_in_a_registration_burst(cluster, api, danish):
    slug = open_collaboration(api, danish, "Kapløb med nedbrud", capacity=12)
    codes = sorted(danish["people"])
    answered = []
    lock = threading.Lock()

    def registering(code):
        answer = register(api, danish, slug, code, cluster.url)
        with lock:
            answered.append(time.time())
        return answer

    def kill_in_the_middle():
        while len(answered) < 20:
            time.sleep(0.001)
        before = len(answered)
        cluster.instance(1, "kill")
        return before

    with ThreadPoolExecutor(9) as pool:
        killer = pool.submit(kill_in_the_middle)
        answers = dict(zip(codes, pool.map(registering, codes)))
        answered_before_kill = killer.result()
    print(f"killed after {answered_before_kill} answers; {sum(1 for s, _ in answers.values() if s != 201)} requests failed")
    assert answered_before_kill < 90, "the kill came in the middle of the burst"
    rows = stored(cluster, slug)
    registered_in_db = {code: status for code, status in rows}
    # Every registration that got a success answer is stored, with the status it was told.
    for code, (status, registration) in answers.items():
        if status == 201:
            assert registered_in_db.get(code) == registration, (code, registration, registered_in_db.get(code))
    assert len(rows) == len(registered_in_db), "no municipality twice"
    assert sum(1 for s in registered_in_db.values() if s == "registered") <= 12
    # The surviving instance goes on serving: the ones that failed try again and get an answer
    # (409 when their first try had been stored after all).
    failed = [code for code, (status, _) in answers.items() if status != 201]
    for code in failed:
        status, _ = register(api, danish, slug, code, cluster.url)
        assert status in (201, 409), (code, status)
    rows = stored(cluster, slug)
    assert len(rows) == 98 and len({code for code, _ in rows}) == 98
    assert sum(1 for _, status in rows if status == "registered") == 12
    cluster.instance(1, "start")


def test_the_database_away_for_a_few_seconds(cluster, api):
    cluster.postgres("stop")
    try:
        started = time.time()
        for path in ("/api/v1/collaborations", "/municipalities/dk/101"):
            response = requests.get(cluster.url + path, headers={"Authorization": f"Bearer {api.token}"} if "api" in path else {}, timeout=30)
            assert response.status_code == 503, (path, response.status_code, response.text[:300])
            assert response.headers.get("Retry-After") == "5"
        problem = requests.get(cluster.url + "/api/v1/collaborations", headers={"Accept": "application/json"}, timeout=30)
        assert problem.headers["Content-Type"].startswith("application/problem+json")
        assert problem.json()["type"] == "urn:samrad:problem:unavailable"
        assert time.time() - started < 20, "answered, not hung"
        time.sleep(2)
    finally:
        cluster.postgres("start")
    # Both instances recover by themselves.
    deadline = time.time() + 30
    for base in cluster.instance_urls:
        while True:
            if requests.get(base + "/api/v1/collaborations", headers={"Authorization": f"Bearer {api.token}"}, timeout=30).status_code == 200:
                break
            assert time.time() < deadline, base
            time.sleep(0.5)


def test_the_mail_server_down_and_back(cluster, api, danish, inbox):
    inbox.stop()
    try:
        slug = open_collaboration(api, danish, "Mens posten var nede")
        api.call("POST", f"/api/v1/collaborations/{slug}/invitations", {"scope": "country", "country": "dk", "positions": ["administration"]})
        deadline = time.time() + 30
        while time.time() < deadline:
            tried = cluster.sql("SELECT count(*) FROM outbox_messages WHERE status = 'pending' AND attempts >= 1")[0][0]
            if int(tried) >= 10:
                break
            time.sleep(0.5)
        assert int(tried) >= 10, "the outbox tried and kept the messages"
    finally:
        inbox.start()
    expected = invitations_per_sending(cluster)
    arrived = inbox.wait_for(expected, lambda m: "Mens posten var nede" in str(email_subject(m)), timeout=120)
    time.sleep(2)
    arrived = [m for m in inbox.messages if "Mens posten var nede" in str(email_subject(m))]
    assert len(arrived) == expected and len(set(administration(arrived))) == 98


def test_a_scheduled_job_runs_on_one_instance(cluster, api, danish, inbox):
    """The registration reminders: due for all 98 invited municipalities at once, sent once each
    although both instances' workers look for them."""
    import datetime
    title = "Påmindelser én gang"
    deadline = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    slug = api.call("POST", "/api/v1/collaborations", {
        "title": title, "kind": "standing_network", "organiserID": danish["organisation"], "timeZone": "Europe/Copenhagen",
        "deadline": deadline, "seats": [{"position": "administration", "count": 1, "required": True}], "reminderDays": [3]})["slug"]
    api.call("POST", f"/api/v1/collaborations/{slug}/status", {"status": "open"})
    api.call("POST", f"/api/v1/collaborations/{slug}/invitations", {"scope": "country", "country": "dk", "positions": ["administration"]})
    expected = invitations_per_sending(cluster)
    inbox.wait_for(expected, lambda m: title in str(email_subject(m)))
    # The next run is due now rather than within the minute.
    cluster.sql("UPDATE job_leases SET next_run_at = now() - interval '1 second' WHERE name = 'reminders'")
    inbox.wait_for(2 * expected, lambda m: title in str(email_subject(m)), timeout=60)
    time.sleep(3)
    arrived = [m for m in inbox.messages if title in str(email_subject(m))]
    assert len(arrived) == 2 * expected, len(arrived)
    recipients = administration(arrived)
    assert sorted(set(recipients)) == recipients[::2] and len(recipients) == 196, "an invitation and one reminder each"
    [(holder, finished)] = cluster.sql("SELECT holder IS NULL, last_finished_at IS NOT NULL FROM job_leases WHERE name = 'reminders'")
    assert (holder, finished) == ("t", "t")


def table_digests(cluster, database):
    tables = [t for [t] in cluster.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", database)]
    digests = {}
    for table in tables:
        # job_leases changes by itself each minute (the next run); its rows are compared by name.
        rows = "SELECT name FROM job_leases x" if table == "job_leases" else f'SELECT * FROM "{table}" x'
        [[count, digest]] = cluster.sql(f"SELECT count(*), md5(coalesce(string_agg(x::text, chr(10) ORDER BY x::text), '')) FROM ({rows}) x", database)
        digests[table] = (int(count), digest)
    return digests


def test_backup_while_serving_and_restore_into_an_empty_database(cluster, api):
    import os
    import subprocess
    from conftest import BIN, WORK
    dump = os.path.join(WORK, "cluster.dump")
    if os.path.exists(dump):
        os.remove(dump)
    subprocess.run([BIN, "backup", "--db", cluster.database_url, dump], check=True, timeout=300)
    original = table_digests(cluster, "samrad")
    cluster.sql("CREATE DATABASE samrad_restored")
    restored_url = cluster.database_url.replace("/samrad?", "/samrad_restored?")
    subprocess.run([BIN, "restore", "--db", restored_url, dump], check=True, timeout=300)
    restored = table_digests(cluster, "samrad_restored")
    assert original["registrations"][0] >= 98 and original["municipalities"][0] == 1054
    assert restored == original
    # Over a database that holds data only when asked to.
    refused = subprocess.run([BIN, "restore", "--db", restored_url, dump], capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0 and "--replace" in refused.stderr + refused.stdout
    subprocess.run([BIN, "restore", "--replace", "--db", restored_url, dump], check=True, timeout=300)
    assert table_digests(cluster, "samrad_restored") == original


def test_export_of_one_municipality(cluster, api):
    """samrad export on the PostgreSQL the instances share: Copenhagen's registrations from the
    races and its answers given through the other instance."""
    import csv
    import io
    import json
    import os
    import subprocess
    import zipfile
    from conftest import BIN, WORK
    target = os.path.join(WORK, "export-dk-101.zip")
    if os.path.exists(target):
        os.remove(target)
    subprocess.run([BIN, "export", "--db", cluster.database_url, "--municipality", "dk/101", "--out", target], check=True, timeout=300)
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["municipality"] == "dk/101" and manifest["name"] == "København"
        registrations = list(csv.DictReader(io.StringIO(archive.read("registrations.csv").decode("utf-8"))))
        titles = {r["collaboration_title"] for r in registrations}
        assert {"Kapløbet om 12 pladser", "Statusmåling på tværs"} <= titles, titles
        answers = list(csv.DictReader(io.StringIO(archive.read("questionnaire_answers.csv").decode("utf-8"))))
        assert {(a["questionnaire"], a["question"], a["response_status"]) for a in answers} >= {("Status 2026", "trivsel", "submitted"), ("Status 2026", "plan", "submitted")}
        people = archive.read("people.csv").decode("utf-8")
        assert "Forvaltning 101" in people and "Forvaltning 147" not in people
        counts = {f["file"]: f["rows"] for f in manifest["files"]}
        assert counts["registrations.csv"] == len(registrations)
    refused = subprocess.run([BIN, "export", "--db", cluster.database_url, "--municipality", "dk/999"], capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "dk/999" in refused.stderr + refused.stdout


def test_migrations_apply_and_revert_on_postgresql(cluster):
    """Every numbered migration applies to an empty database and reverts again, leaving nothing."""
    import subprocess
    from conftest import BIN
    cluster.sql("CREATE DATABASE samrad_migrations")
    url = cluster.database_url.replace("/samrad?", "/samrad_migrations?")
    subprocess.run([BIN, "migrate", "--db", url], check=True, capture_output=True, timeout=300)
    tables = {t for [t] in cluster.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", "samrad_migrations")}
    assert {"registrations", "job_leases", "public_form_posts", "knowledge_materials"} <= tables
    subprocess.run([BIN, "migrate", "--revert", "--db", url], check=True, capture_output=True, timeout=300)
    left = {t for [t] in cluster.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", "samrad_migrations")}
    assert left == {"_fluent_migrations"}, left
