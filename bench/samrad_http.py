"""What every bench setup does over HTTP, with the standard library only: a browser session that
carries the CSRF cookie and posts forms as a person would, the administrator made from the set-up
link in the server's log, and the JSON API with a token."""
import http.cookiejar
import json
import re
import urllib.parse
import urllib.request

ADMIN_EMAIL = "bench@example.dk"
ADMIN_PASSWORD = "a long bench password"


class Browser:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(base + "/").read()

    def csrf(self):
        return next(c.value for c in self.jar if c.name == "samrad_csrf")

    def get(self, path):
        return self.opener.open(self.base + path).read().decode()

    def post(self, path, fields):
        """Posts a form (a path or a whole address) and returns the address it ended on and the page."""
        data = urllib.parse.urlencode({"_csrf": self.csrf(), **fields}).encode()
        url = path if path.startswith("http") else self.base + path
        with self.opener.open(urllib.request.Request(url, data=data)) as response:
            return response.geturl(), response.read().decode()

    def form(self, path, fields):
        return self.post(path, fields)[1]

    def new_token(self, name="bench"):
        page = self.form("/profile/tokens", {"name": name})
        return re.search(r'<code id="new-token">([^<]+)<', page).group(1)


def set_up_administrator(base, log_path):
    """The first administrator, from the set-up link that `samrad serve` writes to its log; signed in."""
    browser = Browser(base)
    setup = re.search(r"(http://\S+/setup/\S+)", open(log_path).read()).group(1)
    browser.form(urllib.parse.urlparse(setup).path,
                 {"name": "Bench Admin", "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    return browser


def api_client(base, token):
    """`api(method, path, body)` with the token's rights; `raw` sends bytes as they are, `as_token` another's."""
    def api(method, path, body=None, raw=None, content_type="application/json", as_token=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(base + path, method=method, data=data,
                                         headers={"Authorization": f"Bearer {as_token or token}",
                                                  "Content-Type": content_type})
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read() or b"null")
    return api


def swedish_cluster_programme(api, root, title):
    """An SKR programme with all 290 Swedish municipalities registered and formed into 41 clusters
    of 7-8 neighbours in code order (county by county). Returns the directory rows by code, the
    programme's slug and each municipality's cluster name."""
    import csv
    import os
    path = os.path.join(root, "Sources/SamradServer/Resources/Directory/se_municipalities.csv")
    with open(path, encoding="utf-8") as f:
        municipalities = {row["kommunkod"]: row for row in csv.DictReader(f)}
    codes = sorted(municipalities)
    skr = api("POST", "/api/v1/organisations", {"name": "SKR (bench)", "kind": "association", "country": "se"})["id"]
    slug = api("POST", "/api/v1/collaborations", {
        "title": title, "kind": "cluster_programme", "organiserID": skr, "timeZone": "Europe/Stockholm",
        "periodStart": "2027-01-01", "periodEnd": "2031-12-31", "deadline": "2099-01-31T23:59", "seats": [],
        "priceKind": "free"})["slug"]
    api("POST", f"/api/v1/collaborations/{slug}/status", {"status": "open"})
    for code in codes:
        api("POST", f"/api/v1/collaborations/{slug}/registrations/se/{code}", {"seats": []})
    sizes = [8] * (290 - 41 * 7) + [7] * (41 - (290 - 41 * 7))
    clusters, start = [], 0
    for i, size in enumerate(sizes):
        clusters.append({"name": f"Kluster {i + 1}", "wave": 1,
                         "members": [f"se/{c}" for c in codes[start:start + size]]})
        start += size
    api("PUT", f"/api/v1/collaborations/{slug}/clusters", {"minSize": 6, "maxSize": 8, "clusters": clusters})
    return municipalities, slug, {m[3:]: c["name"] for c in clusters for m in c["members"]}


def timed(run, times=5):
    """Runs `run` `times` times; returns its last result and each run's seconds (for a median)."""
    import time
    seconds, result = [], None
    for _ in range(times):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    return result, seconds
