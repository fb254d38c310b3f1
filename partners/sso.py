"""Who a single sign-on is (issue 19): the user of the Person the provider's claim names.

``execcoord.sso`` checks the provider's answer and knows no Person; this module, registered in
``PartnersConfig.ready``, finds the user for the configured claim and, when
``OIDC_CREATE_USERS`` allows it, makes the user of a first sign-in: linked to the Person who
already has that e-mail address, or with a new Person (no unit: an administrator places
them).
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from partners.models import Person


def find_users(field, value):
    """The users whose ``field`` equals ``value``: ``"email"`` is the e-mail of their Person
    (case-blind; a user without a Person by their own e-mail), ``"username"`` their user
    name."""
    users = get_user_model().objects.all()
    if field == "email":
        value = value.strip().lower()
        match = Q(person__email=value) | Q(person__isnull=True, email__iexact=value)
    elif field == "username":
        match = Q(username=value)
    else:
        raise ValueError(f"OIDC_MATCH_FIELD must be 'email' or 'username', not {field!r}")
    return users.filter(match).distinct()[:2]


def _free_username(wanted):
    User = get_user_model()
    wanted = (wanted or "user")[: User._meta.get_field("username").max_length - 4]
    name, n = wanted, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{wanted}-{n}"
    return name


def create_user(claims, field, value):
    """The user of a first sign-in (no password of their own), linked to the Person with the
    claim's e-mail when there is one without a user, else to a new Person."""
    User = get_user_model()
    email = (claims.get("email") or (value if field == "email" else "")).strip().lower()
    username = value if field == "username" else claims.get("preferred_username") or email
    user = User(
        username=_free_username(username),
        email=email,
        first_name=(claims.get("given_name") or "")[:150],
        last_name=(claims.get("family_name") or "")[:150],
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    if not email:
        return user
    person = Person.objects.filter(email=email).first()
    if person is not None:
        if person.user_id is not None:
            raise ValueError(f"The Person {email} already has another sign-in.")
        person.user = user
    else:
        person = Person(
            first_name=(claims.get("given_name") or email.split("@")[0])[:100],
            last_name=(claims.get("family_name") or "-")[:100],
            email=email,
            user=user,
        )
    person.full_clean()
    person.save()
    return user
