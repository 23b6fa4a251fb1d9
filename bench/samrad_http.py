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
