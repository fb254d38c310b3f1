"""Build a large agency for the scale benchmark (issue 7), fast.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench EXECCOORD_DEV=1 \\
        .venv/bin/python bench/generate.py --actions 100000

At ``--actions 100000``: 1,000 organization units in a tree five levels deep, 20,000 people,
500 partner accounts, 2,000 legal authorities, 1,000 agreements (MOUs), 100,000 executive
actions (30 % of the top-level ones with sub-taskers, every status, due dates spread so that
several thousand are overdue), 200,000 status updates, 50,000 analyses, impacts and risk items
linked to actions, and assignments. Every count scales with ``--actions``.

Past 100,000 the extra taskers are history: ``--actions 1000000`` is an agency that kept ten
times the years of suspense dates (:func:`history_for`), whose taskers older than the 100k
agency's span are all closed, so its work in hand (open, overdue, due soon) stays about the
100k agency's while the archive grows tenfold. ``--history 1`` keeps the span instead and
scales the open work with the actions (ten times the work in hand).

It also makes two sign-ins with the password :data:`BENCH_PASSWORD`: ``bench-manager``
(Manager of the root unit) and ``bench-staff`` (Staff in a leaf unit), and one action with 20
sub-taskers and 50 status updates whose id it prints (the detail page of the benchmark).

**Raw bulk writes live here, and only here.** The rest of the code base writes tracked models
through ``execcoord.history`` so that every change has a history row; benchmark data needs no
audit trail, so this module inserts rows directly (PostgreSQL ``COPY`` through psycopg 3, or
``bulk_create`` elsewhere), sets the materialised ``path``/``depth`` of units and actions and
the action numbers itself, and writes no history rows. The test that scans for raw bulk writes
whitelists ``bench/``.
"""

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

BENCH_PASSWORD = "execcoord-bench-2026"
MANAGER_USERNAME = "bench-manager"
STAFF_USERNAME = "bench-staff"
COMMON_WORD = "cybersecurity"  # appears in about one title in ten (global search benchmark)

# per 100,000 actions
SCALE = {
    "units": 1000,
    "people": 20000,
    "accounts": 500,
    "authorities": 2000,
    "agreements": 1000,
    "analyses": 16000,
    "impacts": 17000,
    "risk_items": 17000,
    "status_updates": 200000,
}
# the unit tree: children per unit at each depth (1 + 9 + 54 + 270 + 666 = 1,000 units)
FANOUT = (9, 6, 5, None)

TITLE_VERBS = (
    "Review",
    "Update",
    "Assess",
    "Implement",
    "Prepare",
    "Coordinate",
    "Draft",
    "Report on",
    "Evaluate",
    "Respond to",
    "Brief leadership on",
    "Audit",
    "Modernize",
    "Develop",
)
TITLE_TOPICS = (
    "budget execution",
    "workforce planning",
    "records management",
    "grant oversight",
    "procurement policy",
    "emergency preparedness",
    "data governance",
    "privacy controls",
    "congressional inquiry",
    "regulatory agenda",
    "training program",
    "facility security",
    "performance measures",
    "ethics guidance",
    "IT modernization",
    "telework policy",
    "supply chain risk",
    "audit findings",
    "strategic plan",
    "stakeholder outreach",
)
FIRST_NAMES = (
    "Ana",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "James",
    "Kara",
    "Luis",
    "Maya",
    "Noah",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
)
LAST_NAMES = (
    "Abbott",
    "Baker",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quist",
    "Rossi",
    "Singh",
    "Tanaka",
    "Umar",
    "Vargas",
    "Weber",
    "Xu",
    "Young",
    "Zimmer",
)
TYPES = (
    # name, category, prefix
    ("Executive directive", "directive", "DIR"),
    ("Information request", "information_request", "IR"),
    ("Correspondence", "communication", "CR"),
    ("Regulatory action", "regulatory", "REG"),
    ("Program review", "program_management", "PM"),
    ("Security tasker", "security", "SEC"),
    ("Budget tasker", "procurement", "BUD"),
    ("Executive action", "planning", "EA"),
)


