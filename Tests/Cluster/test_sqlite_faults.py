"""One instance on its SQLite file, killed with SIGKILL in the middle of a burst of questionnaire
answers: after the restart the file passes SQLite's integrity check and every answer that was
acknowledged is there (or the one written after it, which was in flight)."""
import email
import glob
import os
import re
import signal
import sqlite3
import subprocess
import threading
import time

import requests

from conftest import BIN, WORK, free_port, new_token


class SQLiteServer:
    def __init__(self, name):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db = os.path.join(WORK, f"{name}.sqlite")
        self.outbox = os.path.join(WORK, f"{name}-outbox")
        self.log_path = os.path.join(WORK, f"{name}.log")
        for path in glob.glob(self.db + "*") + glob.glob(os.path.join(self.outbox, "*")) + glob.glob(self.log_path):
            os.remove(path)
        self.process = None

    def start(self):
        environment = dict(os.environ, OUTBOX_DIR=self.outbox)
        environment.pop("DATABASE_URL", None)
        self.process = subprocess.Popen([BIN, "serve", "--db", self.db, "--port", str(self.port)],
                                        stdout=open(self.log_path, "a"), stderr=subprocess.STDOUT, env=environment)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if requests.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            assert self.process.poll() is None, open(self.log_path).read()[-3000:]
            time.sleep(0.2)
        raise AssertionError("samrad serve did not start")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def mail_to(self, address):
        deadline = time.time() + 30
        while time.time() < deadline:
            for path in glob.glob(os.path.join(self.outbox, "*.eml")):
                message = email.message_from_binary_file(open(path, "rb"))
                if message["To"] == address:
                    return next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode("utf-8")
            time.sleep(0.2)
        raise AssertionError(f"no e-mail to {address}")


def form(session, url, fields):
    response = session.post(url, data={"_csrf": session.cookies.get("samrad_csrf"), **fields}, allow_redirects=False)
    assert response.status_code in (200, 303), f"{url}: {response.status_code} {response.text[:300]}"
    return response


def test_sigkill_in_a_burst_of_answers_loses_nothing_acknowledged():
    server = SQLiteServer("sigkill")
    server.start()
    try:
        admin = requests.Session()
        admin.get(server.base + "/")
        setup = re.search(r"(http://\S+/setup/\S+)", open(server.log_path).read()).group(1)
        form(admin, setup, {"name": "Admin", "email": "admin@example.dk", "password": "a long admin password"})
        token = new_token(server.base, admin)
        # The set-up link's secret is printed once, for the administrator; the request log leaves it out.
        secret = setup.rsplit("/", 1)[1]
        assert open(server.log_path).read().count(secret) == 1
        assert "POST /setup/…" in open(server.log_path).read()

        def api(method, path, body=None, as_token=None):
            response = requests.request(method, server.base + path, json=body, timeout=60,
                                        headers={"Authorization": f"Bearer {as_token or token}", "Accept": "application/json"})
            assert response.status_code in (200, 201), f"{method} {path}: {response.status_code} {response.text[:300]}"
            return response.json() if response.content else None

        codes = [m["code"] for m in api("GET", "/api/v1/municipalities?country=dk&page=1")["items"]][:16]
        kl = api("POST", "/api/v1/organisations", {"name": "KL", "kind": "association", "country": "dk"})["id"]
        slug = api("POST", "/api/v1/collaborations", {
            "title": "Status på SQLite", "kind": "cluster_programme", "organiserID": kl, "timeZone": "Europe/Copenhagen",
            "periodStart": "2027-01-01", "periodEnd": "2028-12-31", "deadline": "2099-01-31T23:59", "seats": [], "priceKind": "free"})["slug"]
        api("POST", f"/api/v1/collaborations/{slug}/status", {"status": "open"})
        for code in codes:
            api("POST", f"/api/v1/collaborations/{slug}/registrations/dk/{code}", {"seats": []})
        questionnaire = api("POST", f"/api/v1/collaborations/{slug}/questionnaires", {
            "title": "Status", "audience": "registered", "closesAt": "2099-01-01T00:00", "threshold": 3,
            "form": {"sections": [{"key": "s1", "title": {"da": "Status"}, "questions": [
                {"key": "timer", "kind": "number", "text": {"da": "Timer"}, "number": {"min": 0, "max": 100000}}]}]}})["id"]
        api("POST", f"/api/v1/questionnaires/{questionnaire}/send", {})

        # A coordinator for the sixteen municipalities, invited by e-mail.
        form(admin, server.base + "/admin/invitations", {"email": "koordinator@example.dk", "kind": "coordinator", "municipality": f"dk/{codes[0]}", "language": "da"})
        link = re.search(r"(http://\S+/invitations/\S+)", server.mail_to("koordinator@example.dk")).group(1)
        person = requests.Session()
        person.get(link)
        form(person, link, {"name": "Koordinator", "password": "a long coordinator password"})
        user = person.get(server.base + "/api/v1/me", headers={"Accept": "application/json"}).json()["id"]
        for code in codes[1:]:
            form(admin, f"{server.base}/admin/accounts/{user}/roles", {"kind": "coordinator", "municipality": f"dk/{code}"})
        coordinator = new_token(server.base, person)

        # Eight writers, two municipalities each, counting up; each remembers what was acknowledged.
        acknowledged, in_flight = {}, {}
        stop = threading.Event()

        def writer(mine):
            n = 0
            while not stop.is_set():
                n += 1
                for code in mine:
                    in_flight[code] = n
                    try:
                        response = requests.put(f"{server.base}/api/v1/questionnaires/{questionnaire}/responses/dk/{code}", timeout=10,
                                                json={"answers": {"timer": n}}, headers={"Authorization": f"Bearer {coordinator}"})
                    except requests.RequestException:
                        return
                    if response.status_code != 200:
                        return
                    acknowledged[code] = n

        threads = [threading.Thread(target=writer, args=(codes[i::8],)) for i in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert sum(acknowledged.values()) > 50, acknowledged

        with sqlite3.connect(server.db) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        server.start()
        for code in codes:
            answer = api("GET", f"/api/v1/questionnaires/{questionnaire}/responses/dk/{code}", as_token=coordinator)["answers"].get("timer")
            assert answer in (acknowledged.get(code), in_flight.get(code)), (code, answer, acknowledged.get(code), in_flight.get(code))
    finally:
        server.stop()
