#!/usr/bin/env python3
"""Prepares a running Samrad for bench/collaborations, through HTTP as a user would (standard library
only): the administrator from the set-up link, an API token, an organisation, one administration
person for each of Sweden's 290 municipalities, N open collaborations with one required seat and 40
places for the registration burst, and one collaboration that invited all 290 municipalities with
half of them registered for the status board. Writes bench files into the work folder."""
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from samrad_http import api_client, set_up_administrator

base, log_path, work, collaborations = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
admin = set_up_administrator(base, log_path)
form = admin.form
token = admin.new_token()
api = api_client(base, token)


organisation = api("POST", "/api/v1/organisations", {"name": "SKR (bench)", "kind": "association", "country": "se"})["id"]
swedish = []
page_number = 1
while True:
    answer = api("GET", f"/api/v1/municipalities?country=se&page={page_number}")
    swedish += [m["code"] for m in answer["items"]]
    if page_number >= answer["pageCount"]:
        break
    page_number += 1
assert len(swedish) == 290, len(swedish)


def person(code):
    return code, api("POST", "/api/v1/people", {"name": f"Förvaltning {code}", "position": "administration", "municipality": f"se/{code}",
                                                 "email": f"forvaltning-{code}@example.se"})["id"]


with ThreadPoolExecutor(8) as pool:
    people = dict(pool.map(person, swedish))


def collaboration(title, capacity=None):
    body = {"title": title, "kind": "standing_network", "organiserID": organisation, "timeZone": "Europe/Stockholm",
            "deadline": "2099-01-31T23:59", "seats": [{"position": "administration", "count": 1, "required": True}], "reminderDays": [14, 3]}
    if capacity:
        body["capacity"] = capacity
    slug = api("POST", "/api/v1/collaborations", body)["slug"]
    api("POST", f"/api/v1/collaborations/{slug}/status", {"status": "open"})
    return slug


slugs = [collaboration(f"Burst {n:03d}", capacity=40) for n in range(collaborations)]
board = collaboration("Status board of 290")
api("POST", f"/api/v1/collaborations/{board}/invitations", {"scope": "country", "country": "se", "positions": ["administration"]})


def register(code):
    api("POST", f"/api/v1/collaborations/{board}/registrations/se/{code}",
        {"seats": [{"position": "administration", "personID": people[code]}]})


with ThreadPoolExecutor(8) as pool:
    list(pool.map(register, swedish[::2]))

# wrk's script: each request registers the next municipality; the two threads take turns.
with open(f"{work}/burst.lua", "w") as f:
    f.write("slugs = {" + ",".join(json.dumps(s) for s in slugs) + "}\n")
    f.write("codes = {" + ",".join(json.dumps(c) for c in swedish) + "}\n")
    f.write("people = {" + ",".join(json.dumps(people[c]) for c in swedish) + "}\n")
    f.write(f'token = "{token}"\n')
    f.write("""
local threads = 0
function setup(thread) thread:set("id", threads); threads = threads + 1 end
function init(args) n = id end
function request()
  local c = math.floor(n / #codes) % #slugs + 1
  local m = n % #codes + 1
  n = n + 2
  local body = '{"seats":[{"position":"administration","personID":"' .. people[m] .. '"}]}'
  return wrk.format("POST", "/api/v1/collaborations/" .. slugs[c] .. "/registrations/se/" .. codes[m],
                    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
""")
with open(f"{work}/bench.env", "w") as f:
    f.write(f"TOKEN={token}\nBOARD={board}\nFIRST={slugs[0]}\nCOLLABORATIONS={len(slugs)}\n")
print(f"prepared {len(slugs)} collaborations x 290 municipalities for the burst; board {board} with 290 invited, 145 registered")
