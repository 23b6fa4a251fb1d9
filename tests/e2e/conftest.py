"""Starts `samrad serve` on 127.0.0.1 for the end-to-end tests, each server with its own SQLite file."""
import os
import re
import socket
import subprocess
import time

import pytest
import requests

BIN = os.environ.get("SAMRAD_BIN", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug", "samrad"))
WORK = os.environ.get("SAMRAD_WORK") or "/tmp"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name, env=None, demo=False):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db = os.path.join(WORK, f"{name}.sqlite")
        self.log_path = os.path.join(WORK, f"{name}.log")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.db + suffix):
                os.remove(self.db + suffix)
        environment = dict(os.environ, OUTBOX_DIR=os.path.join(WORK, f"{name}-outbox"), **(env or {}))
        environment.pop("DATABASE_URL", None)
        args = [BIN, "serve", "--db", self.db, "--port", str(self.port)] + (["--demo"] if demo else [])
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=environment)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if requests.get(self.base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(open(self.log_path).read())
            time.sleep(0.2)
        else:
            raise RuntimeError("samrad serve did not start: " + open(self.log_path).read())

    def setup_link(self):
        match = re.search(r"(http://\S+/setup/\S+)", open(self.log_path).read())
        assert match, "the server printed no set-up link"
        return match.group(1)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def csrf_session(base):
    session = requests.Session()
    session.get(base + "/")
    return session, session.cookies.get("samrad_csrf")


def create_admin(server, email="admin@example.dk", password="a long admin password"):
    session, token = csrf_session(server.base)
    response = session.post(server.setup_link(), data={"_csrf": token, "name": "Admin", "email": email, "password": password}, allow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    return session


@pytest.fixture(scope="module")
def browser_server():
    server = Server("browser", demo=True)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def smtp_port():
    return free_port()


@pytest.fixture(scope="module")
def api_server(smtp_port):
    server = Server("api", env={"SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "OUTBOX_INTERVAL": "0.3", "OUTBOX_RETRY_BASE": "1"})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tls_smtp():
    """A certificate for localhost made for this run, and a port for an SMTP server that requires
    STARTTLS and a login."""
    folder = os.path.join(WORK, "smtp-tls")
    os.makedirs(folder, exist_ok=True)
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", cert], check=True, capture_output=True)
    return {"port": free_port(), "cert": cert, "key": key}


@pytest.fixture(scope="module")
def tls_server(tls_smtp):
    url = f"smtp://mailer:s%C3%A6cret@localhost:{tls_smtp['port']}?starttls=true&ca={tls_smtp['cert']}"
    server = Server("tls", env={"SMTP_URL": url, "OUTBOX_INTERVAL": "0.3", "OUTBOX_RETRY_BASE": "1"})
    yield server
    server.stop()
