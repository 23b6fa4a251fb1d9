"""Django OAuth Toolkit with OpenID Connect turned on: the real identity provider of the sign-in tests.

Configured by the environment the test sets: PROVIDER_DB (SQLite file), PROVIDER_ISSUER (the
issuer, as Samrad reaches it), PROVIDER_KEY (the RSA key that signs ID tokens), PROVIDER_OLD_KEYS
(keys still published after a rotation), PROVIDER_ID_TOKEN_SECONDS (how long an ID token lasts)."""
import os
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
SECRET_KEY = "tests-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions", "django.contrib.messages",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware", "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [HERE / "templates"],
    "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["PROVIDER_DB"]}}
USE_TZ = True
LOGIN_URL = "/accounts/login/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"


def _read(path):
    return pathlib.Path(path).read_text()


OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": os.environ["PROVIDER_ISSUER"],
    "OIDC_RSA_PRIVATE_KEY": _read(os.environ["PROVIDER_KEY"]),
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [_read(p) for p in os.environ.get("PROVIDER_OLD_KEYS", "").split(",") if p],
    "ID_TOKEN_EXPIRE_SECONDS": int(os.environ.get("PROVIDER_ID_TOKEN_SECONDS", "300")),
    "PKCE_REQUIRED": True,
    "SCOPES": {"openid": "OpenID Connect", "email": "E-mail address", "profile": "Name"},
    "OAUTH2_VALIDATOR_CLASS": "validator.PersonValidator",
}
