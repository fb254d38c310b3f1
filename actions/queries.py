"""The read side of the actions app: "My work", the manager dashboard and their drill-through.

Every number here is computed in SQL (``Count`` with ``FILTER``) on a queryset that starts with
``ExecutiveAction.objects.visible_to(user)``, so a count never reveals a restricted tasker, and
every number carries the query string of the action list that shows exactly the rows counted
(the filters are documented in ``actions.filtersets.ExecutiveActionFilterSet``).

"Today" is computed once per page (``timezone.localdate()``, the agency's time zone) and passed
down, so every number of one page agrees on what day it is.
"""

import datetime
import functools
import math
import statistics
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.utils import timezone

from actions.choices import (
    OPEN_STATUSES,
    ActionStatus,
    ExtensionStatus,
    Priority,
    RouteOutcome,
    RouteStepKind,
    RouteStepState,
)
from actions.due import (
    COMPLETED,
    OPEN,
    due_soon_q,
    overdue_q,
)
from actions.models import Assignment, ExecutiveAction, ExtensionRequest, RouteStep
from actions.tallies import live_rest, tallied_figures
from execcoord.access import read_key
from execcoord.db.arrays import InArray
from execcoord.db.compiled import aggregate_once, values_once
from execcoord.db.trees import subtree_q
from execcoord.db.union import Shaped, load_together
from execcoord.utils import cached_reverse
from partners.access import get_user_scope
from partners.models import PATH_DIGITS, OrganizationUnit

SECTION_ROWS = 10
WEEKS = 12
RECENT_DAYS = 7
# Overdue ageing buckets in whole days past the suspense date: (label, min, max or None).
AGEING_BUCKETS = (
    ("1–7 days", 1, 7),
    ("8–30 days", 8, 30),
    ("31–90 days", 31, 90),
    ("90+ days", 91, None),
)

NOTHING = Q(pk__in=[])


def action_list_url(**params):
    """The action list filtered by ``params`` (``None`` values are left out)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")}, doseq=True)
    base = cached_reverse("actions:executiveaction_list")
    return f"{base}?{query}" if query else base


def extended_q():
    """At least one extension request of the action was approved (the approved requests read
    once, as an array an index can serve inside an ``OR``)."""
    approved = ExtensionRequest.objects.filter(status=ExtensionStatus.APPROVED)
    return Q(InArray("pk", approved.values("action_id")))


def extension_pending_q():
    """The action has an extension request waiting for a decision (``id IN``: read once)."""
    pending = ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING)
    return Q(pk__in=pending.values("action_id"))


def needs_officer_q():
    """Issued, open and led by a unit, but nobody accountable yet: a secretariat tasked the
    office, whose manager names the action officer (issue 17)."""
    return (
        OPEN
        & ~Q(status=ActionStatus.DRAFT)
        & Q(lead_unit_id__isnull=False, accountable_person_id__isnull=True)
    )


def issued_by_q(unit_path):
    """Issued by the unit with ``unit_path`` or a unit below it (what a secretariat issued)."""
    return subtree_q([unit_path], "issuing_unit__path")


def assigned_q(**lookup):
    """An assignment of the action matches ``lookup`` (``person_id=…``, ``organization_unit_id=…``).

    Written ``id IN (SELECT action_id …)`` rather than a correlated ``EXISTS``: PostgreSQL
    reads the assignments once into a hash instead of probing them for every action row.
    """
    return Q(pk__in=Assignment.objects.filter(**lookup).values("action_id"))


def involving_q(person_id, unit_id):
    """The person is accountable, the action is led by or assigned to their unit, or an
    assignment names them (what "my work" means)."""
    q = Q(accountable_person_id=person_id) | assigned_q(person_id=person_id)
    if unit_id:
        q |= Q(lead_unit_id=unit_id) | assigned_q(organization_unit_id=unit_id)
    return q


def involving_ids(person_id, unit_id, *more, changed_since=None, among=None):
    """The ids of the actions that involve the person (as :func:`involving_q`) and of the
    querysets ``more`` (flat lists of action ids): one ``UNION`` of index reads.

    ``changed_since``: only the work in hand among the involving ones, open or changed since
    that moment (every section of My work asks no more), so the ids do not grow with the
    years of closed taskers a person or unit was ever named on.

    ``among``: only those of this queryset of actions (``visible_to(user)``), in the same
    query: the rule is then asked once of these few ids rather than by every later query.
    """
    parts = [
        ExecutiveAction.objects.filter(accountable_person_id=person_id),
        Assignment.objects.filter(person_id=person_id),
    ]
    if unit_id:
        parts.append(ExecutiveAction.objects.filter(lead_unit_id=unit_id))
        parts.append(Assignment.objects.filter(organization_unit_id=unit_id))
    if changed_since is not None:
        in_hand = OPEN | Q(updated_at__gte=changed_since)
        parts = [
            part.filter(
                in_hand
                if part.model is ExecutiveAction
                else Q(action__status__in=OPEN_STATUSES) | Q(action__updated_at__gte=changed_since)
            )
            for part in parts
        ]
    flat = [
        part.order_by().values_list("pk" if part.model is ExecutiveAction else "action_id")
        for part in parts
    ]
    first, *rest = [*flat, *(m.order_by() for m in more)]
    union = first.union(*rest)
    if among is not None:  # ARRAY(…): the planner reads the rule's rows by these ids
        return set(among.filter(InArray("pk", union)).values_list("pk", flat=True))
    return {pk for (pk,) in union}


def held_by_unit_q(unit_id):
    """Open taskers whose current route step is office ``unit_id``'s (``id IN``)."""
    current = RouteStep.objects.filter(state=RouteStepState.CURRENT, organization_unit_id=unit_id)
    return OPEN & Q(pk__in=current.values("action_id"))