class Writer:
    """Insert rows with explicit ids: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.now = datetime.datetime.now(datetime.UTC)
        self.counts = {}
        self._next = {}
        self._columns = {}

    def ids(self, model, n):
        """``n`` fresh primary keys for ``model`` (after the highest one in the table)."""
        if model not in self._next:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}"  # noqa: S608
                )
                self._next[model] = cursor.fetchone()[0] + 1
        start = self._next[model]
        self._next[model] = start + n
        return range(start, start + n)

    def columns(self, model):
        """The columns the table has (a model field whose migration is pending is skipped)."""
        table = model._meta.db_table
        if table not in self._columns:
            with self.connection.cursor() as cursor:
                self._columns[table] = {
                    c.name
                    for c in self.connection.introspection.get_table_description(cursor, table)
                }
        return self._columns[table]

    def write(self, model, rows):
        """Insert ``rows`` (dicts keyed by attname, each with ``id``) into ``model``'s table.

        Missing columns take the field's default; timestamps are now.
        """
        if not rows:
            return
        fields = [f for f in model._meta.concrete_fields if f.column in self.columns(model)]
        given = set(rows[0])
        defaults = []
        for field in fields:
            if field.attname in given:
                defaults.append((field.attname, None))
            elif field.attname in ("created_at", "updated_at"):
                defaults.append((field.attname, self.now))
            else:
                value = field.get_default()
                defaults.append((field.attname, value))
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + len(rows)
        if self.postgres:
            columns = ", ".join(self.connection.ops.quote_name(f.column) for f in fields)
            table = self.connection.ops.quote_name(model._meta.db_table)
            with self.connection.cursor() as cursor:
                raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for start in range(0, len(rows), 20000):
                        copy.write(
                            "".join(
                                "\t".join([_copy_text(row.get(a, d)) for a, d in defaults]) + "\n"
                                for row in rows[start : start + 20000]
                            )
                        )
        else:
            objs = [model(**{a: row.get(a, d) for a, d in defaults}) for row in rows]
            # timestamps the rows give are kept, as COPY keeps them (not stamped now)
            stamped = [
                f
                for f in fields
                if f.attname in given and getattr(f, "auto_now_add", None) is not None
            ]
            flags = [(f, f.auto_now, f.auto_now_add) for f in stamped]
            try:
                for f in stamped:
                    f.auto_now = f.auto_now_add = False
                model._base_manager.bulk_create(objs, batch_size=500)
            finally:
                for f, auto_now, auto_now_add in flags:
                    f.auto_now, f.auto_now_add = auto_now, auto_now_add

    def finish(self, models):
        """Move the id sequences past the inserted ids and refresh the planner statistics."""
        if not self.postgres:
            return
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
            for model in models:
                cursor.execute(f"ANALYZE {self.connection.ops.quote_name(model._meta.db_table)}")


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value):
    """``value`` in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def sizes(n_actions):
    """How many rows of each kind :func:`generate` makes for ``n_actions`` actions: every
    count of :data:`SCALE` in proportion (at least 10; at least 40 units)."""
    factor = n_actions / 100000
    size = {k: max(int(v * factor), 10) for k, v in SCALE.items()}
    size["units"] = max(size["units"], 40)
    return size


# the suspense dates of the 100k agency reach this many days back (and 180 ahead)
HISTORY_DAYS = 1000


def history_for(n_actions):
    """How many times the 100k agency's span of suspense dates a run of ``n_actions`` keeps:
    the taskers past 100,000 are older ones (a million is ten times the history), so the
    work in hand stays the 100k agency's while the archive grows."""
    return max(n_actions / 100000, 1.0)


def generate(n_actions=100000, seed=7, out=None, history=None):
    """Generate the agency; returns a dict of what was made (ids the benchmark needs).

    One transaction, one step a kind of record (:class:`Agency`), in an order that keeps the
    random draws, so the same seed gives the same data.

    Args:
        n_actions: number of executive actions; every other count scales with it.
        seed: random seed (same seed, same data).
        out: a writable text stream for progress lines (default: none).
        history: how many times the 100k agency's span of suspense dates the taskers cover
            (default :func:`history_for`); ``1`` keeps the span and scales the open work
            with the number of actions instead.
    """
    from django.db import connection, transaction

    agency = Agency(connection, n_actions, seed, out, history)
    with transaction.atomic():
        trigram_indexes = agency.prepare_fast_load()
        agency.unit_tree()
        agency.accounts_and_people()
        agency.sign_ins()
        agency.context_records()
        agency.action_types()
        agency.actions()
        agency.action_links()
        agency.assignments()
        agency.status_updates()
        agency.rebuild_indexes(trigram_indexes)
        agency.finish()
        agency.tallies()
    agency.log("done")
    return agency.summary()


