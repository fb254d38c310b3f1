"""Shared fixtures: a small agency and one user per role (healthchecks' alice/bob/charlie).

The unit tree::

    AGENCY (root)
    ├── BUR-A  (bob manages it)
    │   └── OFF-A1  (alice works here)
    └── BUR-B
        └── OFF-B1  (charlie works here)

and, for the tests that ask for it, the executive secretariat ES under AGENCY (sec works
there).

Fixtures pass explicit values for everything tests assert; factories are reseeded before each
test so free text does not depend on the order tests run in.
"""

import datetime
import importlib

import factory.random
import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actions.demo.actions import ExecutiveActionFactory, ExecutiveActionTypeFactory
from actions.demo.partners import (
    DEFAULT_PASSWORD,
    OrganizationUnitFactory,
    PersonFactory,
    UserFactory,
)
from partners.access import ROLE_ADMIN, ROLE_MANAGER, ROLE_STAFF, ROLE_VIEWER
from tests.servers import moto_endpoint, s3_storage  # noqa: F401 (fixtures)
from tests.sso_support import oidc_provider, sso_settings  # noqa: F401 (fixtures)

DUE = datetime.date(2026, 9, 30)  # the shared tasker's due date, and the import tests'


@pytest.fixture(autouse=True)
def _reseed_factories():
    factory.random.reseed_random(20261125)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 costs ~0.5 s a user; tests do not measure password strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _check_shaped_queries():
    """Every query a page reuses compiled (``execcoord.db.union.Shaped``) is also built and
    compiled as usual, and the test fails unless both are the same SQL with the same values:
    every page the tests open checks the shapes' contract."""
    from django.conf import settings as django_settings

    django_settings.EXECCOORD_CHECK_SHAPES = True
    yield
    del django_settings.EXECCOORD_CHECK_SHAPES


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


def make_units():
    """The unit tree above, as a dict by code (for tests that build it outside a fixture)."""
    root = OrganizationUnitFactory(code="AGENCY", name="Department of Coordination", parent=None)
    bur_a = OrganizationUnitFactory(code="BUR-A", name="Bureau A", parent=root)
    off_a1 = OrganizationUnitFactory(code="OFF-A1", name="Office A1", parent=bur_a)
    bur_b = OrganizationUnitFactory(code="BUR-B", name="Bureau B", parent=root)
    off_b1 = OrganizationUnitFactory(code="OFF-B1", name="Office B1", parent=bur_b)
    return {u.code: u for u in (root, bur_a, off_a1, bur_b, off_b1)}


@pytest.fixture
def units(db):
    """The unit tree above, as a dict by code."""
    return make_units()


@pytest.fixture
def secretariat(units):
    """The executive secretariat (ES), a unit under the agency."""
    return OrganizationUnitFactory(
        code="ES", name="Executive Secretariat", parent=units["AGENCY"], is_secretariat=True
    )


@pytest.fixture
def action_type(db):
    """The tasker type the import tests name in their files: "Tasker", numbered EA-."""
    return ExecutiveActionTypeFactory(name="Tasker", number_prefix="EA")


def in_progress_tasker(title, unit, person, **fields):
    """An in-progress tasker of ``unit`` with ``person`` accountable, due on DUE."""
    return ExecutiveActionFactory(
        title=title,
        lead_unit=unit,
        accountable_person=person,
        in_progress=True,
        due_date=DUE,
        **fields,
    )


@pytest.fixture
def tasker(units, alice, action_type):
    """An in-progress internal tasker of OFF-A1 due on DUE: alice works on it, bob manages
    its unit."""
    return in_progress_tasker(
        "Budget response", units["OFF-A1"], alice.person, action_type=action_type
    )


def ensure_roles():
    """The role groups with their permissions, as the data migration makes them.

    Transactional tests (``live_server``, two-thread PostgreSQL tests) flush every table
    afterwards, data-migration rows included; later tests of the same run get them back here.
    """
    if Group.objects.filter(name=ROLE_STAFF, permissions__isnull=False).exists():
        return
    from django.apps import apps

    roles = importlib.import_module("actions.migrations.0002_roles")
    roles.assign_roles(apps)  # flush keeps permissions: post_migrate recreates them
    importlib.import_module("actions.migrations.0011_route_roles").assign_route_roles(apps)


def make_user(
    username=None, role=None, unit=None, *, clearance="public_trust", person=None, **person_fields
):
    """The one user builder of the tests: a user in group(s) ``role`` (a name, a list of names
    or None) with a Person in ``unit``.

    The Person is made when ``unit`` or ``person_fields`` is given, or ``person=True`` (a
    Person with no unit); ``person=False`` never makes one. Returns a fresh copy of the user,
    so no scope or relation is cached on it. ``username`` defaults to the factory's sequence.
    """
    ensure_roles()
    roles = [role] if isinstance(role, str) else list(role or ())
    user_fields = {"username": username} if username else {}
    user = UserFactory(is_staff=ROLE_ADMIN in roles, **user_fields)
    for name in roles:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    if person is None:
        person = unit is not None or bool(person_fields)
    if person:
        PersonFactory(
            user=user,
            organization_unit=unit,
            email=f"{user.username}@agency.example.gov",
            clearance_level=clearance,
            **person_fields,
        )
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def alice(units):
    """Staff in OFF-A1."""
    return make_user("alice", ROLE_STAFF, units["OFF-A1"])


@pytest.fixture
def bob(units):
    """Manager of BUR-A (and so of OFF-A1)."""
    user = make_user("bob", ROLE_MANAGER, units["BUR-A"])
    units["BUR-A"].manager = user.person
    units["BUR-A"].save()
    return user


@pytest.fixture
def charlie(units):
    """Staff in OFF-B1: an outsider to BUR-A's work."""
    return make_user("charlie", ROLE_STAFF, units["OFF-B1"])


@pytest.fixture
def sec(secretariat):
    """Staff of the executive secretariat."""
    return make_user("sec", ROLE_STAFF, secretariat)


@pytest.fixture
def viewer(units):
    """A read-only viewer (leadership, auditors) with no unit."""
    return make_user("victor", ROLE_VIEWER, None, first_name="Victor", last_name="Viewer")


@pytest.fixture
def administrator(units):
    """A member of the Administrator group (not a superuser)."""
    return make_user("ada", ROLE_ADMIN, units["AGENCY"])


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def clean_error(obj):
    """The ``ValidationError`` that ``obj.full_clean()`` raises; the test fails if it raises
    none."""
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    return error.value


def assert_database_refuses(obj):
    """Saving ``obj`` without validating it breaks a database constraint (and nothing is
    written)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()
