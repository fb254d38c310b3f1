"""Prepare the test provider's database: ``python -m tests.oidc_provider.setup '<json>'``.

The JSON names the users (user name, password, e-mail, names, groups) and the client
(id, secret, redirect and post-logout addresses).
"""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402


def main(spec):
    call_command("migrate", verbosity=0)
    for entry in spec["users"]:
        user = User.objects.create_user(
            entry["username"],
            email=entry["email"],
            password=entry["password"],
            first_name=entry.get("first_name", ""),
            last_name=entry.get("last_name", ""),
        )
        for name in entry.get("groups", ()):
            user.groups.add(Group.objects.get_or_create(name=name)[0])
    client = spec["client"]
    Application.objects.create(
        name="execcoord",
        client_id=client["id"],
        client_secret=client["secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=client["redirect_uri"],
        post_logout_redirect_uris=client["post_logout_redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
