"""Import/export columns of executive actions and action types (issue 9).

Executive actions are matched by Number. A row with an empty Number creates an action, which
the numbering service numbers on save; a Number that matches no action the user can see is
an error ("not found": a hidden action is never revealed). Rules on top of the columns:

Every row asks the write policy as the forms do (``BaseResource.check_policy``, with
``actions.policy``): a new row ``may(user, "add")`` (a sub-tasker needs the right to edit its
parent), a changed row ``may(user, "change")`` (``may_edit``), and each changed column must
be one the user may set on that action. Workflow facts never come from a file: the number,
issuer, issuing unit, issue date and completed date are refused when they differ from the
stored (or, on a new row, the initial) value, as are, on an existing action, the lead unit
and accountable person (the Assign page), the due date for those who may not assign (they
ask for an extension) and the percent complete of an action with sub-taskers (rolled up).
A row that changes an action carries its Version as exported (``execcoord.imports``).

- Existing actions: a new status is a move of the status machine for this user
  (``services.check_transition``, strict: the role rules and, on approval, the close-out
  checklist) and is applied with ``services.transition``; a new due date is applied with
  ``services.change_due_date`` (a ``DueDateChange`` with the file's name as the reason).
- New actions are issued by the importing user and their unit, as on the create page. A
  status beyond Draft stands for every move of :data:`NEW_ACTION_MOVES` from Draft, each
  checked for the user as the workflow buttons check it: issuing needs what issuing needs
  (lead unit, due date, the links the type requires) and someone who may
  assign; Returned and Completed need someone who may approve. The moves' dates are today's
  (issue date, completed date), the original due date is the due date, and an action
  imported On hold resumes to In progress. Of the close-out checklist, a new row can only
  miss the links its type requires (it has no supporting units or sub-taskers yet); a
  response document is attached on the action's page.
- Classification above ``settings.MAX_SECURITY_CLASSIFICATION`` is refused (model ``clean``).
- Not imported: number for new rows, version, original due date and held-from status
  (system fields), and the links without a natural key (analyses, impacts, risk items,
  agreements, source analysis/impact/risk item).
"""

import copy
import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from actions import policy, services
from actions.choices import ActionStatus
from actions.models import ExecutiveAction, ExecutiveActionType, Tag
from analysis.resources import AUTHORITY
from execcoord.access import visible
from execcoord.history import (
    bulk_create_links,
    bulk_create_with_history,
    bulk_update_with_history,
    lock_versions,
)
from execcoord.imports import (
    ACTIVE,
    VERSION,
    BaseResource,
    Column,
    KeyMap,
    _text,
    changed_since_message,
    register,
)
from partners.access import get_user_scope
from partners.resources import ACCOUNT, PERSON, UNIT, own_unit_code

ACTION_TYPE = KeyMap(ExecutiveActionType, lambda kind: kind.name, "action type")
TAG = KeyMap(Tag, lambda tag: tag.name, "tag")
CHUNK = 2000
S = ActionStatus

# The statuses a new action passes through from Draft to the status it is imported with:
# each step is a move of ``policy.TRANSITIONS`` the user must be allowed to make.
NEW_ACTION_MOVES = {
    S.DRAFT: (),
    S.CANCELLED: (S.CANCELLED,),
    S.NOT_STARTED: (S.NOT_STARTED,),
    S.IN_PROGRESS: (S.NOT_STARTED, S.IN_PROGRESS),
    S.ON_HOLD: (S.NOT_STARTED, S.IN_PROGRESS, S.ON_HOLD),
    S.SUBMITTED: (S.NOT_STARTED, S.IN_PROGRESS, S.SUBMITTED),
    S.RETURNED: (S.NOT_STARTED, S.IN_PROGRESS, S.SUBMITTED, S.RETURNED),
    S.COMPLETED: (S.NOT_STARTED, S.IN_PROGRESS, S.SUBMITTED, S.COMPLETED),
}

