"""The API against a running server: schemathesis over the OpenAPI document, e-mail delivery over
SMTP with a retry after the server was down, and a backup taken while the server runs."""
import email
import os
import sqlite3
import subprocess
import sys
import time

import requests
from aiosmtpd.controller import Controller

from conftest import BIN, WORK, create_admin, make_token


def test_api_matches_its_openapi_document(api_server):
    session = create_admin(api_server, email="schema@example.dk")
    token = make_token(api_server, session)
    assert requests.get(api_server.base + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["email"] == "schema@example.dk"
    for auth in ([], ["-H", f"Authorization: Bearer {token}"]):
        result = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "schemathesis"), "run",
             api_server.base + "/api/openapi.json", "--url", api_server.base,
             "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance",
             "--max-examples", "40", "--no-color"] + auth,
            capture_output=True, text=True, timeout=900, cwd=WORK)
        print(result.stdout[-4000:])
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def outbox_rows(server):
    with sqlite3.connect(server.db, timeout=5) as db:
        return db.execute("SELECT recipient, status, attempts, last_error FROM outbox_messages").fetchall()


def test_email_is_retried_until_the_smtp_server_answers(api_server, smtp_port):
    create_admin_session = requests.Session()
    create_admin_session.get(api_server.base + "/")
    token = create_admin_session.cookies.get("samrad_csrf")
    # The SMTP server is down: the outbox keeps the message and counts the failed attempts.
    response = create_admin_session.post(api_server.base + "/password/forgot", data={"_csrf": token, "email": "schema@example.dk"}, allow_redirects=False)
    assert response.status_code == 303
    deadline = time.time() + 30
    while time.time() < deadline:
        rows = [r for r in outbox_rows(api_server) if r[0] == "schema@example.dk"]
        if rows and rows[0][2] >= 1:
            break
        time.sleep(0.2)
    assert rows and rows[0][1] == "pending" and rows[0][2] >= 1 and rows[0][3], rows

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not inbox.messages:
            time.sleep(0.2)
        assert len(inbox.messages) == 1
        envelope = inbox.messages[0]
        assert envelope.rcpt_tos == ["schema@example.dk"]
        message = email.message_from_bytes(envelope.content)
        assert message["To"] == "schema@example.dk"
        body = message.get_payload(decode=True).decode("utf-8")
        assert "/password/reset/" in body
        time.sleep(1)
        assert len(inbox.messages) == 1, "delivered exactly once"
        assert [r[1] for r in outbox_rows(api_server) if r[0] == "schema@example.dk"] == ["sent"]
    finally:
        controller.stop()


def test_backup_while_serving(api_server):
    target = os.path.join(WORK, "backup.sqlite")
    if os.path.exists(target):
        os.remove(target)
    subprocess.run([BIN, "backup", "--db", api_server.db, target], check=True, timeout=120)
    with sqlite3.connect(target) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM municipalities").fetchone()[0] == 1054
    # Running the import again changes nothing.
    output = subprocess.run([BIN, "import-directory", "--db", target], check=True, capture_output=True, text=True, timeout=120).stdout
    assert "nothing changed" in output

    # Restored into an empty place, the copy holds what the server's file holds, table by table.
    restored = os.path.join(WORK, "restored.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(restored + suffix):
            os.remove(restored + suffix)
    subprocess.run([BIN, "restore", "--db", restored, target], check=True, timeout=120)
    assert sqlite_tables(restored) == sqlite_tables(target)
    refused = subprocess.run([BIN, "restore", "--db", restored, target], capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "--replace" in refused.stderr + refused.stdout
    # A file that is not a Samrad database is refused before anything is replaced.
    stranger = os.path.join(WORK, "stranger.sqlite")
    with sqlite3.connect(stranger) as db:
        db.execute("CREATE TABLE IF NOT EXISTS notes (text)")
    refused = subprocess.run([BIN, "restore", "--replace", "--db", restored, stranger], capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "not a Samrad database" in refused.stderr + refused.stdout
    assert sqlite_tables(restored) == sqlite_tables(target)


def sqlite_tables(path):
    with sqlite3.connect(path) as db:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: sorted(map(repr, db.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


def test_email_over_starttls_with_login(tls_server, tls_smtp):
    import ssl
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"mailer" and auth_data.password == "sæcret".encode()
        logins.append((mechanism, ok))
        return AuthResult(success=ok)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls_smtp["cert"], tls_smtp["key"])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=tls_smtp["port"], tls_context=context, require_starttls=True,
                            authenticator=authenticator, auth_required=True, auth_require_tls=True)
    controller.start()
    try:
        create_admin(tls_server, email="tls@example.dk")
        session = requests.Session()
        session.get(tls_server.base + "/")
        session.post(tls_server.base + "/password/forgot", data={"_csrf": session.cookies.get("samrad_csrf"), "email": "tls@example.dk"})
        deadline = time.time() + 60
        while time.time() < deadline and not inbox.messages:
            time.sleep(0.2)
        assert logins == [("PLAIN", True)]
        assert [m.rcpt_tos for m in inbox.messages] == [["tls@example.dk"]]
    finally:
        controller.stop()