class Agency:
    """The steps of :func:`generate`; each step keeps what later ones need on ``self``."""

    def __init__(self, connection, n_actions, seed, out, history=None):
        from django.utils import timezone

        self.history_days = round(HISTORY_DAYS * (history or history_for(n_actions)))
        self.started = time.perf_counter()
        self.out = out
        self.connection = connection
        self.n_actions = n_actions
        self.rng = random.Random(seed)
        self.size = sizes(n_actions)
        self.today = timezone.localdate()
        self.w = Writer(connection)
        self.choice = self.rng.choice
        self.randint = self.rng.randint

    def log(self, message):
        if self.out is not None:
            self.out.write(f"[{time.perf_counter() - self.started:6.1f}s] {message}\n")
            self.out.flush()

    def prepare_fast_load(self):
        """PostgreSQL: skip the foreign-key triggers and drop the trigram indexes for the load;
        returns the dropped indexes' ``(name, definition)``."""
        if not self.w.postgres:
            return []
        connection = self.connection
        # The rows are consistent by construction: skip the per-row foreign-key triggers
        # for this transaction (superuser only; the generator is a benchmark tool).
        # Trigram search indexes are dropped during the load and rebuilt after it:
        # building a GIN index once is far cheaper than maintaining it row by row.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() AND indexname LIKE '%%_trgm'"
            )
            trigram_indexes = cursor.fetchall()
            for name, _ in trigram_indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return trigram_indexes

    def unit_tree(self):
        """Unit types and the unit tree, five levels deep, with materialised paths."""
        from execcoord.db.trees import path_segment
        from partners.models import OrganizationUnit, OrganizationUnitType

        w = self.w
        type_names = ("Department", "Bureau", "Office", "Division", "Branch")
        unit_types = {}
        for level, name in enumerate(type_names, start=1):
            unit_type = OrganizationUnitType._base_manager.filter(name=name).first()
            if unit_type is None:
                (pk,) = w.ids(OrganizationUnitType, 1)
                w.write(OrganizationUnitType, [{"id": pk, "name": name, "level": level}])
                unit_type = pk
            else:
                unit_type = unit_type.pk
            unit_types[level - 1] = unit_type
        n_units = self.size["units"]
        unit_ids = list(w.ids(OrganizationUnit, n_units))
        units = []  # dicts: id, parent_id, path, depth
        root = {"id": unit_ids[0], "parent_id": None, "depth": 0}
        root["path"] = path_segment(root["id"])
        units.append(root)
        level_nodes, cursor_id = [root], 1
        fanout = _fanout_for(n_units)
        for depth in range(1, 5):
            next_level = []
            for i, parent in enumerate(level_nodes):
                count = fanout[depth - 1]
                if depth == 4:  # the leaves take what is left, spread evenly
                    remaining = n_units - cursor_id
                    count = remaining // (len(level_nodes) - i)
                for _ in range(count):
                    if cursor_id >= n_units:
                        break
                    pk = unit_ids[cursor_id]
                    cursor_id += 1
                    node = {
                        "id": pk,
                        "parent_id": parent["id"],
                        "depth": depth,
                        "path": parent["path"] + path_segment(pk),
                    }
                    units.append(node)
                    next_level.append(node)
            level_nodes = next_level
        unit_rows = []
        for u in units:
            topic = TITLE_TOPICS[u["id"] % len(TITLE_TOPICS)]
            unit_rows.append(
                {
                    **u,
                    "name": f"{type_names[u['depth']]} of {topic.title()} {u['id']}",
                    "abbreviation": f"U{u['id']}",
                    "code": f"BU-{u['id']}",
                    "unit_type_id": unit_types[u["depth"]],
                    "manager_id": None,
                    "email": "",
                    "description": "",
                    "is_active": True,
                }
            )
        w.write(OrganizationUnit, unit_rows)
        self.units, self.root = units, root
        self.leaves = [u for u in units if u["depth"] == 4]
        self.all_unit_ids = [u["id"] for u in units]
        self.log(f"{len(units)} units, depth {max(u['depth'] for u in units) + 1}")

    def accounts_and_people(self):
        """Partner accounts, and people spread over the units (one in 25 external)."""
        from partners.choices import AccountType, ClearanceLevel, PersonnelType
        from partners.models import Account, Person

        w, choice, all_unit_ids = self.w, self.choice, self.all_unit_ids
        account_ids = list(w.ids(Account, self.size["accounts"]))
        account_types = AccountType.values
        w.write(
            Account,
            [
                {
                    "id": pk,
                    "name": f"Partner organisation {pk}",
                    "abbreviation": f"PO{pk}",
                    "account_type": choice(account_types),
                    "country": "United States",
                }
                for pk in account_ids
            ],
        )
        person_ids = list(w.ids(Person, self.size["people"]))
        clearances = ClearanceLevel.values
        people_rows, people_by_unit = [], {}
        for i, pk in enumerate(person_ids):
            external = i % 25 == 0
            unit_id = None if external else all_unit_ids[i % len(all_unit_ids)]
            people_rows.append(
                {
                    "id": pk,
                    "first_name": FIRST_NAMES[i % len(FIRST_NAMES)],
                    "last_name": LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)],
                    "email": f"person{pk}@bench.example.gov",
                    "job_title": "Program analyst",
                    "personnel_type": PersonnelType.EXTERNAL
                    if external
                    else PersonnelType.EMPLOYEE,
                    "organization_unit_id": unit_id,
                    "account_id": choice(account_ids) if external else None,
                    "user_id": None,
                    "clearance_level": choice(clearances),
                    "is_active": True,
                }
            )
            if unit_id:
                people_by_unit.setdefault(unit_id, []).append(pk)
        w.write(Person, people_rows)
        self.account_ids, self.people_by_unit = account_ids, people_by_unit
        self.internal_people = [r["id"] for r in people_rows if r["organization_unit_id"]]
        self.log(f"{len(account_ids)} accounts, {len(person_ids)} people")

    def sign_ins(self):
        """The two sign-ins: the manager of the root unit and a staff member of a leaf."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group

        from partners.access import ROLE_MANAGER, ROLE_STAFF
        from partners.choices import ClearanceLevel, PersonnelType
        from partners.models import OrganizationUnit, Person

        w = self.w
        User = get_user_model()
        password = make_password(BENCH_PASSWORD)
        self.staff_unit = self.leaves[len(self.leaves) // 2]
        logins = {}
        for username, group, unit_id, clearance in (
            (MANAGER_USERNAME, ROLE_MANAGER, self.root["id"], ClearanceLevel.SECRET),
            (STAFF_USERNAME, ROLE_STAFF, self.staff_unit["id"], ClearanceLevel.PUBLIC_TRUST),
        ):
            user, _ = User.objects.update_or_create(
                username=username, defaults={"password": password, "is_active": True}
            )
            user.groups.set([Group.objects.get(name=group)])
            Person._base_manager.filter(user=user).update(user=None)
            (person_id,) = w.ids(Person, 1)
            w.write(
                Person,
                [
                    {
                        "id": person_id,
                        "first_name": "Bench",
                        "last_name": group,
                        "email": f"{username}-{person_id}@bench.example.gov",
                        "personnel_type": PersonnelType.EMPLOYEE,
                        "organization_unit_id": unit_id,
                        "account_id": None,
                        "user_id": user.pk,
                        "clearance_level": clearance,
                        "is_active": True,
                    }
                ],
            )
            logins[username] = {"user_id": user.pk, "person_id": person_id, "unit_id": unit_id}
        OrganizationUnit._base_manager.filter(pk=self.root["id"]).update(
            manager_id=logins[MANAGER_USERNAME]["person_id"]
        )
        self.staff_person = logins[STAFF_USERNAME]["person_id"]

    def context_records(self):
        """Legal authorities, agreements (with their parties), analyses, impacts, risk items."""
        self.authorities()
        self.agreements()
        self.analyses()
        self.impacts()
        self.risk_items()
        self.log(
            f"{len(self.authority_ids)} authorities, {len(self.agreement_ids)} agreements, "
            f"{len(self.analysis_ids) + len(self.impact_ids) + len(self.risk_ids)} "
            "analyses/impacts/risks"
        )

    def authorities(self):
        from analysis.choices import AuthorityStatus, AuthorityType, JurisdictionLevel
        from analysis.models import LegalAuthority

        choice, account_ids = self.choice, self.account_ids
        self.authority_ids = list(self.w.ids(LegalAuthority, self.size["authorities"]))
        self.w.write(
            LegalAuthority,
            [
                {
                    "id": pk,
                    "name": f"Executive Order {13000 + pk} on {choice(TITLE_TOPICS)}",
                    "authority_type": choice(AuthorityType.values),
                    "status": choice(AuthorityStatus.values),
                    "jurisdiction_level": choice(JurisdictionLevel.values),
                    "citation": f"{pk % 50 + 1} U.S.C. {pk}",
                    "issuing_body_id": choice(account_ids),
                    "parent_id": None,
                    "is_active": True,
                }
                for pk in self.authority_ids
            ],
        )

    def agreements(self):
        from partners.choices import AgreementStatus, AgreementType
        from partners.models import Agreement

        w, choice, randint, account_ids = self.w, self.choice, self.randint, self.account_ids
        agreement_ids = list(w.ids(Agreement, self.size["agreements"]))
        agreement_rows = []
        for pk in agreement_ids:
            effective = self.today - datetime.timedelta(days=randint(0, 2000))
            agreement_rows.append(
                {
                    "id": pk,
                    "number": f"MOU-{pk:06d}",
                    "name": f"Agreement on {choice(TITLE_TOPICS)} {pk}",
                    "agreement_type": choice(AgreementType.values),
                    "status": choice(AgreementStatus.values),
                    "lead_unit_id": choice(self.all_unit_ids),
                    "primary_contact_id": choice(self.internal_people),
                    "effective_date": effective,
                    "expiration_date": effective + datetime.timedelta(days=randint(365, 1825)),
                    "total_value": Decimal(randint(0, 5_000_000)),
                    "parent_id": None,
                }
            )
        w.write(Agreement, agreement_rows)
        parties = Agreement.parties.through
        party_ids = iter(w.ids(parties, len(agreement_ids) * 2))
        w.write(
            parties,
            [
                {"id": next(party_ids), "agreement_id": pk, "account_id": account}
                for pk in agreement_ids
                for account in self.rng.sample(account_ids, 2)
            ],
        )
        self.agreement_ids = agreement_ids

    def analyses(self):
        from analysis.choices import AnalysisStatus, GeneralCategory
        from analysis.models import Analysis

        choice = self.choice
        self.analysis_ids = list(self.w.ids(Analysis, self.size["analyses"]))
        self.w.write(
            Analysis,
            [
                {
                    "id": pk,
                    "number": "",
                    "name": f"Analysis of {choice(TITLE_TOPICS)} {pk}",
                    "category": choice(GeneralCategory.values),
                    "legal_authority_id": choice(self.authority_ids),
                    "organization_unit_id": choice(self.all_unit_ids),
                    "assessment_poc_id": choice(self.internal_people),
                    "status": choice(AnalysisStatus.values),
                }
                for pk in self.analysis_ids
            ],
        )

    def impacts(self):
        from analysis.choices import AnalysisStatus, GeneralCategory, ImpactRating
        from analysis.models import Impact

        choice = self.choice
        self.impact_ids = list(self.w.ids(Impact, self.size["impacts"]))
        self.w.write(
            Impact,
            [
                {
                    "id": pk,
                    "name": f"Impact on {choice(TITLE_TOPICS)} {pk}",
                    "category": choice(GeneralCategory.values),
                    "legal_authority_id": choice(self.authority_ids),
                    "analysis_id": choice(self.analysis_ids),
                    "organization_unit_id": choice(self.all_unit_ids),
                    "parent_id": None,
                    "level": choice(ImpactRating.values),
                    "likelihood": choice(ImpactRating.values),
                    "status": choice(AnalysisStatus.values),
                }
                for pk in self.impact_ids
            ],
        )

    def risk_items(self):
        from analysis.choices import GeneralCategory, RiskStatus, risk_level_for_score
        from analysis.models import RiskItem

        choice, randint = self.choice, self.randint
        self.risk_ids = list(self.w.ids(RiskItem, self.size["risk_items"]))
        risk_rows = []
        for pk in self.risk_ids:
            likelihood, severity = randint(1, 5), randint(1, 5)
            risk_rows.append(
                {
                    "id": pk,
                    "number": "",
                    "name": f"Risk to {choice(TITLE_TOPICS)} {pk}",
                    "category": choice(GeneralCategory.values),
                    "legal_authority_id": choice(self.authority_ids),
                    "analysis_id": choice(self.analysis_ids),
                    "organization_unit_id": choice(self.all_unit_ids),
                    "owner_id": choice(self.internal_people),
                    "parent_id": None,
                    "likelihood": likelihood,
                    "severity": severity,
                    "score": likelihood * severity,
                    "level": risk_level_for_score(likelihood * severity),
                    "status": choice(RiskStatus.values),
                }
            )
        self.w.write(RiskItem, risk_rows)

    def action_types(self):
        """The action types of :data:`TYPES` (existing ones are kept)."""
        from actions.models import ExecutiveActionType

        self.types = []
        for name, category, prefix in TYPES:
            existing = ExecutiveActionType._base_manager.filter(name=name).first()
            if existing is None:
                (pk,) = self.w.ids(ExecutiveActionType, 1)
                self.w.write(
                    ExecutiveActionType,
                    [{"id": pk, "name": name, "category": category, "number_prefix": prefix}],
                )
                self.types.append((pk, category, prefix))
            else:
                self.types.append((existing.pk, existing.category, existing.number_prefix))

    def actions(self):
        """The executive actions, numbered, with sub-taskers and their materialised paths."""
        from actions.choices import FINAL_STATUSES
        from actions.models import ActionNumberSequence, ExecutiveAction
        from execcoord.db.trees import compute_paths, path_depth

        w, n_actions, today = self.w, self.n_actions, self.today
        action_ids = list(w.ids(ExecutiveAction, n_actions))
        sequences = {(s.prefix, s.year): s.last_value for s in ActionNumberSequence.objects.all()}
        self.special = action_ids[0]
        parent_of = self._sub_tasker_parents(action_ids)
        paths = compute_paths({pk: parent_of.get(pk) for pk in action_ids})
        action_rows, info = [], {}
        for pk in action_ids:
            row = self._action_row(pk, sequences)
            row["parent_id"] = parent_of.get(pk)
            row["path"] = paths[pk]
            row["depth"] = path_depth(paths[pk])
            action_rows.append(row)
            info[pk] = (
                row["lead_unit_id"],
                row["due_date"],
                row["status"] in FINAL_STATUSES,
                row.pop("_issue"),
            )
        # a parent before its children: COPY checks foreign keys at the end of the statement,
        # bulk_create per batch, so keep ids ascending (parents always have the lower id)
        w.write(ExecutiveAction, action_rows)
        for (prefix, year), last in sequences.items():
            ActionNumberSequence.objects.update_or_create(
                prefix=prefix, year=year, defaults={"last_value": last}
            )
        self.overdue = sum(
            1 for r in action_rows if r["status"] not in FINAL_STATUSES and r["due_date"] < today
        )
        self.action_ids, self.info = action_ids, info
        self.log(f"{n_actions} actions ({len(parent_of)} sub-taskers, {self.overdue} overdue)")

    def _sub_tasker_parents(self, action_ids):
        """``{child id: parent id}``: the benchmark's detail action gets 20 sub-taskers, then
        30 % of the top-level ones get 1–4."""
        rng, randint, n_actions = self.rng, self.randint, self.n_actions
        parent_of = {cid: self.special for cid in action_ids[1:21]}
        cursor_i = 21
        while cursor_i < n_actions:
            pk = action_ids[cursor_i]
            cursor_i += 1
            if rng.random() < 0.30:
                for _ in range(randint(1, 4)):
                    if cursor_i >= n_actions:
                        break
                    parent_of[action_ids[cursor_i]] = pk
                    cursor_i += 1
        return parent_of

    def _action_row(self, pk, sequences):
        """The row of the action ``pk`` (without its place in the tree); ``_issue`` is its
        issue date even for a draft. Counts the number in ``sequences``."""
        from actions.choices import (
            ActionStatus,
            Health,
            Priority,
            SecurityClassification,
            Visibility,
        )

        rng, choice, randint, today = self.rng, self.choice, self.randint, self.today
        special, all_unit_ids, account_ids = self.special, self.all_unit_ids, self.account_ids
        internal_people, authority_ids = self.internal_people, self.authority_ids
        visibilities = [Visibility.INTERNAL] * 14 + [
            Visibility.PUBLIC,
            Visibility.PUBLIC,
            Visibility.PUBLIC,
            Visibility.RESTRICTED,
            Visibility.RESTRICTED,
            Visibility.CONFIDENTIAL,
        ]
        type_id, category, prefix = choice(self.types)
        due = today + datetime.timedelta(days=randint(-self.history_days, 180))
        status, due = self._status(pk, due)
        issue = due - datetime.timedelta(days=randint(14, 120))
        draft = status == ActionStatus.DRAFT
        year = issue.year
        key = (prefix, year)
        sequences[key] = sequences.get(key, 0) + 1
        lead = choice(all_unit_ids) if rng.random() < 0.4 else choice(self.leaves)["id"]
        if pk == special or (pk % 997 == 0):
            lead = self.staff_unit["id"]
        unit_people = self.people_by_unit.get(lead) or internal_people
        accountable = choice(unit_people)
        if pk % 1000 == 1:
            accountable = self.staff_person
        completed = None
        if status == ActionStatus.COMPLETED and issue >= today:
            issue = today - datetime.timedelta(days=randint(1, 30))
        if status == ActionStatus.COMPLETED:
            completed = min(due + datetime.timedelta(days=randint(-20, 15)), today)
            completed = max(completed, issue)
        topic = choice(TITLE_TOPICS)
        if rng.random() < 0.1:
            topic = f"{COMMON_WORD} {topic}"
        percent = 100 if status == ActionStatus.COMPLETED else (0 if draft else randint(0, 95))
        return {
            "id": pk,
            "number": f"{prefix}-{year}-{sequences[key]:05d}",
            "title": f"{choice(TITLE_VERBS)} {topic} ({pk})",
            "action_type_id": type_id,
            "category": category,
            "description": f"Tasker about {topic} for the unit {lead}.",
            "details": "",
            "method_of_receipt": "",
            "received_date": None,
            "received_from_account_id": choice(account_ids) if pk % 7 == 0 else None,
            "received_from_unit_id": None,
            "received_from_person_id": None,
            "issued_by_id": choice(internal_people),
            "issuing_unit_id": self.root["id"] if pk % 3 else choice(all_unit_ids),
            "issue_date": None if draft else issue,
            "executive_sponsor_id": None,
            "lead_unit_id": lead,
            "accountable_person_id": accountable,
            "status": status,
            "held_from_status": (
                ActionStatus.IN_PROGRESS if status == ActionStatus.ON_HOLD else ""
            ),
            "priority": choice(Priority.values),
            "visibility": Visibility.INTERNAL if pk == special else choice(visibilities),
            "security_classification": (
                SecurityClassification.CUI
                if pk % 10 == 0 and pk != special
                else SecurityClassification.UNCLASSIFIED
            ),
            "health": choice(Health.values),
            "start_date": None if draft else issue,
            "due_date": due,
            "completed_date": completed,
            "original_due_date": None if draft else due,
            "source_legal_authority_id": choice(authority_ids) if pk % 4 == 0 else None,
            "source_analysis_id": None,
            "source_impact_id": None,
            "source_risk_item_id": None,
            "percent_complete": percent,
            "outcome": "",
            "outcome_summary": "",
            "notes": "",
            "version": 1,
            **self._timestamps(pk, issue, status, completed, due),
            "_issue": issue,
        }

    def _timestamps(self, pk, issue, status, completed, due):
        """When the tasker was created (its issue date) and last changed: on completion, by
        its suspense date when cancelled, and within the last month when open (spread by
        id, no random draw), as in an agency where work is changed while it is in hand."""
        from actions.choices import ActionStatus

        today = self.today
        if status == ActionStatus.COMPLETED and completed:
            last = completed
        elif status == ActionStatus.CANCELLED:
            last = min(due, today)
        else:
            last = today - datetime.timedelta(days=(pk * 7) % 30)
        last = max(min(last, today), min(issue, today))

        def at(day):
            return datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)

        return {"created_at": at(min(issue, last)), "updated_at": at(last)}

    def _status(self, pk, due):
        """``(status, due date)`` of the action ``pk`` due on ``due``: mostly closed when long
        overdue, all closed when older than the 100k agency's span (the archive of a longer
        history), mostly open when due ahead; the detail action is in progress."""
        from actions.choices import ActionStatus

        rng, choice, today = self.rng, self.choice, self.today
        open_statuses = [
            ActionStatus.NOT_STARTED,
            ActionStatus.IN_PROGRESS,
            ActionStatus.IN_PROGRESS,
            ActionStatus.IN_PROGRESS,
            ActionStatus.SUBMITTED,
            ActionStatus.RETURNED,
            ActionStatus.ON_HOLD,
            ActionStatus.DRAFT,
        ]
        age = (today - due).days
        if pk == self.special:
            status, due = ActionStatus.IN_PROGRESS, today + datetime.timedelta(days=30)
        elif age > 60:
            status = (
                choice(open_statuses[:-1])
                if rng.random() < (0.045 if age <= HISTORY_DAYS else 0.0)
                else (ActionStatus.COMPLETED if rng.random() < 0.9 else ActionStatus.CANCELLED)
            )
        elif age > 0:
            status = (
                choice(open_statuses[:-1])
                if rng.random() < 0.35
                else (ActionStatus.COMPLETED if rng.random() < 0.9 else ActionStatus.CANCELLED)
            )
        else:
            status = ActionStatus.COMPLETED if rng.random() < 0.08 else choice(open_statuses)
        return status, due

    def action_links(self):
        """Many-to-many links of the actions to their context (the detail action: 3 each)."""
        linked = sum(
            (
                self._link("legal_authorities", self.authority_ids, 0.5),
                self._link("analyses", self.analysis_ids, 0.15),
                self._link("impacts", self.impact_ids, 0.15),
                self._link("risk_items", self.risk_ids, 0.15),
                self._link("agreements", self.agreement_ids, 0.05),
                self._link("partners", self.account_ids, 0.1),
            )
        )
        self.log(f"{linked} links between actions and their context")

    def _link(self, field, targets, share, per_action=(1, 2)):
        from actions.models import ExecutiveAction

        rng, special = self.rng, self.special
        through = getattr(ExecutiveAction, field).through
        names = [f.attname for f in through._meta.concrete_fields if f.attname != "id"]
        source, target = (
            (names[0], names[1]) if names[0] == "executiveaction_id" else (names[1], names[0])
        )
        pairs = []
        for pk in self.action_ids:
            if pk == special or rng.random() < share:
                k = 3 if pk == special else self.randint(*per_action)
                for t in rng.sample(targets, k):
                    pairs.append((pk, t))
        ids = iter(self.w.ids(through, len(pairs)))
        self.w.write(through, [{"id": next(ids), source: a, target: t} for a, t in pairs])
        return len(pairs)

    def assignments(self):
        """Coordinating units on half the actions (five on the detail action)."""
        from actions.choices import AssignmentRole, AssignmentStatus
        from actions.models import Assignment

        rng, choice, special = self.rng, self.choice, self.special
        assignment_rows = []
        for pk in self.action_ids:
            if pk != special and rng.random() < 0.5:
                continue
            lead, due, final, _ = self.info[pk]
            k = 5 if pk == special else self.randint(1, 2)
            for unit_id in {choice(self.all_unit_ids) for _ in range(k)} - {lead}:
                assignment_rows.append(
                    {
                        "action_id": pk,
                        "organization_unit_id": unit_id,
                        "person_id": None,
                        "role": AssignmentRole.COORDINATING,
                        "due_date": due,
                        "status": AssignmentStatus.CONCUR if final else AssignmentStatus.PENDING,
                    }
                )
        ids = self.w.ids(Assignment, len(assignment_rows))
        for row, pk in zip(assignment_rows, ids, strict=True):
            row["id"] = pk
        self.w.write(Assignment, assignment_rows)
        self.log(f"{len(assignment_rows)} assignments")

    def status_updates(self):
        """Status updates, 50 of them on the detail action."""
        from actions.choices import Health, StatusUpdateKind
        from actions.models import StatusUpdate

        choice, randint, today = self.choice, self.randint, self.today
        n_updates = self.size["status_updates"]
        update_ids = iter(self.w.ids(StatusUpdate, n_updates))
        kinds = StatusUpdateKind.values
        healths = Health.values
        update_rows = []
        others = self.action_ids[1:]
        targets = [self.special] * 50 + [choice(others) for _ in range(max(n_updates - 50, 0))]
        for action_id in targets:
            _, due, _, issue = self.info[action_id]
            date = min(issue + datetime.timedelta(days=randint(0, 120)), today)
            update_rows.append(
                {
                    "id": next(update_ids),
                    "action_id": action_id,
                    "kind": choice(kinds),
                    "sent_to": "",
                    "status_date": date,
                    "reporting_period_start": None,
                    "reporting_period_end": None,
                    "reported_by_id": choice(self.internal_people),
                    "health": choice(healths),
                    "percent_complete": randint(0, 100),
                    "key_accomplishments": "Progress as planned.",
                    "escalation_required": False,
                }
            )
        self.w.write(StatusUpdate, update_rows)
        self.log(f"{len(update_rows)} status updates")

    def rebuild_indexes(self, trigram_indexes):
        """Rebuild the trigram indexes :meth:`prepare_fast_load` dropped."""
        if not trigram_indexes:
            return
        with self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _, definition in trigram_indexes:
                cursor.execute(definition)
        self.log(f"rebuilt {len(trigram_indexes)} trigram search indexes")

    def finish(self):
        """Move the id sequences past the inserted ids and refresh the statistics."""
        from actions.models import Assignment, ExecutiveAction, ExecutiveActionType, StatusUpdate
        from analysis.models import Analysis, Impact, LegalAuthority, RiskItem
        from partners.models import (
            Account,
            Agreement,
            OrganizationUnit,
            OrganizationUnitType,
            Person,
        )

        if self.w.postgres:
            # lay the taskers out as a table that grew over the years does: by issue date
            # (rows written in id order would scatter this year's work over every page)
            with self.connection.cursor() as cursor:
                table = ExecutiveAction._meta.db_table
                cursor.execute(f"CLUSTER {table} USING ea_issue_date_idx")  # noqa: S608
            self.log("laid the actions out by issue date")
        self.w.finish(
            [
                OrganizationUnitType,
                OrganizationUnit,
                Account,
                Person,
                LegalAuthority,
                Agreement,
                Agreement.parties.through,
                Analysis,
                Impact,
                RiskItem,
                ExecutiveActionType,
                ExecutiveAction,
                Assignment,
                StatusUpdate,
                *(
                    getattr(ExecutiveAction, f.name).through
                    for f in ExecutiveAction._meta.many_to_many
                ),
            ]
        )

    def tallies(self):
        """Recount the dashboard's maintained tallies: the load ran with triggers off."""
        from actions import tallies
        from actions.models import CompletionTally

        tallies.rebuild()
        self.w.finish([CompletionTally])  # its planner statistics, like every loaded table
        self.log("recounted the completion tally")

    def summary(self):
        """What :func:`generate` returns."""
        return {
            "seconds": round(time.perf_counter() - self.started, 1),
            "root_unit_id": self.root["id"],
            "level1_unit_id": self.units[1]["id"],
            "leaf_unit_id": self.staff_unit["id"],
            "detail_action_id": self.special,
            "manager": MANAGER_USERNAME,
            "staff": STAFF_USERNAME,
            "password": BENCH_PASSWORD,
            "overdue": self.overdue,
            "counts": self.w.counts,
        }


def _fanout_for(n_units):
    """Children per unit at depths 1–3 so that the tree has five levels and ``n_units`` units."""
    if n_units >= 1000:
        return FANOUT
    # small sizes: a thin tree that still reaches depth 4
    return (3, 2, 2, None)


def setup_django():
    """Make the project importable and configure Django (for running this file directly)."""
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "execcoord.settings")
    import django

    django.setup()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=100000, help="number of actions")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--history",
        type=float,
        default=None,
        help="times the 100k agency's span of suspense dates (default: actions / 100,000; "
        "1 scales the open work with the actions instead)",
    )
    args = parser.parse_args(argv)
    setup_django()
    result = generate(args.actions, seed=args.seed, out=sys.stdout, history=args.history)
    print(f"generated in {result['seconds']} s")
    for key in ("root_unit_id", "level1_unit_id", "leaf_unit_id", "detail_action_id", "overdue"):
        print(f"{key}: {result[key]}")
    print(f"sign-ins: {MANAGER_USERNAME} / {STAFF_USERNAME}, password {BENCH_PASSWORD}")


if __name__ == "__main__":
    main()