def completed_routes(after=None, before=None):
    """The ids (a subquery) of taskers whose route is complete — every step done and every
    non-concurrence disposed of — with its last step done from ``after`` to ``before``
    (dates, inclusive, in the agency's time zone)."""
    unfinished = ~Q(state=RouteStepState.DONE) | Q(outcome=RouteOutcome.NON_CONCUR, disposition="")
    done = (
        RouteStep.objects.order_by()
        .values("action_id")
        .annotate(unfinished=Count("pk", filter=unfinished), end=Max("completed_at"))
        .filter(unfinished=0)
    )
    if after:
        done = done.filter(end__gte=start_of_day(after))
    if before:
        done = done.filter(end__lt=start_of_day(before + datetime.timedelta(days=1)))
    return done.values("action_id")


def start_of_day(day):
    """The aware datetime at which ``day`` begins in the agency's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# ---------------------------------------------------------------------------------------------
# My work


@dataclass
class Section:
    """One table of My work: a title, its count, its first rows and the link to all of them."""

    key: str
    title: str
    help: str
    count: int = 0
    url: str = ""
    rows: list = field(default_factory=list)
    kind: str = "actions"  # or "extensions"
    lead_column: bool = False  # its rows show their lead office


@dataclass(frozen=True)
class Mine:
    """What the sections of one user's My work are computed from (see :func:`my_work`)."""

    today: datetime.date
    days: int  # settings.DUE_SOON_DAYS
    pid: int
    uid: int | None
    concerning: Q  # the visible actions involving the user, as one array of ids
    managed: object  # a subquery of the units the user manages, or None
    roots: list  # the top units the user manages (ids)
    secretariat: bool = False  # works in the executive secretariat (``is_secretariat``)
    unit_path: str = ""
    ids: tuple = ()  # the ids of ``concerning``

    @property
    def mine(self):
        return self.concerning & involving_q(self.pid, self.uid)

    @property
    def subtree(self):
        return ",".join(map(str, self.roots))

    @property
    def recent_since(self):
        return self.today - datetime.timedelta(days=RECENT_DAYS - 1)


@dataclass(frozen=True)
class SectionSpec:
    """One section of My work, declared: its texts (``{days}`` and ``{recent}`` filled in),
    the condition of the actions it counts and lists, their order, and the action-list
    filters of its "See all" link (each a function of :class:`Mine`).

    ``managers`` sections appear for managers only, ``secretariat`` ones for the staff of the
    executive secretariat (both count beyond the actions that involve the user); an
    ``extensions`` section counts with its condition and lists the pending extension
    requests instead of the actions.
    """

    key: str
    title: str
    help: str
    where: object
    link: object
    order: tuple = ("due_date", "pk")
    managers: bool = False
    kind: str = "actions"
    secretariat: bool = False


MY_WORK = (
    SectionSpec(
        "accountable",
        "I am accountable",
        "Open taskers where you are the accountable person (action officer).",
        where=lambda m: OPEN & Q(accountable_person_id=m.pid),
        link=lambda m: {"accountable_person_id": m.pid, "open": "true"},
    ),
    SectionSpec(
        "unit",
        "Led by my unit",
        "Open taskers your unit leads (OPR).",
        where=lambda m: OPEN & Q(lead_unit_id=m.uid) if m.uid else NOTHING,
        link=lambda m: {"lead_unit_id": m.uid, "open": "true"},
    ),
    SectionSpec(
        "supporting",
        "My unit supports",
        "Open taskers your unit is assigned to as a supporting unit (OCR).",
        where=lambda m: (
            OPEN & m.concerning & assigned_q(organization_unit_id=m.uid) if m.uid else NOTHING
        ),
        link=lambda m: {"supporting_unit": m.uid, "open": "true"},
    ),
    SectionSpec(
        "desk",
        "On my unit's desk (route)",
        "Open taskers whose response waits at a route step of your unit: review, concur, "
        "sign or approve.",
        where=lambda m: OPEN & m.concerning & held_by_unit_q(m.uid) if m.uid else NOTHING,
        link=lambda m: {"held_by_unit": m.uid, "open": "true"},
    ),
    SectionSpec(
        "due_soon",
        "Due in the next {days} days",
        "My work (any of the above, or assigned to me) due from today to {days} days ahead.",
        where=lambda m: m.mine & due_soon_q(m.today, m.days),
        link=lambda m: {"involving_person": m.pid, "due_within": m.days, "sort": "due_date"},
    ),
    SectionSpec(
        "overdue",
        "Overdue",
        "My work whose suspense date has passed and that is not completed or cancelled.",
        where=lambda m: m.mine & overdue_q(m.today),
        link=lambda m: {"involving_person": m.pid, "overdue": "true", "sort": "due_date"},
    ),
    SectionSpec(
        "recent",
        "Recently updated",
        "My work changed in the last {recent} days, newest first.",
        where=lambda m: m.mine & Q(updated_at__gte=start_of_day(m.recent_since)),
        link=lambda m: {
            "involving_person": m.pid,
            "updated_at_after": m.recent_since.isoformat(),
            "sort": "-updated_at",
        },
        order=("-updated_at", "-pk"),
    ),
    SectionSpec(
        "reviews",
        "Waiting for my review",
        "Taskers of the units you manage submitted for review.",
        where=lambda m: Q(status=ActionStatus.SUBMITTED, lead_unit_id__in=m.managed),
        link=lambda m: {"lead_unit_subtree": m.subtree, "status": ActionStatus.SUBMITTED},
        managers=True,
    ),
    SectionSpec(
        "extensions",
        "Extension requests waiting for me",
        "Pending extension requests on taskers of the units you manage.",
        where=lambda m: m.concerning & extension_pending_q() & Q(lead_unit_id__in=m.managed),
        link=lambda m: {"lead_unit_subtree": m.subtree, "extension_pending": "true"},
        managers=True,
        kind="extensions",
    ),
    SectionSpec(
        "needs_officer",
        "Needs an action officer",
        "Issued taskers led by the units you manage with nobody accountable yet: name the "
        "action officer on the Assign page.",
        where=lambda m: needs_officer_q() & Q(lead_unit_id__in=m.managed),
        link=lambda m: {"lead_unit_subtree": m.subtree, "needs_officer": "true"},
        managers=True,
    ),
    SectionSpec(
        "issued",
        "Issued by my office",
        "Open taskers your unit (or a unit below it) issued, wherever they are led, "
        "drafts included.",
        where=lambda m: OPEN & issued_by_q(m.unit_path),
        link=lambda m: {"issuing_unit_subtree": m.uid, "open": "true"},
        secretariat=True,
    ),
    SectionSpec(
        "issued_overdue",
        "Issued by my office: overdue",
        "Taskers your unit issued whose suspense date has passed, by lead office on the list.",
        where=lambda m: issued_by_q(m.unit_path) & overdue_q(m.today),
        link=lambda m: {
            "issuing_unit_subtree": m.uid,
            "overdue": "true",
            "sort": "lead_unit",
        },
        secretariat=True,
    ),
)


