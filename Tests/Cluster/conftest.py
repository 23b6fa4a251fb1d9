"""The multi-instance deployment for the cluster tests: scripts/cluster-up starts PostgreSQL, two
Samrad instances and nginx on 127.0.0.1, with a local SMTP server that records what it receives."""
import email
import json
import os
import re
import socket
import subprocess
import threading
import time

import pytest
import requests
from aiosmtpd.controller import Controller

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("SAMRAD_BIN", os.path.join(ROOT, ".build", "debug", "samrad"))
WORK = os.environ.get("SAMRAD_WORK") or "/tmp"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An SMTP server that can be stopped and started again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.messages = []
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, count, matching, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                found = [m for m in self.messages if matching(m)]
            if len(found) >= count:
                return found
            time.sleep(0.2)
        raise AssertionError(f"{len(found)} of {count} e-mails arrived")


class Cluster:
    def __init__(self, folder, smtp_port):
        self.folder = folder
        env = dict(os.environ, SMTP_URL=f"smtp://127.0.0.1:{smtp_port}", OUTBOX_INTERVAL="0.3", OUTBOX_RETRY_BASE="1", JOB_LEASE="3")
        env.pop("DATABASE_URL", None)
        subprocess.run([os.path.join(ROOT, "scripts", "cluster-up"), "--dir", folder, "--bin", BIN, "--port", str(free_port())],
                       check=True, env=env, timeout=600)
        values = {}
        for line in open(os.path.join(folder, "cluster.env")):
            key, _, value = line.strip().partition("=")
            values[key] = value.strip('"')
        self.url = values["CLUSTER_URL"]
        self.instance_urls = [f"http://127.0.0.1:{p}" for p in values["INSTANCE_PORTS"].split()]
        self.database_url = values["DATABASE_URL"]
        self.psql_command = [os.path.join(values["PG_BIN"], "psql"), "-h", "127.0.0.1", "-p", values["PG_PORT"], "-U", "postgres",
                             "-At", "-F", "\t", "-c"]

    def instance(self, n, action):
        subprocess.run([os.path.join(self.folder, "instance"), str(n), action], check=True, timeout=180)

    def postgres(self, action):
        subprocess.run([os.path.join(self.folder, "postgres"), action], check=True, timeout=120)

    def sql(self, query, database="samrad"):
        out = subprocess.run(self.psql_command + [query, "-d", database], check=True, capture_output=True, text=True, timeout=60).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def upstreams(self, method, path_part):
        """How many requests of this kind nginx sent to each instance."""
        counts = {}
        for line in open(os.path.join(self.folder, "nginx-access.log")):
            match = re.match(r'\S+ "(\S+) (\S+) [^"]*" (\d+) (\S+)', line)
            if match and match.group(1) == method and path_part in match.group(2):
                for upstream in match.group(4).split(", "):
                    counts[upstream] = counts.get(upstream, 0) + 1
        return counts

    def down(self):
        subprocess.run([os.path.join(ROOT, "scripts", "cluster-down"), self.folder], timeout=120)


def new_token(base, session):
    page = session.post(base + "/profile/tokens", data={"_csrf": session.cookies.get("samrad_csrf"), "name": "cluster"}).text
    return re.search(r'<code id="new-token">([^<]+)<', page).group(1)


class API:
    """An administrator's API token on the cluster."""

    def __init__(self, cluster):
        self.cluster = cluster
        session = requests.Session()
        session.get(cluster.url + "/")
        log = open(os.path.join(cluster.folder, "samrad-1.log")).read()
        link = re.search(r"(http://\S+/setup/\S+)", log).group(1)
        response = session.post(link, data={"_csrf": session.cookies.get("samrad_csrf"), "name": "Admin", "email": "admin@example.dk",
                                            "password": "a long admin password"}, allow_redirects=False)
        assert response.status_code == 303, response.text[:500]
        self.session = session
        self.token = new_token(cluster.url, session)

    def form(self, path, fields):
        response = self.session.post(self.cluster.url + path, data={"_csrf": self.session.cookies.get("samrad_csrf"), **fields}, allow_redirects=False)
        assert response.status_code in (200, 303), f"POST {path}: {response.status_code} {response.text[:300]}"
        return response

    def coordinator(self, inbox, email_address, municipalities):
        """An account that speaks for these municipalities, invited by e-mail as a person would be:
        returns its API token."""
        self.form("/admin/invitations", {"email": email_address, "kind": "coordinator", "municipality": municipalities[0], "language": "da"})
        mail = inbox.wait_for(1, lambda m: m["To"] == email_address)[0]
        body = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode("utf-8")
        link = re.search(r"(http://\S+/invitations/\S+)", body).group(1)
        person = requests.Session()
        person.get(link)
        response = person.post(link, data={"_csrf": person.cookies.get("samrad_csrf"), "name": "Koordinator", "password": "a long coordinator password"},
                               allow_redirects=False)
        assert response.status_code == 303, response.text[:300]
        user = person.get(self.cluster.url + "/api/v1/me", headers={"Accept": "application/json"}).json()["id"]
        for municipality in municipalities[1:]:
            self.form(f"/admin/accounts/{user}/roles", {"kind": "coordinator", "municipality": municipality})
        return new_token(self.cluster.url, person)

    def call(self, method, path, body=None, base=None, expect=(200, 201), token=None):
        response = requests.request(method, (base or self.cluster.url) + path, json=body, timeout=60,
                                    headers={"Authorization": f"Bearer {token or self.token}", "Accept": "application/json"})
        assert response.status_code in expect, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response.json() if response.content else None


@pytest.fixture(scope="session")
def inbox():
    inbox = Inbox()
    inbox.start()
    yield inbox
    inbox.stop()


@pytest.fixture(scope="session")
def cluster(inbox):
    cluster = Cluster(os.path.join(WORK, "cluster"), inbox.port)
    yield cluster
    cluster.down()


@pytest.fixture(scope="session")
def api(cluster):
    return API(cluster)


@pytest.fixture(scope="session")
def danish(api):
    """Every Danish municipality with an administration contact: {code: person id}."""
    codes, page = [], 1
    while True:
        answer = api.call("GET", f"/api/v1/municipalities?country=dk&page={page}")
        codes += [m["code"] for m in answer["items"]]
        if page >= answer["pageCount"]:
            break
        page += 1
    assert len(codes) == 98
    organisation = api.call("POST", "/api/v1/organisations", {"name": "KL (cluster test)", "kind": "association", "country": "dk"})["id"]
    people = {}
    for code in codes:
        people[code] = api.call("POST", "/api/v1/people", {"name": f"Forvaltning {code}", "position": "administration",
                                                            "municipality": f"dk/{code}", "email": f"forvaltning-{code}@example.dk"})["id"]
    return {"organisation": organisation, "people": people}
