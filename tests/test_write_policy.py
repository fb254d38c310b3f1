"""The write-policy matrix: every registered model × every write path × every role.

For each cell the test checks two things:

1. the policy's answer (``execcoord.policy``) equals :data:`EXPECTED`, a table that mirrors
   the README's permission matrix, and
2. the path's outcome equals the policy's answer: an allowed write changes the database, a
   refused one leaves it exactly as it was (the record's ``version``, the row count).

The paths are generated from the registry: generic add, edit, bulk edit, delete, bulk delete,
link and unlink from both sides of every many-to-many relation, and Django admin add, change
and delete (every role is given admin access for those, so the admin's own checks are what
is tested). Import is covered per row in ``tests/test_import.py``.

Forms are filled the way a browser does: the page is fetched as the role and its ``<form>``
is parsed, so a field the role may not set is not posted at all.
"""

import html.parser
import itertools

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test import TestCase
from django.urls import reverse

from actions.choices import ActionStatus
from actions.demo import actions as fa
from actions.demo.partners import OrganizationUnitFactory
from execcoord import policy, registry
from execcoord.forms import bulk_edit_form_for
from execcoord.panels import discover_relations
from execcoord.utils import viewname
from partners.access import ROLE_ADMIN, ROLE_MANAGER, ROLE_STAFF, ROLE_VIEWER
from tests.conftest import make_units, make_user
from tests.generic.model_data import MODELS

# -- the README's matrix, as the test's table ----------------------------------------------

ROLES = (
    "viewer",
    "staff_unrelated",
    "staff_lead",
    "staff_support",
    "manager_other",
    "manager_subtree",
    "secretariat",
    "administrator",
)
NOBODY = frozenset()
ADMIN = frozenset({"administrator"})
WRITERS = frozenset(ROLES) - {"viewer"}  # every role with Staff rights or more
MANAGERS = frozenset({"manager_other", "manager_subtree", "administrator"})
# the people working on the tasker: its lead unit, its issuer (the secretariat), the manager
# of its subtree, administrators
EDITORS = frozenset({"staff_lead", "secretariat", "manager_subtree", "administrator"})
ASSIGNERS = frozenset({"secretariat", "manager_subtree", "administrator"})
SUPERVISORS = frozenset({"manager_subtree", "administrator"})


def _rights(add, change, delete):
    return {"add": add, "change": change, "delete": delete}


SATELLITE = _rights(EDITORS, EDITORS, SUPERVISORS)
EXPECTED = {
    "actions.executiveaction": _rights(WRITERS, EDITORS, ADMIN),
    "actions.assignment": _rights(ASSIGNERS, ASSIGNERS | {"staff_support"}, SUPERVISORS),
    "actions.statusupdate": SATELLITE,
    "actions.decisionlogentry": SATELLITE,
    "actions.attachment": SATELLITE,
    "actions.dependency": SATELLITE,
    # managers have no role permission to delete extension requests: they deny them
    "actions.extensionrequest": _rights(EDITORS, EDITORS, ADMIN),
    "actions.duedatechange": _rights(NOBODY, NOBODY, NOBODY),
    # the route changes through its own pages (tests/test_routing.py tries them)
    "actions.routestep": _rights(NOBODY, NOBODY, NOBODY),
    "actions.routestepevent": _rights(NOBODY, NOBODY, NOBODY),
    "actions.tag": _rights(WRITERS, WRITERS, ADMIN),
    "actions.executiveactiontype": _rights(ADMIN, ADMIN, ADMIN),
    "actions.processtemplate": _rights(ADMIN, ADMIN, ADMIN),
    "actions.templatesubtasker": _rights(ADMIN, ADMIN, ADMIN),
    "actions.templateroutestep": _rights(ADMIN, ADMIN, ADMIN),
    "partners.organizationunit": _rights(ADMIN, ADMIN, ADMIN),
    "partners.organizationunittype": _rights(ADMIN, ADMIN, ADMIN),
    "partners.person": _rights(ADMIN, ADMIN, ADMIN),
    "partners.account": _rights(ADMIN, ADMIN, ADMIN),
    "partners.agreement": _rights(WRITERS, WRITERS, MANAGERS),
    "analysis.legalauthority": _rights(ADMIN, ADMIN, ADMIN),
    "analysis.analysis": _rights(WRITERS, WRITERS, MANAGERS),
    "analysis.impact": _rights(WRITERS, WRITERS, MANAGERS),
    "analysis.riskitem": _rights(WRITERS, WRITERS, MANAGERS),
}
PATH_VERBS = {
    "add": "add",
    "edit": "change",
    "bulk_edit": "change",
    "delete": "delete",
    "bulk_delete": "delete",
    "admin_add": "add",
    "admin_change": "change",
    "admin_delete": "delete",
}


