"""Import/export columns of executive actions and action types (issue 9).

Executive actions are matched by Number. A row with an empty Number creates an action, which
the numbering service numbers on save; a Number that matches no action the user can see is
an error ("not found": a hidden action is never revealed). Rules on top of the columns:

- Existing actions: the user must be allowed to change the action (``policy.may_edit``); a new
  status must be an allowed move of the status machine (``services.check_transition``) and
  is applied with ``services.transition``; a new due date is applied with
  ``services.change_due_date`` (a ``DueDateChange`` with the file's name as the reason).
- New actions may carry any status, provided the row is coherent: Draft and Cancelled need
  nothing more; any other status needs what issuing needs (lead unit, accountable person,
  due date, and the links the type requires); Completed also needs a completed date. Issue
  date defaults to today and the original due date to the due date; an action imported On
  hold resumes to In progress. The user must be allowed to edit the new action (its lead or
  issuing unit is theirs or one they manage), exactly as on the form.
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
)
from execcoord.imports import BaseResource, Column, KeyMap, KeysWidget, _text, register
from partners.resources import ACCOUNT, PERSON, UNIT, own_unit_code

ACTION_TYPE = KeyMap(ExecutiveActionType, lambda kind: kind.name, "action type")
TAG = KeyMap(Tag, lambda tag: tag.name, "tag")
NO_REQUIREMENTS = {ActionStatus.DRAFT, ActionStatus.CANCELLED}
CHUNK = 2000


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
        policy.prime(list(self.records.values()))


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

    title = "Executive action types"
    help_text = "Matched by Name."
    key = ACTION_TYPE
    key_attribute = "name"
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
        Column("is_active", "Active", example="Yes"),
    ]

    class Meta(BaseResource.Meta):
        model = ExecutiveActionType
        fields = ("name",)


@register("executive-actions")
class ExecutiveActionResource(BaseResource):
    """Executive actions (taskers), matched by number; see the module docstring."""

    title = "Executive actions"
    help_text = (
        "Matched by Number; leave Number empty to create an action (the system numbers it). "
        "Units by code, people by e-mail, partners by account name, legal authorities by "
        "citation (or name); several values separated by “;”."
    )
    key = ACTION
    key_attribute = "number"
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
    ]

    class Meta(BaseResource.Meta):
        model = ExecutiveAction
        fields = ("number",)
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
            self._check_new(instance, row, add, errors)
        else:
            self._keep_hidden_parent(instance, row)
            if not policy.may_edit(self.user, instance._import_stored):
                add("number", f"You may not change action {number}: it is not one of yours.")
            else:
                self._check_status_change(instance, row, add)
        if (
            instance.completed_date
            and instance.issue_date
            and instance.completed_date < instance.issue_date
        ):
            add("completed_date", "The completion date cannot be before the issue date.")

    def _keep_hidden_parent(self, instance, row):
        stored = instance._import_original["parent"]
        hidden = stored and stored not in self._visible_parent_ids
        if hidden and not _text(row.get("Parent action (number)")):
            instance.parent_id = stored

    def _check_new(self, instance, row, add, errors):
        instance._supporting = []
        if "lead_unit" not in errors and not policy.may_edit(self.user, instance):
            unit = instance.lead_unit.code if instance.lead_unit_id else "(none)"
            add(
                "lead_unit",
                f"You may not create an action for lead unit “{unit}”: "
                "choose a unit you work in or manage.",
            )
        if instance.status in NO_REQUIREMENTS or not instance.action_type_id:
            return
        probe = copy.copy(instance)
        probe.status = ActionStatus.DRAFT
        authorities = (
            self.fields["legal_authorities"].clean(row)
            if "Legal authorities (citations)" in row
            else []
        )
        if not probe.source_legal_authority_id and authorities:
            probe.source_legal_authority = authorities[0]
        status = instance.get_status_display()
        for problem in services.check_transition(probe, ActionStatus.NOT_STARTED, self.user):
            add("status", f"A new action imported as “{status}” must be issuable: {problem}")
        if instance.status == ActionStatus.COMPLETED and not instance.completed_date:
            add("completed_date", "A completed action needs a completed date.")

    def _check_status_change(self, instance, row, add):
        stored = instance._import_original["status"]
        if instance.status == stored:
            return
        probe = copy.copy(instance)
        probe.status = stored
        for problem in services.check_transition(probe, instance.status, self.user):
            add("status", problem)

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        instance._import_stored = instance if new else copy.copy(instance)

    # -- saving
    #
    # 10,000 rows must import in under a minute (issue 9), so rows are not written one by
    # one: each row is validated as it is read, and the writes happen once at the end of the
    # file, in batches, through the history helpers (one history row per action). Status
    # and due-date changes of existing actions still go through the services, row by row.

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
            self._created.append((instance, self._m2m_values(instance, row)))
            return
        stored = instance._import_original
        due_date, status = instance.due_date, instance.status
        instance.due_date, instance.status = stored["due_date"], stored["status"]
        if not self._only_services_changed(instance, stored):
            self._updated.append(instance)
        m2m = self._m2m_values(instance, row)
        self._pending.append((instance, m2m, due_date, status))

    def save_m2m(self, instance, row, **kwargs):
        """Many-to-many values are written with the queued rows in :meth:`after_import`."""

    def _m2m_values(self, instance, row):
        values = {}
        for name, fld in self.fields.items():
            if not isinstance(fld.widget, KeysWidget) or fld.column_name not in row:
                continue
            if name in instance._import_kept:
                continue
            values[name] = fld.clean(row)
        return values

    def after_import(self, dataset, result, **kwargs):
        if self._is_dry_run(kwargs) or result.has_errors() or result.has_validation_errors():
            return
        user = kwargs.get("user") or self.user
        reason = f"Imported from {kwargs.get('file_name') or 'a file'}"
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
        now = timezone.now()
        changed = self._updated
        names = {"updated_at", "version"}
        for action in changed:
            action.updated_at = now
            action.version = (action.version or 0) + 1
            stored = action._import_original
            for name in self.fields:
                field = action._meta.get_field(name)
                if not field.many_to_many and getattr(action, field.attname) != stored[name]:
                    names.add(field.name)
        if changed:
            bulk_update_with_history(
                changed, sorted(names), ExecutiveAction, user=user, reason=reason
            )
        for action, m2m, due_date, status in self._pending:
            for name, values in m2m.items():
                if {r.pk for r in values} != action._import_original[name]:
                    getattr(action, name).set(values)
            if due_date != action.due_date:
                services.change_due_date(action, due_date, user, reason)
            if status != action.status:
                services.transition(action, status, user, comment=reason)

    def _fill_implied(self, instance):
        if instance.status in NO_REQUIREMENTS:
            return
        instance.issue_date = instance.issue_date or self._today
        instance.original_due_date = instance.due_date
        if instance.status == ActionStatus.ON_HOLD:
            instance.held_from_status = ActionStatus.IN_PROGRESS

    def _only_services_changed(self, instance, stored):
        for name in self.fields:
            django_field = instance._meta.get_field(name)
            if django_field.many_to_many:
                continue
            if getattr(instance, django_field.attname) != stored[name]:
                return False
        return True
