#!/usr/bin/env python3
"""Prepares a running Samrad for bench/meetings through HTTP (standard library only): the
administrator, an API token, the Swedish network of 14 municipalities with a school chief in each
seat, a series of 24 monthly meetings (hosts in rotation, every other one at SKR), all published;
the first with 8 agenda items, two materials, the 14 chiefs registered, minutes and three
commitments. The administrator is also Stockholm's school chief, signs in again (which links the
account to that person) and makes a calendar feed. Writes bench.env into the work folder."""
import re
import sys
import uuid
from samrad_http import Browser, api_client, set_up_administrator

base, log_path, work = sys.argv[1], sys.argv[2], sys.argv[3]


admin = set_up_administrator(base, log_path)
form = admin.form
token = admin.new_token()
api = api_client(base, token)


skr = api("POST", "/api/v1/organisations", {"name": "SKR (bench)", "kind": "association", "country": "se"})["id"]
slug = api("POST", "/api/v1/collaborations", {
    "title": "Nätverk för skolutveckling (bench)", "kind": "standing_network", "organiserID": skr, "timeZone": "Europe/Stockholm",
    "periodStart": "2027-01-01", "periodEnd": "2031-12-31", "deadline": "2099-01-31T23:59",
    "seats": [{"position": "school_chief", "count": 1, "required": True}]})["slug"]
api("POST", f"/api/v1/collaborations/{slug}/status", {"status": "open"})
codes = ["0180", "1480", "1280", "0580", "0380", "0780", "0581", "0680", "1980", "2180", "1080", "1880", "1380", "1283"]
chiefs = {}
for code in codes:
    email = "bench@example.dk" if code == "0180" else f"skolchef-{code}@example.se"
    chiefs[code] = api("POST", "/api/v1/people", {"name": f"Skolchef {code}", "position": "school_chief", "municipality": f"se/{code}", "email": email})["id"]
    api("POST", f"/api/v1/collaborations/{slug}/registrations/se/{code}", {"seats": [{"position": "school_chief", "personID": chiefs[code]}]})
# Every Swedish municipality invited: the status board has 290 rows.
api("POST", f"/api/v1/collaborations/{slug}/invitations", {"scope": "country", "country": "se", "positions": ["school_chief"]})
meetings = api("POST", f"/api/v1/collaborations/{slug}/meeting-series", {
    "title": "Nätverksmöte", "firstStart": "2027-02-16T10:00", "durationMinutes": 360, "count": 24, "every": 1, "unit": "months",
    "pattern": "rotation_then_fixed", "venueName": "SKR", "venueAddress": "Hornsgatan 20, Stockholm"})["meetings"]
first = meetings[0]["id"]
api("PUT", f"/api/v1/meetings/{first}/agenda", {"items": [
    {"title": f"Punkt {n}", "durationMinutes": 30 + 5 * n, "description": "Underlag och **frågor** inför samtalet. " * 4,
     "speakerName": "Anna Lind" if n % 2 else None, "speakerAffiliation": "Malmö universitet" if n % 2 else None,
     "questions": ["Vad gör vi redan?", "Vad prövar vi nu?"]} for n in range(1, 9)]})
for name in ("bilder.pdf", "underlag.pdf"):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n{name}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
    body += b"%PDF-1.4\n" + b"0" * 200_000 + b"\n%%EOF\n" + f"\r\n--{boundary}--\r\n".encode()
    api("POST", f"/api/v1/meetings/{first}/materials", raw=body, content_type=f"multipart/form-data; boundary={boundary}")
for meeting in meetings:
    api("POST", f"/api/v1/meetings/{meeting['id']}/status", {"status": "published"})
for code in codes:
    api("POST", f"/api/v1/meetings/{first}/attendees", {"personID": chiefs[code]})
api("PUT", f"/api/v1/meetings/{first}/minutes", {"minutes": "# Referat\n\n" + "Vi talade om återkoppling. " * 40, "decisions": ["Alla prövar exit tickets"]})
for code in codes[:3]:
    api("POST", f"/api/v1/meetings/{first}/commitments", {"municipality": f"se/{code}", "text": "Pröva exit tickets i två klasser", "owner": f"Skolchef {code}", "dueDate": "2027-03-10"})

# Signing in again links the account to Stockholm's school chief (same address); then the feed.
person = Browser(base)
opener, form = person.opener, person.form
form("/sign-in", {"email": "bench@example.dk", "password": "a long bench password"})
# The feed's address is shown once, on the page that made it.
feed = re.search(r'href="(/calendar/[A-Za-z0-9_-]+\.ics)"', form("/me/calendar-feed", {})).group(1)
events = opener.open(base + feed).read().decode().count("BEGIN:VEVENT")
with open(f"{work}/bench.env", "w") as f:
    f.write(f"TOKEN={token}\nMEETING={first}\nSECOND={meetings[1]['id']}\nFEED={feed}\nSLUG={slug}\n")
print(f"prepared 24 published meetings; the first with 8 agenda items, 2 materials, 14 registered, minutes and 3 commitments; the feed has {events} events")
