"""Data migration: the supporting (coordinating) units' answers of every tasker become a
parallel concur step of its coordination route (issue 16), with their data: the answer,
its text, who recorded it and when, "entered for the unit", the disposition of a
non-concurrence. Taskers that already have a route are left alone.

Each unit becomes a step at position 1 that started when the unit was assigned; an answered
one is done at its answer's time (with a "reached" and an "answered" event, and the days
between them), an unanswered one is current. Information-only assignments are not steps.
"""

from django.db import migrations

ANSWERS = {
    "concur": "concur",
    "responded": "concur",
    "concur_with_comment": "concur_with_comment",
    "non_concur": "non_concur",
    "declined": "non_concur",
}


def forwards(apps, schema_editor):
    Assignment = apps.get_model("actions", "Assignment")
    RouteStep = apps.get_model("actions", "RouteStep")
    RouteStepEvent = apps.get_model("actions", "RouteStepEvent")
    routed = set(RouteStep.objects.values_list("action_id", flat=True))
    supporting = Assignment.objects.filter(role="coordinating").exclude(action_id__in=routed)
    for assignment in supporting.order_by("action_id", "pk").iterator():
        started = assignment.created_at
        outcome = ANSWERS.get(assignment.status, "")
        answered = assignment.responded_at if outcome else None
        if outcome and answered is None:
            answered = assignment.updated_at
        step = RouteStep.objects.create(
            action_id=assignment.action_id,
            position=1,
            kind="concur",
            organization_unit_id=assignment.organization_unit_id,
            person_id=assignment.person_id,
            state="done" if outcome else "current",
            started_at=started,
            completed_at=answered,
            outcome=outcome,
            comment=assignment.response if outcome else "",
            acted_by_id=assignment.responded_by_id if outcome else None,
            entered_on_behalf=assignment.entered_on_behalf if outcome else False,
            disposition=assignment.disposition if outcome == "non_concur" else "",
            disposition_at=assignment.updated_at if assignment.disposition else None,
            dwell_seconds=(
                max(int((answered - started).total_seconds()), 0) if answered else 0
            ),
        )
        RouteStepEvent.objects.create(
            action_id=assignment.action_id, step=step, kind="started", at=started
        )
        if outcome:
            RouteStepEvent.objects.create(
                action_id=assignment.action_id,
                step=step,
                kind="answered",
                outcome=outcome,
                text=assignment.response,
                user_id=assignment.responded_by_id,
                on_behalf=assignment.entered_on_behalf,
                at=answered,
            )
            if step.disposition:
                RouteStepEvent.objects.create(
                    action_id=assignment.action_id,
                    step=step,
                    kind="disposition",
                    text=step.disposition,
                    at=step.disposition_at,
                )


def backwards(apps, schema_editor):
    """The steps made here are those of position 1 with no later history; the assignments
    were never changed, so going back removes nothing else."""


class Migration(migrations.Migration):
    dependencies = [("actions", "0011_route_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