def my_work(user, today=None, specs=MY_WORK):
    """The sections of the signed-in user's home page (``specs``), in a fixed number of
    queries.

    One aggregate query counts every section; one query fetches the first rows of every
    section (an ``IN (… LIMIT 10)`` per section, OR-ed); managers get one more query for the
    pending extension requests of their units. Returns ``(sections, person_id)``.
    """
    mine = _mine(user, today or timezone.localdate())
    if mine is None:
        return [], None
    specs = [
        spec
        for spec in specs
        if (mine.roots or not spec.managers) and (mine.secretariat or not spec.secretariat)
    ]
    texts = {"days": mine.days, "recent": RECENT_DAYS}
    sections = [
        Section(
            spec.key,
            spec.title.format(**texts),
            spec.help.format(**texts),
            url=action_list_url(**spec.link(mine)),
            kind=spec.kind,
            lead_column=spec.secretariat or spec.key == "needs_officer",
        )
        for spec in specs
    ]
    # Everything below is the same for a reader all day while their work in hand is: the
    # counts and the first rows are compiled once for it, the pending extension requests
    # once per reader (``compiled.aggregate_once``, ``Shaped``); the sections' conditions
    # are built only to compile them.
    reader = read_key(ExecutiveAction, user)
    keys = tuple(spec.key for spec in specs)
    shape = ("my_work", reader, mine.today, mine.days, mine.ids, keys)
    plan = functools.cache(lambda: _plan(user, mine, specs))
    counts = aggregate_once((*shape, "counts"), lambda: plan()[1])
    batch = {"rows": Shaped((*shape, "rows"), lambda: _first_rows_query(plan()[0]))}
    if any(section.kind == "extensions" for section in sections):
        batch["extensions"] = Shaped(
            ("my_work:extensions", reader),
            lambda: _pending_extensions(
                ExecutiveAction.objects.visible_to(user).filter(lead_unit_id__in=mine.managed)
            ),
        )
    loaded = load_together(batch)
    orders = {spec.key: spec.order for spec in specs if spec.kind == "actions"}
    rows = _first_rows(orders, loaded["rows"])
    for section in sections:
        section.count = counts.get(section.key, 0)
        if section.kind == "extensions":
            section.rows = loaded["extensions"]
        else:
            section.rows = rows[section.key]
    return sections, mine.pid


def _mine(user, today):
    """The :class:`Mine` of ``user`` (``None`` for a user who is no person): the actions that
    involve the user (and, for a manager, those with a pending extension request), read once
    through their indexes; every section starts from these ids so that PostgreSQL plans each
    one as a few primary-key reads."""
    scope = get_user_scope(user)
    if not scope.person_id:
        return None
    pid, uid = scope.person_id, scope.unit_id
    roots = sorted(pk for _, pk in scope.managed_roots())
    managed = scope.managed_units().values("pk") if roots else None
    more = []
    if uid:  # the route steps waiting at the user's unit (the "desk" section)
        more.append(
            RouteStep.objects.filter(state=RouteStepState.CURRENT, organization_unit_id=uid)
            .order_by()
            .values_list("action_id")
        )
    if roots:
        pending = ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING)
        more.append(pending.filter(action__lead_unit_id__in=managed).values_list("action_id"))
    # the sections read open taskers, or those changed in the recent days (see MY_WORK)
    since = start_of_day(today - datetime.timedelta(days=RECENT_DAYS - 1))
    visible = ExecutiveAction.objects.visible_to(user)
    ids = sorted(involving_ids(pid, uid, *more, changed_since=since, among=visible))
    return Mine(
        today=today,
        days=settings.DUE_SOON_DAYS,
        pid=pid,
        uid=uid,
        concerning=Q(InArray("pk", ids)),  # one array parameter, however many ids
        managed=managed,
        roots=roots,
        secretariat=bool(scope.in_secretariat and uid and scope.unit_path),
        unit_path=scope.unit_path,
        ids=tuple(ids),
    )


def _plan(user, mine, specs):
    """What My work's queries are built from: ``({key: (condition, order, the actions it
    reads)}`` of the sections that list actions, ``(queryset, {key: Count})`` of the
    counts)."""
    visible = ExecutiveAction.objects.visible_to(user)
    # the ids that involve the user are visible ones already (``_mine``): the sections that
    # read only those need no visibility rule of their own; a manager's sections read the
    # units they manage as well, the secretariat's what its unit issued, through the rule
    wide = {spec.key for spec in specs if spec.managers or spec.secretariat}
    listed = {
        spec.key: (
            spec.where(mine) if spec.key in wide else mine.concerning & spec.where(mine),
            spec.order,
            visible if spec.key in wide else ExecutiveAction.objects.all(),
        )
        for spec in specs
        if spec.kind == "actions"
    }
    counted = _any([mine.concerning] + [listed[key][0] for key in wide if key in listed])
    counts = (visible if wide else ExecutiveAction.objects.all()).filter(counted)
    return listed, (counts, {spec.key: Count("pk", filter=spec.where(mine)) for spec in specs})


