#!/usr/bin/env python3
"""Prepares bench/cluster on a running cluster (scripts/cluster-up), through HTTP as people would
(standard library only): the administrator from the set-up link and an API token, KL, one
administration person for each of Denmark's 98 municipalities, a collaboration where municipalities
register and withdraw, a status questionnaire sent to all 98 (registered), a coordinator for the
98 invited by e-mail (read from the outbox folder), and wrk scripts for the four kinds of traffic."""
import email
import glob
import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request
from samrad_http import Browser, api_client, set_up_administrator

base, folder, work = sys.argv[1], sys.argv[2], sys.argv[3]


def browser():
    person = Browser(base)
    return person.opener, person.form


administrator = set_up_administrator(base, os.path.join(folder, "samrad-1.log"))
admin = administrator.form
token = administrator.new_token()
api = api_client(base, token)

codes, page = [], 1
while True:
    answer = api("GET", f"/api/v1/municipalities?country=dk&page={page}")
    codes += [m["code"] for m in answer["items"]]
    if page >= answer["pageCount"]:
        break
    page += 1
kl = api("POST", "/api/v1/organisations", {"name": "KL (bench)", "kind": "association", "country": "dk"})["id"]
for code in codes:
    api("POST", "/api/v1/people", {"name": f"Forvaltning {code}", "position": "administration", "municipality": f"dk/{code}",
                                   "email": f"forvaltning-{code}@example.dk"})


def collaboration(title):
    slug = api("POST", "/api/v1/collaborations", {
        "title": title, "kind": "cluster_programme", "organiserID": kl, "timeZone": "Europe/Copenhagen", "periodStart": "2027-01-01",
        "periodEnd": "2028-12-31", "deadline": "2099-01-31T23:59", "seats": [], "priceKind": "free"})["slug"]
    api("POST", f"/api/v1/collaborations/{slug}/status", {"status": "open"})
    return slug


# One for the first run and one for the soak: each starts with no municipality registered.
registering = collaboration("Tilmelding og afmelding (bench)")
registering_soak = collaboration("Tilmelding og afmelding, udholdenhed (bench)")
status = collaboration("Statusmåling (bench)")
for code in codes:
    api("POST", f"/api/v1/collaborations/{status}/registrations/dk/{code}", {"seats": []})
questionnaire = api("POST", f"/api/v1/collaborations/{status}/questionnaires", {
    "title": "Status 2027 (bench)", "audience": "registered", "closesAt": "2099-01-01T00:00", "threshold": 5,
    "form": {"sections": [{"key": "s1", "title": {"da": "Status"}, "questions": [
        {"key": "trivsel", "kind": "likert", "text": {"da": "Eleverne trives"}, "scale": {"min": 1, "max": 5}},
        {"key": "plan", "kind": "yes_no", "text": {"da": "Har I en plan?"}},
        {"key": "timer", "kind": "number", "text": {"da": "Timer om ugen"}, "number": {"min": 0, "max": 40}}]}]}})["id"]
api("POST", f"/api/v1/questionnaires/{questionnaire}/send", {})

# A coordinator for all 98, invited by e-mail: the instances write mail to the outbox folder.
admin("/admin/invitations", {"email": "koordinator@example.dk", "kind": "coordinator", "municipality": f"dk/{codes[0]}", "language": "da"})
link = None
for _ in range(300):
    for path in glob.glob(os.path.join(folder, "outbox", "*.eml")):
        message = email.message_from_binary_file(open(path, "rb"))
        if message["To"] == "koordinator@example.dk":
            body = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode("utf-8")
            link = re.search(r"(http://\S+/invitations/\S+)", body).group(1)
    if link:
        break
    time.sleep(0.2)
coordinator_browser, coordinator = browser()
coordinator_browser.open(link).read()
coordinator(link, {"name": "Koordinator", "password": "a long coordinator password"})
me = json.loads(coordinator_browser.open(urllib.request.Request(base + "/api/v1/me", headers={"Accept": "application/json"})).read())
for code in codes[1:]:
    admin(f"/admin/accounts/{me['id']}/roles", {"kind": "coordinator", "municipality": f"dk/{code}"})
coordinator_token = re.search(r'<code id="new-token">([^<]+)<', coordinator("/profile/tokens", {"name": "bench"})).group(1)

lua_codes = "codes = {" + ",".join(json.dumps(c) for c in codes) + "}\n"
# One connection per wrk thread, so each works on its own municipalities, one request at a time.
threads = """
local threads = 0
function setup(thread) thread:set("id", threads); threads = threads + 1 end
"""
with open(os.path.join(work, "browse.lua"), "w") as f:
    f.write(lua_codes + f'slug = "{status}"\n' + """
local paths = {"/municipalities", "/collaborations/" .. slug, "/knowledge", "/api/v1/municipalities?country=dk", "/collaborations"}
local n = 0
function request()
  n = n + 1
  if n % 6 == 0 then return wrk.format("GET", "/municipalities/dk/" .. codes[(n / 6) % #codes + 1]) end
  return wrk.format("GET", paths[n % #paths + 1])
end
""")
with open(os.path.join(work, "register.lua"), "w") as f:
    f.write(lua_codes + f'token = "{token}"\n' + threads + """
function init(args) n = 0; threads_total = tonumber(args[1]); slug = args[2] end
function request()
  -- Registers the thread's next municipality, then withdraws it; the next round registers it again.
  -- The step moves on when the answer comes (wrk may ask for a request it does not send).
  local m = codes[(math.floor(n / 2) * threads_total + id) % #codes + 1]
  local path = "/api/v1/collaborations/" .. slug .. "/registrations/dk/" .. m
  if n % 2 == 1 then path = path .. "/withdraw" end
  return wrk.format("POST", path, {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, '{"seats":[]}')
end
function response(status, headers, body) n = n + 1 end
""")
with open(os.path.join(work, "answer.lua"), "w") as f:
    f.write(lua_codes + f'questionnaire = "{questionnaire}"\ntoken = "{coordinator_token}"\n' + """
local n = 0
function request()
  n = n + 1
  local body = '{"answers":{"trivsel":' .. (n % 5 + 1) .. ',"plan":"' .. (n % 2 == 0 and "yes" or "no") .. '","timer":' .. (n % 40) .. '}}'
  return wrk.format("PUT", "/api/v1/questionnaires/" .. questionnaire .. "/responses/dk/" .. codes[n % #codes + 1],
                    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
""")
with open(os.path.join(work, "results.lua"), "w") as f:
    f.write(f'questionnaire = "{questionnaire}"\nslug = "{status}"\ntoken = "{token}"\n' + """
local n = 0
function request()
  n = n + 1
  local path = n % 2 == 0 and "/api/v1/questionnaires/" .. questionnaire .. "/results" or "/api/v1/collaborations/" .. slug .. "/board"
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end
""")
with open(os.path.join(work, "bench.env"), "w") as f:
    f.write(f"REGISTERING={registering}\nREGISTERING_SOAK={registering_soak}\n")
print(f"prepared: {len(codes)} municipalities, collaborations {registering}, {registering_soak} and {status}, questionnaire {questionnaire}")
