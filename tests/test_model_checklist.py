"""CONTRIBUTING's "Adding a model": each step is enforced, and each enforcement is shown to
fail when its step is left out (a step removed by a monkeypatch or a temporary registration).
Also the hooks through which the shared layer asks the domain apps what it does not know."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import checks as django_checks
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models import CharField, TextField

from execcoord import checks, policy, registry
from execcoord.models import SavedView, VisibleQuerySet
from execcoord.search_indexes import declared_columns, searched_columns
from partners.access import (
    PRIVILEGED_ROLES,
    ROLE_ADMIN,
    ROLE_MANAGER,
    ROLE_SECRETARIAT,
    ROLE_STAFF,
    ROLES,
    SECRETARIAT_ROLES,
)
from tests.conftest import make_user

# -- step: the roles get the permissions of every registered model


def replay_role_migrations():
    """The role groups exactly as the migrations make them, whatever earlier tests did to
    the rows: every ``*_roles*`` data migration, in migration order, run against the
    historical models of its own place in the graph (inside the test's transaction)."""
    Group.objects.filter(name__in=ROLES).delete()
    loader = MigrationLoader(connection)
    plan = []  # every migration, each after those it depends on
    for leaf in loader.graph.leaf_nodes():
        plan += [node for node in loader.graph.forwards_plan(leaf) if node not in plan]
    editor = SimpleNamespace(connection=connection)
    replayed = []
    for node in plan:
        if "_roles" not in node[1]:
            continue
        state = loader.project_state(node, at_end=False)
        for operation in loader.graph.nodes[node].operations:
            if hasattr(operation, "code"):
                operation.code(state.apps, editor)
        replayed.append(node)
    return replayed


def missing_permissions():
    return checks.missing_role_permissions(ROLES, full_roles=(ROLE_ADMIN,))


@pytest.mark.django_db
def test_every_role_sees_every_registered_model_as_the_migrations_make_the_roles():
    assert ("actions", "0002_roles") in replay_role_migrations()
    assert missing_permissions() == []


@pytest.mark.django_db
def test_a_registered_model_without_a_roles_migration_fails(monkeypatch):
    """A model registered without the data migration that gives the roles its permissions
    (here: content types, which no role migration names)."""
    replay_role_migrations()
    registry.all_registrations()  # loaded before adding the temporary one
    monkeypatch.setitem(
        registry._registry,
        "contenttypes.contenttype",
        registry.ObjectViews(model=ContentType, table=None, filterset=None, form=None),
    )
    missing = missing_permissions()
    assert ("Viewer", "contenttypes.view_contenttype") in missing
    assert (ROLE_ADMIN, "contenttypes.delete_contenttype") in missing
    assert {model for _, model in missing} <= {
        f"contenttypes.{verb}_contenttype" for verb in ("view", "add", "change", "delete")
    }


@pytest.mark.django_db
def test_a_role_left_without_a_permission_is_named():
    replay_role_migrations()
    Group.objects.get(name=ROLE_STAFF).permissions.remove(
        *Group.objects.get(name=ROLE_STAFF).permissions.filter(codename="view_tag")
    )
    assert missing_permissions() == [(ROLE_STAFF, "actions.view_tag")]


# -- step: satellites of a scoped model are scoped for reading


def test_the_registered_models_pass_the_checklist_checks():
    assert checks.satellites_are_scoped() == []
    assert checks.search_fields_are_indexed() == []
    ids = {e.id for e in django_checks.run_checks()}
    assert not {"execcoord.E001", "execcoord.E002", "actions.E001"} & ids


def test_a_satellite_without_a_scoping_queryset_fails_the_system_check(monkeypatch):
    """Taking the tasker scoping away from the satellites' queryset (as a new satellite
    would be written without ``objects = ActionPartQuerySet.as_manager()``)."""
    from actions.models.satellites import ActionPartQuerySet

    monkeypatch.setattr(ActionPartQuerySet, "visible_to", VisibleQuerySet.visible_to)
    errors = checks.satellites_are_scoped()
    assert errors and {e.id for e in errors} == {"execcoord.E001"}
    messages = " ".join(e.msg for e in errors)
    assert "actions.StatusUpdate.action links to actions.ExecutiveAction" in messages
    assert "execcoord.E001" in {e.id for e in django_checks.run_checks()}


def test_a_satellite_without_a_scoped_write_policy_fails_the_system_check(monkeypatch):
    from actions.models import StatusUpdate

    monkeypatch.delitem(policy._policies, StatusUpdate)
    assert "actions.E001" in {e.id for e in django_checks.run_checks()}


# -- step: every searched column has its trigram index


def an_unindexed_text_field():
    indexed = declared_columns()
    for views in registry.all_registrations():
        for field in views.model._meta.concrete_fields:
            if isinstance(field, (CharField, TextField)) and not field.choices:
                if (views.model._meta.db_table, field.column) not in indexed:
                    return views.model, field
    raise AssertionError("every text field is indexed")


def test_the_searched_columns_come_from_the_registrations():
    columns = {(table, column) for _, table, column in searched_columns()}
    assert ("actions_executiveaction", "title") in columns
    assert ("partners_person", "last_name") in columns
    assert columns == declared_columns()


def test_a_searched_field_without_its_index_fails_the_system_check(monkeypatch):
    model, field = an_unindexed_text_field()
    monkeypatch.setattr(model, "search_fields", (*model.search_fields, field.name))
    errors = checks.search_fields_are_indexed()
    assert [e.id for e in errors] == ["execcoord.E002"]
    assert errors[0].obj is model
    assert f"('{model._meta.db_table}', '{field.column}')" in errors[0].hint


@pytest.mark.django_db
def test_the_migrations_create_an_index_for_every_searched_column():
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes")
        names = {row[0] for row in cursor.fetchall()}
    missing = [
        (table, column)
        for _, table, column in searched_columns()
        if f"{table}_{column}_trgm"[:63] not in names
    ]
    assert missing == []


# -- the hooks: the shared layer asks the domain apps, it does not import them


def test_partners_grants_the_shared_layers_privileges_to_its_roles():
    assert PRIVILEGED_ROLES == (ROLE_ADMIN, ROLE_MANAGER)
    # the secretariat (a unit flag, not a group) imports and takes in e-mail too
    assert SECRETARIAT_ROLES == (ROLE_ADMIN, ROLE_MANAGER, ROLE_SECRETARIAT)
    assert policy.privilege_roles("import") == SECRETARIAT_ROLES
    assert policy.privilege_roles("intake") == SECRETARIAT_ROLES
    assert policy.privilege_roles("share_views") == PRIVILEGED_ROLES
    with pytest.raises(ValueError):
        policy.grant("launch", PRIVILEGED_ROLES)


@pytest.mark.django_db
def test_without_the_grant_only_a_superuser_imports_and_shares(monkeypatch, units, superuser):
    from actions.models import Tag

    manager = make_user("mona", ROLE_MANAGER, units["BUR-A"])
    shared = SavedView(owner=manager, sharing=SavedView.Sharing.EVERYONE)
    assert policy.may_import(manager, Tag)
    assert policy.may(manager, "add", SavedView, shared)
    monkeypatch.setattr(policy, "_privileges", {})
    verdict = policy.may_import(manager, Tag)
    assert not verdict and "superusers" in verdict.reason
    assert not policy.may(manager, "add", SavedView, shared)
    assert policy.may_import(superuser, Tag)


@pytest.mark.django_db
def test_the_users_unit_comes_from_the_registered_function(monkeypatch, alice, units):
    assert policy.user_unit_id(alice) == units["OFF-A1"].pk
    monkeypatch.setattr(policy, "_user_unit", None)
    assert policy.user_unit_id(alice) is None
    policy_unit = policy.register_user_unit(lambda user: 42)
    monkeypatch.setattr(policy, "_user_unit", policy_unit)
    assert policy.user_unit_id(alice) == 42


def test_the_saved_views_unit_is_the_configured_model(settings):
    from django.apps import apps

    field = SavedView._meta.get_field("unit")
    assert field.related_model is apps.get_model(settings.EXECCOORD_UNIT_MODEL)
    loader = MigrationLoader(None, ignore_no_migrations=True)
    first = loader.disk_migrations[("execcoord", "0001_initial")]
    assert all(app != "actions" and app != "analysis" for app, _ in first.dependencies)


@pytest.mark.django_db
def test_the_roles_come_with_the_scope_in_one_query(units, django_assert_num_queries):
    from partners.access import clear_user_scope, get_user_scope

    manager = make_user("mona", ROLE_MANAGER, units["BUR-A"])
    clear_user_scope(manager)
    with django_assert_num_queries(1):
        assert policy.has_privilege(manager, "import")
        assert get_user_scope(manager).is_manager
        assert policy.user_unit_id(manager) == units["BUR-A"].pk