def _first_rows(orders, rows):
    """The first :data:`SECTION_ROWS` actions of every section of ``orders`` (``{key:
    order}``), ``{key: [actions]}``, from the ``rows`` of :func:`_first_rows_query` (one
    query for them all)."""
    result = {}
    for key, order in orders.items():
        picked = [r for r in rows if getattr(r, f"in_{key}")]
        if order[0] == "-updated_at":
            picked.sort(key=lambda r: (r.updated_at, r.pk), reverse=True)
        result[key] = picked[:SECTION_ROWS]
    return result


def _first_rows_query(listed):
    """The actions among the first :data:`SECTION_ROWS` of any condition of ``listed``, each
    with a flag ``in_<key>`` per condition it meets."""
    firsts = [
        among.filter(cond).order_by(*order).values("pk")[:SECTION_ROWS]
        for cond, order, among in listed.values()
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        first_rows = Q(pk__in=firsts[0].union(*firsts[1:], all=True))
    else:  # SQLite: no LIMIT inside a UNION
        first_rows = _any(Q(pk__in=first) for first in firsts)
    flags = {
        f"in_{key}": ExpressionWrapper(cond, output_field=BooleanField())
        for key, (cond, _, _) in listed.items()
    }
    return (
        ExecutiveAction.objects.filter(first_rows)
        .select_related("lead_unit", "accountable_person", "action_type")
        .annotate(**flags)
        .order_by("due_date", "pk")
    )


def _pending_extensions(actions):
    """The first pending extension requests of ``actions``, oldest first."""
    pending = (
        ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING, action__in=actions)
        .select_related("action", "action__lead_unit", "requested_by")
        .order_by("created_at", "pk")
    )
    return pending[:SECTION_ROWS]


def _any(conditions):
    """The OR of ``conditions``."""
    result = NOTHING
    for condition in conditions:
        result |= condition
    return result


# ---------------------------------------------------------------------------------------------
# Manager dashboard


@dataclass
class Number:
    """A dashboard number, its plain-words definition, and the list that shows its rows."""

    label: str
    value: int
    url: str
    definition: str = ""


@dataclass
class Bar:
    """One bar of a chart (also one row of its table equivalent)."""

    label: str
    value: int
    url: str
    width: float = 0.0  # percent of the chart's largest bar
    px: float = 0.0  # drawn length in the 220-unit-wide plot of a bar chart
    y: int = 0  # top of the bar's 26-unit row

    @property
    def text_x(self):
        return round(146 + self.px, 1)

    @property
    def rect_y(self):
        return self.y + 3


@dataclass
class DashboardFilters:
    """What the dashboard is about: a unit (with sub-units) and optional narrowing.

    ``issued`` turns it from the taskers the unit leads to the taskers it issued (the
    secretariat's view, issue 17)."""

    unit: OrganizationUnit
    action_type_id: int | None = None
    priority: str | None = None
    due_after: datetime.date | None = None
    due_before: datetime.date | None = None
    issued: bool = False

    def key(self):
        """A hashable naming everything :meth:`queryset_filter` reads."""
        return (
            self.unit.pk,
            self.unit.path,
            self.action_type_id,
            self.priority,
            self.due_after,
            self.due_before,
            self.issued,
        )

    def queryset_filter(self):
        if self.issued:
            q = issued_by_q(self.unit.path)
        else:
            q = subtree_q([self.unit.path], "lead_unit__path")
        if self.action_type_id:
            q &= Q(action_type_id=self.action_type_id)
        if self.priority:
            q &= Q(priority=self.priority)
        if self.due_after:
            q &= Q(due_date__gte=self.due_after)
        if self.due_before:
            q &= Q(due_date__lte=self.due_before)
        return q

    def list_params(self):
        """The action-list filters equal to :meth:`queryset_filter`."""
        return {
            "issuing_unit_subtree" if self.issued else "lead_unit_subtree": self.unit.pk,
            "action_type_id": self.action_type_id,
            "priority": self.priority,
            "due_date_after": self.due_after.isoformat() if self.due_after else None,
            "due_date_before": self.due_before.isoformat() if self.due_before else None,
        }


def _with_widths(bars):
    top = max((b.value for b in bars), default=0)
    for i, bar in enumerate(bars):
        bar.y = 26 * i
        bar.width = round(100 * bar.value / top, 1) if top else 0.0
        bar.px = round(2.2 * bar.width, 1)
    return bars