def test_the_table_names_every_registered_model():
    assert {v.label for v in registry.all_registrations()} == set(EXPECTED)


# -- reading a page's form like a browser ----------------------------------------------------


class _FormParser(html.parser.HTMLParser):
    """The ``method="post"`` forms of a page: ``[(attrs, [(name, value), ...])]``."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post":
            self._form = (attrs, [])
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form[1]
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            fields.append((attrs["name"], attrs.get("value", default)))
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form[1].append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            self._form = None


def page_form(content, must_have):
    """The fields of the page's POST form that holds the field ``must_have``."""
    parser = _FormParser()
    parser.feed(content.decode())
    for _, fields in parser.forms:
        if any(name == must_have for name, _ in fields):
            return fields
    return None


def as_post(fields, overrides):
    """POST data from parsed ``fields`` with ``overrides`` replacing whole keys."""
    data = {}
    for name, value in fields:
        if name in overrides:
            continue
        data.setdefault(name, []).append(value)
    for name, value in overrides.items():
        if value is not None:
            data[name] = value if isinstance(value, list) else [value]
    return data


def page_url(model, page, *args, admin=False):
    """The URL of the ``page`` (edit, add, delete) of ``model``: the app's, or the admin's."""
    if admin:
        page = {"edit": "change"}.get(page, page)
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)
    return reverse(viewname(model, page), args=args)


# -- the world: an agency, one tasker and a user per role --------------------------------


class World:
    """The tasker ``T`` (lead OFF-A1, issued by the secretariat SEC, supported by OFF-C),
    its twin ``T2`` without supporting units (satellites are added to it), one record of
    every model, and one user per role."""

    def __init__(self):
        self.units = make_units()
        codes = ("AGENCY", "BUR-A", "OFF-A1", "BUR-B", "OFF-B1")
        root, bur_a, off_a1, bur_b, off_b1 = (self.units[code] for code in codes)
        sec = OrganizationUnitFactory(code="SEC", name="Executive Secretariat", parent=root)
        off_c = OrganizationUnitFactory(code="OFF-C", name="Office C", parent=root)
        self.units |= {"SEC": sec, "OFF-C": off_c}
        self.users = {
            "viewer": make_user("victor", ROLE_VIEWER, None, first_name="Victor"),
            "staff_unrelated": make_user("charlie", ROLE_STAFF, off_b1),
            "staff_lead": make_user("alice", ROLE_STAFF, off_a1),
            "staff_support": make_user("sue", ROLE_STAFF, off_c),
            "manager_other": make_user("mona", ROLE_MANAGER, bur_b),
            "manager_subtree": make_user("bob", ROLE_MANAGER, bur_a),
            "secretariat": make_user("sally", ROLE_STAFF, sec),
            "administrator": make_user("ada", ROLE_ADMIN, root),
        }
        for unit, user in ((bur_a, "manager_subtree"), (bur_b, "manager_other")):
            unit.manager = self.users[user].person
            unit.save()
        action_type = fa.ExecutiveActionTypeFactory(name="Tasker", number_prefix="EA")

        def tasker(title):
            return fa.ExecutiveActionFactory(
                title=title,
                action_type=action_type,
                status=ActionStatus.IN_PROGRESS,
                lead_unit=off_a1,
                accountable_person=self.users["staff_lead"].person,
                issuing_unit=sec,
                issued_by=self.users["secretariat"].person,
            )

        self.tasker = tasker("Prepare the briefing")
        self.twin = tasker("Prepare the second briefing")
        self.other = tasker("An earlier tasker")
        self.support = fa.AssignmentFactory(
            action=self.tasker,
            organization_unit=off_c,
            person=self.users["staff_support"].person,
        )
        t = self.tasker
        self.records = {
            "actions.executiveaction": t,
            "actions.assignment": self.support,
            "actions.statusupdate": fa.StatusUpdateFactory(action=t),
            "actions.decisionlogentry": fa.DecisionLogEntryFactory(action=t),
            "actions.attachment": fa.AttachmentFactory(action=t),
            "actions.dependency": fa.DependencyFactory(predecessor=self.other, successor=t),
            "actions.extensionrequest": fa.ExtensionRequestFactory(action=t),
            "actions.duedatechange": fa.DueDateChangeFactory(action=t),
            "actions.routestep": fa.RouteStepFactory(action=t),
            "actions.routestepevent": fa.RouteStepEventFactory(
                step=fa.RouteStepFactory(action=t, position=2)
            ),
        }
        for label in EXPECTED:
            if label not in self.records:
                self.records[label] = MODELS[label][0]()