# Why a column is refused on a row (``BaseResource.fixed_message``).
FIXED_MESSAGES = {
    "issued_by": "The issuer is whoever creates the action (for an import: you) and does not "
    "change afterwards; leave this column as exported (empty for a new action).",
    "issuing_unit": "The issuing unit is the unit of whoever creates the action (for an "
    "import: yours) and does not change afterwards; leave this column as exported (empty "
    "for a new action).",
    "issue_date": "The issue date is set when the action is issued (today, for a new action "
    "imported beyond Draft); leave this column as exported (empty for a new action).",
    "completed_date": "The completed date is set when the action is approved; leave this "
    "column as exported (empty for a new action).",
    "lead_unit": "The lead unit of an existing action changes on its Assign page, not by import.",
    "accountable_person": "The accountable person of an existing action changes on its "
    "Assign page, not by import.",
    "due_date": "Only the issuer of this action and managers of its units move its due date; "
    "request an extension on the action's page instead.",
    "percent_complete": "The percent complete of an action with sub-taskers is rolled up "
    "from them, not imported.",
}


class ActionKeyMap(KeyMap):
    """Actions by number: only those the file names are loaded (see ``load_numbers``)."""

    def load(self, user):
        self.user = user
        self.records = {}

    def load_numbers(self, numbers):
        """Load the visible actions with these numbers, with their links and the ids the
        permission checks need, in a few queries for the whole file."""
        numbers = sorted(numbers)
        for start in range(0, len(numbers), CHUNK):
            chunk = numbers[start : start + CHUNK]
            actions = (
                visible(ExecutiveAction, self.user)
                .filter(number__in=chunk)
                .select_related("action_type")
                .prefetch_related("partners", "legal_authorities", "tags")
            )
            for action in actions:
                self.records[action.number.lower()] = action
        loaded = list(self.records.values())
        policy.prime(loaded)
        parents = set()
        pks = [action.pk for action in loaded]
        for start in range(0, len(pks), CHUNK):
            parents.update(
                ExecutiveAction.objects.filter(parent_id__in=pks[start : start + CHUNK])
                .values_list("parent_id", flat=True)
                .distinct()
            )
        for action in loaded:
            action._has_children = action.pk in parents  # the policy's percent-complete rule


ACTION = ActionKeyMap(ExecutiveAction, lambda action: action.number, "action number")


def _example_type(user):
    """An active action type the importer may use (the template's example row imports)."""
    types = ExecutiveActionType.objects.visible_to(user).filter(is_active=True)
    return types.order_by("name").values_list("name", flat=True).first() or ""


def _example_due_date(user):
    return timezone.localdate() + datetime.timedelta(days=30)


@register("action-types")
class ExecutiveActionTypeResource(BaseResource):
    """Executive action types, matched by name."""

    help_text = "Matched by Name."
    key = ACTION_TYPE
    columns = [
        Column("name", "Name", required=True, example="Congressional inquiry"),
        Column("category", "Category", required=True, example="Information Request"),
        Column("number_prefix", "Number prefix", example="CI"),
        Column("description", "Description"),
        Column("default_priority", "Default priority", example="Medium"),
        Column("default_days_to_due", "Default days to due", example=14),
        Column("requires_legal_authority", "Requires legal authority", example="No"),
        Column("requires_impact_assessment", "Requires impact assessment", example="No"),
        Column("requires_risk_assessment", "Requires risk assessment", example="No"),
        ACTIVE,
        VERSION,
    ]