def week_starts(today, weeks=WEEKS):
    """The Mondays of the last ``weeks`` weeks, oldest first, the current week last."""
    monday = today - datetime.timedelta(days=today.weekday())
    return [monday - datetime.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


class DaysFrom(Func):
    """Whole days from the date ``start`` to a date expression (an integer)."""

    output_field = IntegerField()

    def __init__(self, expression, start):
        super().__init__(expression, Value(start, output_field=DateField()))

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: date - date = integer
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


def dashboard_counts(rows, today, days, weeks, branch_length, shape=None):
    """Every number of the dashboard from one ``GROUP BY`` pass over ``base``.

    Each row is put in a few small classes computed in SQL (for an open row, how far past
    or before its suspense date; for an overdue one, its priority, child unit and type; the
    week it was issued and completed in, whether it was completed this month and on time,
    whether it was ever extended), counted per class, and the classes are summed here. At
    100,000 taskers this is one scan with a handful of ``CASE`` per row, where a ``FILTER``
    per number evaluated some forty conditions per row.

    A class that none of a row's numbers reads is ``NULL`` for that row (a completed tasker
    has no ageing bucket, an open one that is not overdue no priority here), so the groups
    stay few: 1,650 at the root of a million taskers, where grouping by every row's status
    and priority made 4,200 rows to read.

    ``rows() -> (base, rates_of)``: the taskers to count, and when ``rates_of`` is not
    ``None`` the only ones that count in the on-time rates (the dashboard reads the others
    from the maintained tally, ``actions.tallies``).

    ``shape``: names everything ``rows`` and the other arguments are built from (the
    reader's read key, the filters, the day): the query is then compiled once for it, and
    ``rows`` called only then (``compiled.values_once``); its rows are read without
    Django's converters.

    Returns ``(numbers, overdue by branch path, overdue by type id)``; the
    numbers use the keys the dashboard's tiles, rates and charts read.
    """

    def grouped():
        base, rates_of = rows()
        classes = _classes(today, days, weeks, branch_length, rates_of)
        return base.annotate(**classes).values(*classes).annotate(n=Count("pk")).order_by()

    return _tally(values_once(shape, grouped), len(weeks))


def _ageing(today, days):
    """How far past its suspense date an open row is: the index of its ageing bucket, -1
    when due within ``days``, -2 later or without a suspense date; ``NULL`` for a row not
    open (which no ageing figure counts)."""
    overdue_when = [
        When(due_date__lte=today - datetime.timedelta(days=low), then=Value(i))
        for i, (_, low, _) in reversed(list(enumerate(AGEING_BUCKETS)))
    ]
    bucket = Case(
        *overdue_when,
        When(due_date__lte=today + datetime.timedelta(days=days), then=Value(-1)),
        default=Value(-2),
        output_field=IntegerField(),
    )
    return Case(When(OPEN, then=bucket), default=Value(None), output_field=IntegerField())


def _week_of(field, weeks, condition=None):
    """The week of the chart (0 = oldest) ``field`` falls in, by arithmetic rather than a
    ``WHEN`` per week; -1 outside the chart."""
    first_monday, last_sunday = weeks[0], weeks[-1] + datetime.timedelta(days=6)
    in_chart = (condition or Q()) & Q(**{f"{field}__range": (first_monday, last_sunday)})
    return Case(
        When(in_chart, then=DaysFrom(F(field), first_monday) / Value(7)),
        default=Value(-1),
        output_field=IntegerField(),
    )


def _on_time(deadline, among=None):
    """Whether a completed row (of ``among``) met ``deadline``; ``NULL`` for the others."""
    return Case(
        When(
            COMPLETED & Q(**{f"{deadline}__isnull": False}) & (among or Q()),
            then=ExpressionWrapper(Q(completed_date__lte=F(deadline)), output_field=BooleanField()),
        ),
        default=Value(None),
        output_field=BooleanField(),
    )


def _classes(today, days, weeks, branch_length, rates_of):
    """The classes :func:`dashboard_counts` groups by, as SQL expressions by name."""
    overdue = overdue_q(today)
    month_start = today.replace(day=1)
    return {
        "k_due": _ageing(today, days),
        "k_issued": _week_of("issue_date", weeks),
        "k_done": _week_of("completed_date", weeks, COMPLETED),
        "k_month": ExpressionWrapper(
            COMPLETED & Q(completed_date__gte=month_start, completed_date__lte=today),
            output_field=BooleanField(),
        ),
        "k_orig": _on_time("original_due_date", rates_of),
        "k_cur": _on_time("due_date", rates_of),
        "k_ext": ExpressionWrapper(extended_q(), output_field=BooleanField()),
        # an overdue row's priority, child unit and type; NULL for the others
        "k_prio": Case(When(overdue, then=F("priority")), default=Value(None)),
        "k_branch": Case(
            When(overdue, then=Substr("lead_unit__path", 1, branch_length)),
            default=Value(None),
        ),
        "k_type": Case(When(overdue, then=F("action_type_id")), default=Value(None)),
    }


def _tally(rows, weeks):
    """Sum the class counts of :func:`dashboard_counts` (``weeks``: how many weeks the chart
    shows) into its numbers, overdue by branch and overdue by type."""
    keys = ["open", "overdue", "due_soon", "completed_month", "extended"]
    keys += ["on_time_original", "late_original", "on_time_current", "late_current"]
    keys += [f"age_{i}" for i in range(len(AGEING_BUCKETS))]
    keys += [f"prio_{value}" for value in Priority.values]
    keys += [f"opened_{i}" for i in range(weeks)] + [f"closed_{i}" for i in range(weeks)]
    n = dict.fromkeys(keys, 0)
    by_branch, by_type = {}, {}
    for row in rows:
        count = row["n"]
        due = row["k_due"]
        if due is not None:  # open
            n["open"] += count
            if due >= 0:
                n["overdue"] += count
                n[f"age_{due}"] += count
                n[f"prio_{row['k_prio']}"] += count
                branch, kind = row["k_branch"], row["k_type"]
                by_branch[branch] = by_branch.get(branch, 0) + count
                by_type[kind] = by_type.get(kind, 0) + count
            elif due == -1:
                n["due_soon"] += count
        if row["k_month"]:
            n["completed_month"] += count
        if row["k_ext"]:
            n["extended"] += count
        for key, value in (("original", row["k_orig"]), ("current", row["k_cur"])):
            if value is not None:
                n[f"on_time_{key}" if value else f"late_{key}"] += count
        if row["k_issued"] >= 0:
            n[f"opened_{row['k_issued']}"] += count
        if row["k_done"] >= 0:
            n[f"closed_{row['k_done']}"] += count
    return n, by_branch, by_type


@dataclass(frozen=True)
class Tile:
    """A number of the dashboard, declared: its label and definition (``{days}`` and
    ``{month_start}`` filled in), its key in :func:`dashboard_counts`, and the action-list
    filters of its link (a function of ``today``)."""

    label: str
    key: str
    link: object
    definition: str


@dataclass(frozen=True)
class Rate:
    """An on-time rate of the dashboard: the counts on time and late against ``deadline``
    (``original`` or ``current``) and the list filter that shows either."""

    label: str
    deadline: str
    param: str
    definition: str


def _month(today):
    return {"after": today.replace(day=1).isoformat(), "before": today.isoformat()}


TILES = (
    Tile(
        "Open",
        "open",
        lambda today: {"open": "true"},
        "Taskers not completed or cancelled (any status from draft to on hold).",
    ),
    Tile(
        "Overdue",
        "overdue",
        lambda today: {"overdue": "true", "sort": "due_date"},
        "Suspense date before today, status not completed or cancelled.",
    ),
    Tile(
        "Due in {days} days",
        "due_soon",
        lambda today: {"due_within": settings.DUE_SOON_DAYS, "sort": "due_date"},
        "Open, with a suspense date from today to {days} days ahead.",
    ),
    Tile(
        "Completed this month",
        "completed_month",
        lambda today: {
            "status": ActionStatus.COMPLETED,
            "completed_date_after": _month(today)["after"],
            "completed_date_before": _month(today)["before"],
        },
        "Status completed, completion date from {month_start:%-d %B} to today.",
    ),
    Tile(
        "Taskers extended",
        "extended",
        lambda today: {"extended": "true"},
        "Taskers with at least one extension request approved (suspense moved later).",
    ),
)

RATES = (
    Rate(
        "On time against the original suspense",
        "original",
        "completed_on_time_original",
        "Completed on or before the suspense date set at issue, whatever extensions "
        "were granted since.",
    ),
    Rate(
        "On time against the current (extended) suspense",
        "current",
        "completed_on_time",
        "Completed on or before the suspense date in force, extensions included.",
    ),
)


def dashboard(user, filters, today, children, type_names):
    """Every number, chart and list of the manager dashboard (:data:`TILES`, :data:`RATES`,
    the ageing buckets, priorities, weeks, child units and types), in three queries.

    1. :func:`dashboard_counts`: one ``GROUP BY`` pass over the unit's visible taskers that
       yields every tile, rate, ageing bucket, priority, week, child unit and type;
    2. the on-time rates' part kept in the completion tally (``actions.tallies``);
    3. the ten oldest overdue taskers.

    The first two are compiled once per reader, filters and day, and their querysets built
    only then: a reader's later visits that day send the same SQL again.

    Args:
        user: the signed-in user.
        filters: a :class:`DashboardFilters`.
        today: the agency's date.
        children: the chosen unit's child units the user may see.
        type_names: ``{type id: name}`` of the action types the user may see.
    """
    today = today or timezone.localdate()
    days = settings.DUE_SOON_DAYS
    params = filters.list_params()

    def url(**extra):
        return action_list_url(**{**params, **extra})

    # The counts are the same SQL for a reader, filters and day: compiled once for them
    # (``values_once``, ``aggregate_once``), and built only then.
    shape = ("dashboard", read_key(ExecutiveAction, user), filters.key(), today, days)

    @functools.cache
    def base():
        return ExecutiveAction.objects.visible_to(user).filter(filters.queryset_filter())

    weeks = week_starts(today)
    # on-time rates: the tally's part, and the rest counted in the same GROUP BY
    tallied = tallied_figures(user, filters, shape=(*shape, "tally"))

    def counted():
        rest = live_rest(user, filters) & COMPLETED
        return base().filter(_current_q(today, weeks) | rest), rest

    n, by_branch, by_type = dashboard_counts(
        counted,
        today,
        days,
        weeks,
        len(filters.unit.path) + PATH_DIGITS + 1,
        shape=(*shape, "counts"),
    )
    for key, value in (tallied or {}).items():
        n[key] += value
    weekly = _weekly(n, weeks, today, url)
    return {
        "today": today,
        **_figures(n, filters, today, url),
        "by_unit": (
            None
            if filters.issued
            else _overdue_by_child_unit(by_branch, filters.unit, children, url)
        ),
        "by_lead_office": _by_lead_office(user, base(), today, url) if filters.issued else None,
        "by_type": _overdue_by_type(by_type, type_names, url),
        "weekly": weekly,
        "weekly_max": _weekly_heights(weekly),
        # sent alone, with its LIMIT: in a union its slice is a window over every overdue
        # row, which PostgreSQL joins to their people before keeping ten (7 -> 116 ms at 1M)
        "oldest": list(
            base()
            .filter(overdue_q(today))
            .select_related("lead_unit", "accountable_person")
            .order_by("due_date", "pk")[:SECTION_ROWS]
        ),
        "oldest_url": url(overdue="true", sort="due_date"),
    }


def _figures(n, filters, today, url):
    """The tiles, rates, ageing buckets and priorities of the counts ``n``, each linked."""
    texts = {"days": settings.DUE_SOON_DAYS, "month_start": today.replace(day=1)}
    return {
        "tiles": [
            Number(
                t.label.format(**texts),
                n[t.key],
                url(**t.link(today)),
                t.definition.format(**texts),
            )
            for t in TILES
        ],
        "rates": [_rate(rate, n, url) for rate in RATES],
        "ageing": _with_widths(
            [
                Bar(
                    label,
                    n[f"age_{i}"],
                    url(overdue_days_min=low, overdue_days_max=high, sort="due_date"),
                )
                for i, (label, low, high) in enumerate(AGEING_BUCKETS)
            ]
        ),
        "by_priority": _with_widths(
            [
                Bar(label, n[f"prio_{value}"], url(overdue="true", priority=value))
                for value, label in reversed(Priority.choices)
                if not filters.priority or value == filters.priority
            ]
        ),
    }


def _current_q(today, weeks):
    """The taskers any figure but the on-time rates reads: open ones (a partial index), those
    issued in the weekly chart's weeks or completed since the chart's first week or this
    month's first day (date indexes), and the extended ones. They grow with the work in
    hand and the recent weeks, not with history: the GROUP BY of :func:`dashboard_counts`
    over them gives the same numbers as over every tasker."""
    since = min(weeks[0], today.replace(day=1))
    return OPEN | Q(issue_date__gte=weeks[0]) | Q(completed_date__gte=since) | extended_q()


def _rate(rate, n, url):
    on_time, late = n[f"on_time_{rate.deadline}"], n[f"late_{rate.deadline}"]
    total = on_time + late
    return {
        "label": rate.label,
        "percent": round(100 * on_time / total) if total else None,
        "on_time": Number("on time", on_time, url(**{rate.param: "true"})),
        "late": Number("late", late, url(**{rate.param: "false"})),
        "total": total,
        "definition": rate.definition,
    }


def _weekly_heights(weekly):
    """Give each week its bar heights in the 150-unit-high plot; returns the largest count."""
    top = max([w["opened"].value for w in weekly] + [w["closed"].value for w in weekly])
    for w in weekly:
        w["opened_h"] = round(150 * w["opened"].value / top, 1) if top else 0
        w["closed_h"] = round(150 * w["closed"].value / top, 1) if top else 0
        w["opened_y"], w["closed_y"] = 165 - w["opened_h"], 165 - w["closed_h"]
    return top


def _weekly(n, weeks, today, url):
    rows = []
    for i, monday in enumerate(weeks):
        sunday = monday + datetime.timedelta(days=6)
        span = {"after": monday.isoformat(), "before": sunday.isoformat()}
        rows.append(
            {
                "monday": monday,
                "opened": Number(
                    "opened",
                    n[f"opened_{i}"],
                    url(issue_date_after=span["after"], issue_date_before=span["before"]),
                ),
                "closed": Number(
                    "completed",
                    n[f"closed_{i}"],
                    url(
                        status=ActionStatus.COMPLETED,
                        completed_date_after=span["after"],
                        completed_date_before=span["before"],
                    ),
                ),
            }
        )
    return rows


@dataclass
class LeadOfficeRow:
    """One lead office of the taskers a unit issued: its open, overdue and officer-less
    counts, each a :class:`Number` linking to its rows."""

    unit: OrganizationUnit | None
    open: Number
    overdue: Number
    needs_officer: Number

    @property
    def numbers(self):
        return (self.open, self.overdue, self.needs_officer)


def _by_lead_office(user, base, today, url):
    """Where the open taskers of ``base`` sit: per lead office (those without one first),
    open, overdue and waiting for an action officer, in one ``GROUP BY``."""
    grouped = (
        base.filter(OPEN)
        .values("lead_unit_id")
        .annotate(
            n_open=Count("pk"),
            n_overdue=Count("pk", filter=overdue_q(today)),
            n_officer=Count("pk", filter=needs_officer_q()),
        )
        .order_by()
    )
    rows = list(grouped)
    units = OrganizationUnit.objects.visible_to(user).in_bulk(
        [r["lead_unit_id"] for r in rows if r["lead_unit_id"]]
    )
    result = []
    for row in rows:
        unit = units.get(row["lead_unit_id"])
        where = {"lead_unit_id": unit.pk} if unit else {"has_lead_unit": "false"}
        result.append(
            LeadOfficeRow(
                unit,
                Number("open", row["n_open"], url(open="true", **where)),
                Number("overdue", row["n_overdue"], url(overdue="true", **where)),
                Number(
                    "needs an action officer", row["n_officer"], url(needs_officer="true", **where)
                ),
            )
        )
    result.sort(key=lambda r: (r.unit is not None, -r.overdue.value, str(r.unit or "")))
    return result


def _overdue_by_child_unit(counts, unit, children, url):
    """Overdue taskers per child unit of the chosen unit, each child's subtree rolled up.

    ``counts`` maps the first path segment below the chosen unit's path to its count (see
    :func:`dashboard_counts`): a grand-child's path starts with its parent's, so it counts
    under the child. Taskers led by the chosen unit itself come out with the unit's own path
    and are listed first.
    """
    bars = [
        Bar(
            f"{unit.abbreviation or unit.name} itself",
            counts.get(unit.path, 0),
            url(lead_unit_subtree=None, lead_unit_id=unit.pk, overdue="true"),
        )
    ]
    bars += [
        Bar(
            child.abbreviation or child.name,
            counts.get(child.path, 0),
            url(lead_unit_subtree=child.pk, overdue="true"),
        )
        for child in children
    ]
    return _with_widths(bars)


def _overdue_by_type(counts, type_names, url):
    """Overdue taskers per type, most first; ``counts`` maps a type id to a count."""
    named = [(type_names.get(type_id, ""), type_id, value) for type_id, value in counts.items()]
    grouped = [
        {"action_type_id": type_id, "action_type__name": name, "n": value}
        for name, type_id, value in sorted(named, key=lambda row: (-row[2], row[0]))
    ]
    return _with_widths(
        [
            Bar(
                row["action_type__name"],
                row["n"],
                url(action_type_id=row["action_type_id"], overdue="true"),
            )
            for row in grouped
        ]
    )


# ---------------------------------------------------------------------------------------------
# Ball in court (issue 16): who holds an open tasker now, and since when


@dataclass
class Holder:
    """Who holds a tasker: ``who`` (an office or person, in words), what they do there
    (``doing``), since when, and the route steps concerned (if any)."""

    who: str
    doing: str
    since: datetime.datetime | None
    steps: list = field(default_factory=list)

    def days(self, now=None):
        if self.since is None:
            return None
        return ((now or timezone.now()) - self.since).days


def _named(unit):
    return (unit.abbreviation or unit.name) if unit else "—"


def _step_who(step):
    if step.organization_unit_id:
        return _named(step.organization_unit)
    return str(step.person)


def status_history(pk):
    """The status of the tasker ``pk`` in its newest 200 history rows, newest first (what
    :func:`status_since` reads; the tasker's page loads it with its other rows)."""
    return (
        ExecutiveAction.history.filter(id=pk)
        .order_by("-history_date")
        .only("history_id", "status", "history_date")[:200]
    )


def status_since(action, history=None):
    """When the tasker took its current status, from its history (one bounded query, or the
    rows of :func:`status_history` when given; its creation when the history says nothing)."""
    since = None
    if history is None:
        history = status_history(action.pk)
    for row in history:
        if row.status != action.status:
            break
        since = row.history_date
    return since or action.created_at


def holder(action, steps=None, history=None):
    """The ball in court of ``action`` (``None`` once completed or cancelled).

    In order: a draft is with its issuing unit (the secretariat) drafting; a route's current
    steps hold it (a non-concurrence waiting for its disposition: the lead office); a
    submitted tasker is with the lead unit's manager for approval; a tasker whose route is
    complete but not yet submitted is with the secretariat reviewing; otherwise the lead
    office is drafting the response. ``steps``: the loaded route (read when not given);
    ``history``: the rows of :func:`status_history` (read when needed and not given).
    """
    from actions import routing

    if action.status not in OPEN_STATUSES:
        return None
    if action.status == ActionStatus.DRAFT:
        return Holder(_named(action.issuing_unit), "drafting the tasker", action.created_at)
    if steps is None:
        steps = routing.steps_of(action)
    current = routing.current_steps(steps)
    if current:
        kinds = sorted({s.get_kind_display().lower() for s in current})
        return Holder(
            ", ".join(_step_who(s) for s in current),
            f"route step {current[0].position}: {', '.join(kinds)}",
            min(s.started_at for s in current if s.started_at) if current else None,
            current,
        )
    pending = routing.waiting_for_disposition(steps)
    if pending:
        return Holder(
            _named(action.lead_unit),
            "recording the disposition of a non-concurrence",
            max(s.completed_at for s in pending),
            pending,
        )
    if action.status == ActionStatus.SUBMITTED:
        manager = action.lead_unit.manager if action.lead_unit else None
        who = str(manager) if manager else f"the manager of {_named(action.lead_unit)}"
        return Holder(who, "approving the response", status_since(action, history))
    if steps and routing.is_complete(steps):
        return Holder(
            _named(action.issuing_unit),
            "the secretariat reviewing the coordinated response",
            max(s.completed_at for s in steps),
        )
    return Holder(_named(action.lead_unit), "drafting the response", status_since(action, history))


# ---------------------------------------------------------------------------------------------
# Dwell time by office (issue 16)

DWELL_MAX_ROWS = 20000  # the bounded read the percentiles are computed over
DWELL_DEFAULT_DAYS = 90


def percentile(values, pct):
    """The ``pct``-th percentile of ``values`` by the nearest-rank method (the smallest
    value with at least ``pct`` % of the values at or below it)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(math.ceil(pct / 100 * len(ordered)), 1)
    return ordered[rank - 1]


def dwell_by_office(user, unit, after, before):
    """Median and 90th-percentile days per office and step kind, over the steps of routes
    completed from ``after`` to ``before`` on the visible taskers led by ``unit`` and its
    sub-units; each row links to the route-step list of exactly the steps it counts.

    The percentiles are computed in Python over one bounded query (at most
    :data:`DWELL_MAX_ROWS` steps), the same on SQLite and PostgreSQL. Steps that name a
    person without an office are left out (they belong to no office).
    """

    def steps():
        return (
            RouteStep.objects.visible_to(user)
            .filter(
                subtree_q([unit.path], "action__lead_unit__path"),
                state=RouteStepState.DONE,
                organization_unit__isnull=False,
                action_id__in=completed_routes(after, before),
            )
            .order_by()
            .values(
                "organization_unit_id",
                "organization_unit__abbreviation",
                "organization_unit__name",
                "kind",
                "dwell_seconds",
            )[:DWELL_MAX_ROWS]
        )

    # the same SQL for a reader, unit and dates (compiled once, ``values_once``)
    shape = ("dwell", read_key(RouteStep, user), unit.pk, unit.path, after, before)
    groups = {}
    for row in values_once(shape, steps):
        office = row["organization_unit__abbreviation"] or row["organization_unit__name"]
        key = (office, row["organization_unit_id"], row["kind"])
        groups.setdefault(key, []).append(row["dwell_seconds"] / 86400)
    kinds = dict(RouteStepKind.choices)
    order = list(kinds)
    base = cached_reverse("actions:routestep_list")
    result = []
    for (office, unit_id, kind), days in sorted(
        groups.items(), key=lambda item: (item[0][0], order.index(item[0][2]))
    ):
        query = urlencode(
            {
                "organization_unit_id": unit_id,
                "kind": kind,
                "state": RouteStepState.DONE,
                "lead_unit_subtree": unit.pk,
                "route_completed_after": after.isoformat(),
                "route_completed_before": before.isoformat(),
            }
        )
        url = f"{base}?{query}"
        result.append(
            {
                "office": office,
                "kind": kinds[kind],
                "count": Number("steps", len(days), url),
                "median": round(statistics.median(days), 1),
                "p90": round(percentile(days, 90), 1),
                "url": url,
                "sorted_url": f"{url}&sort=-dwell_seconds",
            }
        )
    return result