# What the add path posts beyond the record it copies: a satellite goes on the twin, unique
# values are new.
def add_overrides(world, label):
    twin = str(world.twin.pk)
    return {
        "actions.executiveaction": {"title": "A new tasker"},
        # due with the twin: the source's due date may be later than the twin's suspense
        # (the factory draws them in sequence), which the form rightly refuses
        "actions.assignment": {
            "action": twin,
            "organization_unit": str(world.units["OFF-C"].pk),
            "due_date": str(world.twin.due_date or ""),
        },
        "actions.statusupdate": {"action": twin},
        "actions.decisionlogentry": {"action": twin},
        "actions.attachment": {"action": twin},
        "actions.dependency": {"successor": twin, "predecessor": str(world.other.pk)},
        "actions.extensionrequest": {"action": twin},
        "actions.duedatechange": {"action": twin},
        "actions.routestep": {"action": twin},
        "actions.routestepevent": {"action": twin},
        # unique with its type (a two-column rule, which unique_overrides leaves alone)
        "actions.processtemplate": {"name": "A new template"},
    }.get(label, {})


def unique_overrides(model, fields):
    """New values for the single-column unique text fields of ``model`` among ``fields``."""
    names = {n for n, _ in fields}
    unique = {
        f.name
        for f in model._meta.concrete_fields
        if f.unique and not f.primary_key and isinstance(f, models.CharField)
    }
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and len(constraint.fields) == 1:
            field = model._meta.get_field(constraint.fields[0])
            if isinstance(field, models.CharField):
                unique.add(field.name)
    values = dict(fields)
    new = {}
    for name in unique & names:
        if isinstance(model._meta.get_field(name), models.EmailField):
            new[name] = f"new.{values.get(name, '')}"
        else:
            new[name] = f"{values.get(name, '')}N".upper()[-10:]
    return new


def upload():
    return SimpleUploadedFile("memo.pdf", b"%PDF-1.4\n% memo\n", "application/pdf")