@register("executive-actions")
class ExecutiveActionResource(BaseResource):
    """Executive actions (taskers), matched by number; see the module docstring."""

    help_text = (
        "Matched by Number; leave Number empty to create an action (the system numbers it). "
        "Units by code, people by e-mail, partners by account name, legal authorities by "
        "citation (or name); several values separated by “;”."
    )
    key = ACTION
    columns = [
        Column("number", "Number", required=True, readonly=True, example=""),
        Column("title", "Title", required=True, example="Respond to the GAO draft report"),
        Column("action_type", "Type", ACTION_TYPE, required=True, example=_example_type),
        Column("category", "Category", example=""),
        Column("status", "Status", example="Draft"),
        Column("priority", "Priority", example="High"),
        Column("health", "Health", example="Not assessed"),
        Column("description", "Description", example="Coordinate the agency response."),
        Column("details", "Details"),
        Column("parent", "Parent action (number)", ACTION),
        Column("lead_unit", "Lead unit (code)", UNIT, example=own_unit_code),
        Column("accountable_person", "Accountable person (e-mail)", PERSON),
        Column("partners", "Partners (account names)", ACCOUNT),
        Column("start_date", "Start date"),
        Column("due_date", "Due date", example=_example_due_date),
        Column("completed_date", "Completed date"),
        Column("percent_complete", "Percent complete", example=0),
        Column("issued_by", "Issued by (e-mail)", PERSON),
        Column("issuing_unit", "Issuing unit (code)", UNIT),
        Column("issue_date", "Issue date"),
        Column("executive_sponsor", "Executive sponsor (e-mail)", PERSON),
        Column("method_of_receipt", "Method of receipt"),
        Column("received_date", "Received date"),
        Column("received_from_account", "Received from account (name)", ACCOUNT),
        Column("received_from_unit", "Received from unit (code)", UNIT),
        Column("received_from_person", "Received from person (e-mail)", PERSON),
        Column("visibility", "Visibility", example="Internal"),
        Column("security_classification", "Security classification", example="Unclassified"),
        Column("source_legal_authority", "Source legal authority (citation)", AUTHORITY),
        Column("legal_authorities", "Legal authorities (citations)", AUTHORITY),
        Column("tags", "Tags", TAG),
        Column("estimated_effort_hours", "Estimated effort (hours)"),
        Column("estimated_budget", "Estimated budget"),
        Column("strategic_alignment", "Strategic alignment"),
        Column("success_criteria", "Success criteria"),
        Column("requires_formal_decision", "Requires formal decision", example="No"),
        Column("compliance_driven", "Compliance driven", example="No"),
        Column("outcome", "Outcome"),
        Column("outcome_summary", "Outcome summary"),
        Column("notes", "Notes"),
        VERSION,
    ]

    class Meta(BaseResource.Meta):
        # no savepoint a row: rows are validated one by one and written in batches at the
        # end (see "saving" below); the import is still one transaction, all or nothing
        use_bulk = True

    # -- loading

    def _load(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        numbers = set()
        for header in ("Number", "Parent action (number)"):
            if header in dataset.headers:
                numbers.update(_text(v) for v in dataset[header])
        numbers.discard("")
        self.key.load_numbers(numbers)
        stored_parents = {a.parent_id for a in self.key.records.values() if a.parent_id}
        self._visible_parent_ids = set(
            visible(ExecutiveAction, self.user)
            .filter(pk__in=stored_parents)
            .values_list("pk", flat=True)
        )
        self._today = timezone.localdate()

    def export_queryset(self):
        return (
            super()
            .export_queryset()
            .select_related(
                "action_type",
                "parent",
                "lead_unit",
                "accountable_person",
                "issued_by",
                "issuing_unit",
                "executive_sponsor",
                "received_from_account",
                "received_from_unit",
                "received_from_person",
                "source_legal_authority",
            )
        )

    def export(self, queryset=None, **kwargs):
        """Export; a parent the user may not see is left blank (and kept on import)."""
        queryset = queryset if queryset is not None else self.export_queryset()
        parent_ids = set(queryset.exclude(parent=None).values_list("parent_id", flat=True))
        self._export_parent_ids = set(
            visible(ExecutiveAction, self.user)
            .filter(pk__in=parent_ids)
            .values_list("pk", flat=True)
        )
        return super().export(queryset, **kwargs)

    def dehydrate_parent(self, action):
        if action.parent_id and action.parent_id in self._export_parent_ids:
            return action.parent.number
        return ""

    # -- checks

    workflow_attributes = ("status",)  # moves through the status machine (below)

    def init_instance(self, row=None):
        """A new action is issued by the importing user and their unit, as on the create
        page; the file's issuer columns may only repeat them."""
        instance = super().init_instance(row)
        scope = get_user_scope(self.user)
        instance.issued_by_id = scope.person_id
        instance.issuing_unit_id = scope.unit_id
        return instance

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        if new:
            policy.prime([instance], assignments=[])  # a new action: no supporting units yet

    def restore_hidden(self, instance, row):
        """A parent the user may not see was exported blank: a blank cell keeps it."""
        if instance._import_new:
            return
        stored = instance._import_original["parent"]
        hidden = stored and stored not in self._visible_parent_ids
        if hidden and not _text(row.get("Parent action (number)")):
            instance.parent_id = stored

    def refusal_attribute(self, instance):
        """A refused sub-tasker is shown at its parent; any other refusal at the number."""
        if instance.parent_id and instance.parent_id != instance._import_initial["parent"]:
            return "parent"
        return "number"

    def fixed_message(self, name, instance):
        return FIXED_MESSAGES.get(name) or super().fixed_message(name, instance)

    def check_row(self, instance, row, errors, **kwargs):
        add = lambda name, message: errors.setdefault(name, []).append(  # noqa: E731
            ValidationError(message)
        )
        number = _text(row.get("Number"))
        if instance._import_new:
            if number:
                add(
                    "number",
                    f"No action numbered “{number}” exists, or you may not see it. "
                    "Leave Number empty to create a new action.",
                )
            elif "parent" not in errors:
                self._check_new(instance, add)
        elif not {"number", "parent", "version"} & set(errors):
            self._check_status_change(instance, add)
        if (
            instance.completed_date
            and instance.issue_date
            and instance.completed_date < instance.issue_date
        ):
            add("completed_date", "The completion date cannot be before the issue date.")

    def _check_new(self, instance, add):
        """A new action imported beyond Draft makes every move up to its status, each one
        allowed to this user (the role rules, and what issuing needs)."""
        target = instance.status
        if target == S.DRAFT or not instance.action_type_id:
            return
        probe = copy.copy(instance)
        probe.status = S.DRAFT
        authorities = instance._import_m2m.get("legal_authorities", [])
        if not probe.source_legal_authority_id and authorities:
            probe.source_legal_authority = authorities[0]
        label = instance.get_status_display()
        for step in NEW_ACTION_MOVES[target]:
            problems = services.check_transition(probe, step, self.user, strict=True)
            need = "must be issuable" if step == S.NOT_STARTED else "needs every move up to it"
            for problem in problems:
                add("status", f"A new action imported as “{label}” {need}: {problem}")
            if problems:
                return  # the later moves start from one this user cannot make
            probe.status = step

    def _check_status_change(self, instance, add):
        """A changed status is a move of the status machine for this user (strict: the role
        rules and, on approval, the close-out checklist)."""
        stored = instance._import_original["status"]
        if instance.status == stored:
            return
        probe = copy.copy(instance)
        probe.status = stored
        for problem in services.check_transition(probe, instance.status, self.user, strict=True):
            add("status", problem)

    # -- saving
    #
    # 10,000 rows must import in under a minute (issue 9), so rows are not written one by
    # one: each row is validated as it is read, and the writes happen once at the end of the
    # file, in batches, through the history helpers (one history row per action). Status
    # and due-date changes of existing actions still go through the services, row by row.
    # Before anything is written the changed actions are locked and their versions compared
    # with the ones the rows were checked against: an action saved meanwhile refuses its row.

    def before_import(self, dataset, **kwargs):
        self._load(dataset, **kwargs)
        self._created, self._updated, self._pending = [], [], []

    def save_instance(self, instance, is_create, row, **kwargs):
        """Queue the row's write (see :meth:`after_import`); a preview writes nothing."""
        if self._is_dry_run(kwargs):
            return
        if is_create:
            self._fill_implied(instance)
            if not instance.category:
                instance.category = instance.action_type.category
            self._created.append((instance, instance._import_m2m))
            return
        stored = instance._import_original
        due_date, status = instance.due_date, instance.status
        instance.due_date, instance.status = stored["due_date"], stored["status"]
        if not self._only_services_changed(instance, stored):
            self._updated.append(instance)
        self._pending.append((instance, instance._import_m2m, due_date, status))

    def save_m2m(self, instance, row, **kwargs):
        """Many-to-many values are written with the queued rows in :meth:`after_import`."""

    def after_import(self, dataset, result, **kwargs):
        if self._is_dry_run(kwargs) or result.has_errors() or result.has_validation_errors():
            return
        user = kwargs.get("user") or self.user
        reason = f"Imported from {kwargs.get('file_name') or 'a file'}"
        stale = lock_versions([action for action, *_ in self._pending], ExecutiveAction)
        if stale:
            self.refuse_rows(result, [(a, changed_since_message(a, a.number)) for a in stale])
            return
        self._create_queued(user, reason)
        self._update_queued(user, reason)

    def _create_queued(self, user, reason):
        actions = [action for action, _ in self._created]
        by_prefix = {}
        for action in actions:
            by_prefix.setdefault(action.action_type.number_prefix, []).append(action)
        for prefix, group in by_prefix.items():
            for action, number in zip(
                group, services.reserve_numbers(prefix, len(group)), strict=True
            ):
                action.number = number
        bulk_create_with_history(actions, ExecutiveAction, user=user, reason=reason)
        if any(f.pk is None for f in actions):  # a backend that returns no ids
            by_number = dict(
                ExecutiveAction.objects.filter(number__in=[a.number for a in actions]).values_list(
                    "number", "pk"
                )
            )
            for action in actions:
                action.pk = by_number[action.number]
        self._write_m2m([(a, m2m) for a, m2m in self._created])

    def _write_m2m(self, items):
        """Insert the link rows of new actions in one batch per relation."""
        for name in ("partners", "legal_authorities", "tags"):
            through = getattr(ExecutiveAction, name).through
            target = getattr(ExecutiveAction, name).field.m2m_reverse_field_name()
            links = [
                through(executiveaction_id=action.pk, **{f"{target}_id": record.pk})
                for action, m2m in items
                for record in {r.pk: r for r in m2m.get(name, [])}.values()
            ]
            bulk_create_links(through, links)

    def _update_queued(self, user, reason):
        """Write the changed fields in batches (compare-and-swap, each version grows), then
        the links (each change grows the version and names the links in the history), then
        the due dates and the status moves through the services. The links come before the
        moves: a move rolls progress up to a parent, which may be a later row."""
        now = timezone.now()
        changed = self._updated
        names = {"updated_at"}  # ``version`` grows in bulk_update_with_history
        for action in changed:
            action.updated_at = now
            stored = action._import_original
            for name in self.fields:
                field = action._meta.get_field(name)
                if not field.many_to_many and getattr(action, field.attname) != stored[name]:
                    names.add(field.name)
        if changed:
            bulk_update_with_history(
                changed, sorted(names), ExecutiveAction, user=user, reason=reason
            )
        for action, m2m, _, _ in self._pending:
            for name, values in m2m.items():
                if {r.pk for r in values} != action._import_original[name]:
                    action._history_user = user
                    getattr(action, name).set(values)
        for action, _, due_date, _ in self._pending:
            if due_date != action.due_date:
                services.change_due_date(action, due_date, user, reason)
        for action, _, _, status in self._pending:
            if status != action.status:
                services.transition(action, status, user, comment=reason, strict=True)

    def _fill_implied(self, instance):
        """The facts the moves up to a new action's status set (``services.transition``)."""
        moves = NEW_ACTION_MOVES[instance.status]
        if S.NOT_STARTED in moves:
            instance.issue_date = self._today
            instance.original_due_date = instance.due_date
        if instance.status == S.ON_HOLD:
            instance.held_from_status = moves[-2]
        if instance.status == S.COMPLETED:
            instance.completed_date = self._today
            instance.percent_complete = 100

    def _only_services_changed(self, instance, stored):
        for name in self.fields:
            django_field = instance._meta.get_field(name)
            if django_field.many_to_many:
                continue
            if getattr(instance, django_field.attname) != stored[name]:
                return False
        return True
