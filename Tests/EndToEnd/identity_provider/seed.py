"""Makes the provider's people and its two clients: Samrad, and another application."""
import os
import sys

import django

django.setup()
from django.contrib.auth.models import User  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

redirect = sys.argv[1]
for username, email, first, last in [("lone", "lone@skole.aarhus.dk", "Lone", "Lærer"),
                                     ("kim", "kim@skole.aarhus.dk", "Kim", "Kvist")]:
    User.objects.create_user(username, email, "provider password", first_name=first, last_name=last)
for client_id, secret in [("samrad", os.environ["SAMRAD_CLIENT_SECRET"]), ("other-app", "other secret")]:
    Application.objects.create(
        client_id=client_id, client_secret=secret, hash_client_secret=True, name=client_id,
        client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect, algorithm=Application.RS256_ALGORITHM, skip_authorization=True)