class Matrix(TestCase):
    """One test method per (model, path); each loops over the roles, every attempt inside a
    savepoint rolled back afterwards, so every role starts from the same database."""

    @classmethod
    def setUpTestData(cls):
        cls.world = World()

    def setUp(self):
        self.mismatches, self.last = [], ""
        # each test has its own media folder: put the attachment's file back
        attachment = self.world.records["actions.attachment"]
        if not attachment.file.storage.exists(attachment.file.name):
            attachment.file.storage.save(attachment.file.name, upload())

    # -- helpers

    def attempt(self, role, fn):
        """Run ``fn(client, user)`` as ``role`` inside a rolled-back savepoint."""
        user = self.world.users[role]
        user.refresh_from_db()
        self.client.force_login(user)
        with transaction.atomic():
            try:
                return fn(self.client, user)
            finally:
                transaction.set_rollback(True)

    def note(self, response):
        """Keep what a refused form said, to explain a mismatch."""
        context = getattr(response, "context", None) or {}
        form = context.get("form") or context.get("adminform")
        form = getattr(form, "form", form)
        errors = getattr(form, "errors", None)
        self.last = f"{response.status_code} {dict(errors) if errors else ''}"[:400]

    def check(self, label, path, role, expected, policy_answer, outcome):
        if policy_answer != expected:
            self.mismatches.append(
                f"{label} {path} {role}: policy {policy_answer}, table {expected}"
            )
        if outcome != policy_answer:
            self.mismatches.append(
                f"{label} {path} {role}: path {outcome}, policy {policy_answer} ({self.last})"
            )
        self.last = ""

    def done(self):
        assert not self.mismatches, "\n".join(self.mismatches)

    def admin_fields(self, client, user, url):
        """The fields of the form at ``url`` as an administrator sees it (read once a test)."""
        cache = self.__dict__.setdefault("_admin_fields", {})
        if url not in cache:
            client.force_login(self.world.users["administrator"])
            cache[url] = page_form(client.get(url).content, "concurrency_token") or []
            client.force_login(user)
        return list(cache[url])

    def record(self, label):
        obj = self.world.records[label]
        return type(obj)._default_manager.get(pk=obj.pk)

    def fresh(self, obj):
        return type(obj)._default_manager.filter(pk=obj.pk).first()

    def policy_answer(self, label, verb, user, obj=None):
        model = registry.get(label).model
        if verb == "add":
            obj = self.new_instance(label)
        return bool(policy.may(user, verb, model, obj if obj is not None else self.record(label)))

    def new_instance(self, label):
        """An unsaved record like the one the add path creates (its tasker the twin)."""
        model = registry.get(label).model
        obj = model()
        for name, value in add_overrides(self.world, label).items():
            field = model._meta.get_field(name)
            if field.is_relation:
                setattr(obj, field.attname, int(value))
        if label == "actions.executiveaction":
            obj.issuing_unit_id = None
        return obj

    # -- the paths

    def run_add(self, label, user, client, admin=False):
        model = registry.get(label).model
        source = self.record(label)
        url = page_url(model, "edit", source.pk, admin=admin)
        # the fields a full form holds, read as an administrator, as the values to post
        fields = self.admin_fields(client, user, url)
        overrides = {"concurrency_token": "", **unique_overrides(model, fields)}
        overrides.update(add_overrides(self.world, label))
        if label == "actions.extensionrequest":
            overrides["requested_due_date"] = str(self.world.twin.due_date.replace(year=2099))
        add_url = page_url(model, "add", admin=admin)
        data = as_post(fields, overrides)
        data = {k: v for k, v in data.items() if not k.endswith("-INITIAL_FORMS")}
        for key in [k for k in data if k.endswith("-TOTAL_FORMS")]:
            data[key] = ["0"]
            data[key.replace("TOTAL", "INITIAL")] = ["0"]
        if any(f.name == "file" for f in model._meta.fields):
            data["file"] = upload()
        before = model._default_manager.count()
        self.note(client.post(add_url, data))
        return model._default_manager.count() > before

    def run_edit(self, label, user, client, admin=False):
        model = registry.get(label).model
        obj = self.record(label)
        field = MODELS[label][1]
        url = page_url(model, "edit", obj.pk, admin=admin)
        response = client.get(url)
        fields = (
            page_form(response.content, "concurrency_token")
            if response.status_code == 200
            else None
        )
        if fields is None:
            # no form for this role: post what an administrator's form holds, forged
            fields = self.admin_fields(client, user, url) or [
                ("concurrency_token", str(obj.version))
            ]
        value = f"{getattr(obj, field) or ''} changed"[-60:]
        if isinstance(model._meta.get_field(field), models.CharField):
            value = value[-model._meta.get_field(field).max_length :]
        self.note(client.post(url, as_post(fields, {field: value})))
        after = self.fresh(obj)
        return after.version != obj.version

    def run_delete(self, label, user, client, admin=False):
        model = registry.get(label).model
        obj = self.record(label)
        url = page_url(model, "delete", obj.pk, admin=admin)
        client.post(url, {"post": "yes"} if admin else {})
        return self.fresh(obj) is None

    def run_bulk_delete(self, label, user, client):
        model = registry.get(label).model
        obj = self.record(label)
        client.post(reverse(viewname(model, "bulk_delete")), {"pk": [obj.pk], "_confirm": "1"})
        return self.fresh(obj) is None

    def bulk_choice(self, label):
        """A field of the bulk-edit form an administrator may set, and a new value for it:
        the first choice or yes/no field (an action's status is a move: put on hold)."""
        views = registry.get(label)
        obj = self.record(label)
        admin = self.world.users["administrator"]
        form = (views.bulk_edit_form or bulk_edit_form_for(views.model))(user=admin)
        for name, field in form.fields.items():
            if label == "actions.executiveaction" and name == "status":
                return name, ActionStatus.ON_HOLD
            if not policy.writable_fields(admin, obj, [name]):
                continue
            current = getattr(obj, name, None)
            if isinstance(field, forms.NullBooleanField):
                return name, "false" if current else "true"
            if isinstance(field, forms.TypedChoiceField):
                for value, _ in field.choices:
                    if value not in ("", None) and value != current:
                        return name, value
        return None, None

    def run_bulk_edit(self, label, user, client):
        model = registry.get(label).model
        obj = self.record(label)
        name, value = self.bulk_choice(label)
        if name is None:
            return None
        client.post(
            reverse(viewname(model, "bulk_edit")),
            {"pk": [obj.pk], f"version_{obj.pk}": str(obj.version), "_apply": "1", name: value},
        )
        return self.fresh(obj).version != obj.version

    # -- one test per (model, path)

    def matrix(self, label, path):
        verb = PATH_VERBS[path]
        expected_roles = EXPECTED[label][verb]
        skipped = False
        for role in ROLES:
            user = self.world.users[role]
            answer = self.policy_answer(label, verb, user)

            def go(client, user, role=role):
                if path.startswith("admin_"):
                    user.is_staff = True
                    user.save()
                    client.force_login(user)
                kind = path.removeprefix("admin_")
                admin = path.startswith("admin_")
                if kind == "add":
                    return self.run_add(label, user, client, admin=admin)
                if kind in ("edit", "change"):
                    return self.run_edit(label, user, client, admin=admin)
                if kind == "delete":
                    return self.run_delete(label, user, client, admin=admin)
                if kind == "bulk_delete":
                    return self.run_bulk_delete(label, user, client)
                return self.run_bulk_edit(label, user, client)

            outcome = self.attempt(role, go)
            if outcome is None:
                skipped = True
                break
            self.check(label, path, role, role in expected_roles, answer, outcome)
        self.done()
        if skipped:
            pytest.skip(f"{label} has no field to bulk edit")

    def links(self, label):
        """The many-to-many relations of the model, both directions."""
        model = registry.get(label).model
        return [r for r in discover_relations(model) if r.kind in ("m2m", "reverse_m2m")]

    def link_matrix(self, label, unlink):
        model = registry.get(label).model
        obj = self.record(label)
        for relation in self.links(label):
            other_label = relation.related_model._meta.label_lower
            other = self.world.records[other_label]
            owner = policy.link_owner(obj, other)
            owner_label = owner._meta.label_lower
            if owner_label == "actions.executiveaction":
                owner = self.world.tasker
            for role in ROLES:
                user = self.world.users[role]
                answer = bool(policy.may_link(user, obj, other))
                manager = getattr(obj, relation.name)

                def go(client, user, relation=relation, manager=manager, other=other):
                    if unlink:
                        getattr(self.fresh(obj), relation.name).add(other)
                    url = reverse(viewname(model, "link"), args=[obj.pk, relation.name])
                    data = {"targets": [other.pk]}
                    if unlink:
                        data["unlink"] = "1"
                    client.post(url, data)
                    linked = manager.filter(pk=other.pk).exists()
                    return not linked if unlink else linked

                outcome = self.attempt(role, go)
                expected = role in EXPECTED[owner_label]["change"]
                self.check(
                    label,
                    f"{'un' if unlink else ''}link {relation.name}",
                    role,
                    expected,
                    answer,
                    outcome,
                )
        self.done()


def _make_test(label, path):
    def test(self):
        self.matrix(label, path)

    test.__name__ = f"test_{label.replace('.', '_')}_{path}"
    return test


def _make_link_test(label, unlink):
    def test(self):
        if not self.links(label):
            pytest.skip(f"{label} has no many-to-many relation")
        self.link_matrix(label, unlink)

    test.__name__ = f"test_{label.replace('.', '_')}_{'unlink' if unlink else 'link'}"
    return test


for _label, _path in itertools.product(sorted(EXPECTED), PATH_VERBS):
    setattr(Matrix, f"test_{_label.replace('.', '_')}_{_path}", _make_test(_label, _path))
for _label, _unlink in itertools.product(sorted(EXPECTED), (False, True)):
    _name = f"test_{_label.replace('.', '_')}_{'unlink' if _unlink else 'link'}"
    setattr(Matrix, _name, _make_link_test(_label, _unlink))


def test_a_satellite_registered_without_a_scoped_policy_fails_the_system_check(monkeypatch):
    """A new model linked to taskers cannot ship open: the check names it."""
    from actions.checks import satellites_are_scoped
    from actions.models import StatusUpdate

    assert satellites_are_scoped() == []
    monkeypatch.delitem(policy._policies, StatusUpdate)
    errors = satellites_are_scoped()
    assert [e.id for e in errors] == ["actions.E001"]
    assert "actions.StatusUpdate" in errors[0].msg
