"""Coordination routes of the demo agency (issue 16): completed routes whose days at each
office make the dashboard's dwell-time table worth reading (the privacy office and the
general counsel are slow, the bureaus quick), and open taskers mid-route — one waiting at
the demo staff's unit, one returned from signature to concurrence, one waiting for the
lead office's disposition of a non-concurrence.

Every route is built and moved through ``actions.routing`` with the times passed in, so the
steps' history, events and days are those a real route would have.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from actions import routing
from actions.choices import ActionStatus, AttachmentKind, RouteStepKind
from actions.models import ExecutiveAction, RouteStep
from partners.models import OrganizationUnit, Person

# typical days an office takes at a step: (shortest, longest)
PACE = {"PRIV": (4, 14), "OGC": (3, 11), "OCFO": (2, 6)}
QUICK = (0.5, 3)


class DemoRoutes:
    """Builds the demo routes; ``cmd`` is the ``seed_demo`` command (its ``rng``,
    ``today`` and ``attach``)."""

    def __init__(self, cmd):
        self.cmd = cmd
        self.rng = cmd.rng
        self.now = timezone.now()
        self.units = {u.code: u for u in OrganizationUnit.objects.all()}
        self.actors = {}

    def actor(self, unit):
        """A signed-in user of ``unit`` (its manager's, made once), so that answers are
        recorded by the office itself, not on its behalf."""
        if unit.pk not in self.actors:
            person = unit.manager or Person.objects.filter(organization_unit=unit).first()
            user = person.user if person and person.user_id else None
            if user is None:
                local = (person.email.split("@")[0] if person else unit.code.lower())[:140]
                user = get_user_model().objects.create(
                    username=f"demo.route.{local}",
                    first_name=person.first_name if person else unit.code,
                    last_name=person.last_name if person else "Office",
                )
                user.set_unusable_password()
                user.save()
                if person:
                    person.user = user
                    person.save()
            self.actors[unit.pk] = user
        return self.actors[unit.pk]

    def office(self, code):
        return self.units.get(code)

    def specs(self, action):
        """Review by the lead unit's parent, concurrence of two or three offices in
        parallel, signature by the lead unit's parent, approval by the Secretary's office."""
        lead = action.lead_unit
        reviewer = lead.parent or lead
        concur = [
            u
            for u in (self.office(c) for c in self.rng.sample(["PRIV", "OGC", "OCFO", "OPA"], 3))
            if u is not None and u.pk != lead.pk
        ]
        approver = self.office("OS") or reviewer
        specs = [routing.StepSpec(1, RouteStepKind.REVIEW, reviewer)]
        specs += [routing.StepSpec(2, RouteStepKind.CONCUR, u) for u in concur]
        specs += [
            routing.StepSpec(3, RouteStepKind.SIGN, reviewer),
            routing.StepSpec(4, RouteStepKind.APPROVE, approver),
        ]
        return specs

    def days(self, step):
        code = step.organization_unit.code if step.organization_unit else ""
        low, high = PACE.get(code, QUICK)
        return datetime.timedelta(days=self.rng.uniform(low, high))

    def ensure_response(self, action, secretariat):
        if not action.attachments.filter(kind=AttachmentKind.RESPONSE).exists():
            self.cmd.attach(action, AttachmentKind.RESPONSE, "Response", secretariat)

    def run(self, action, secretariat, *, start, stop_at=None, scenario=""):
        """Build ``action``'s route at ``start`` and move it step by step until ``stop_at``
        (a position; ``None``: to the end), with the twists of ``scenario``
        (``non_concur``, ``returned``, ``waiting_disposition``)."""
        self.ensure_response(action, secretariat)
        now = start
        routing.start_route(action, self.specs(action), secretariat, now=now)
        returned = False
        while now is not None:
            current = [s for s in routing.steps_of(action) if s.state == "current"]
            if not current:
                now = self.dispose(action, now, scenario)
            elif stop_at is not None and current[0].position >= stop_at:
                return
            else:
                now, returned = self.answer_position(action, current, now, scenario, returned)

    def dispose(self, action, now, scenario):
        """The lead office disposes of the route's non-concurrences a day or two later;
        the time then, or ``None`` when none waits (or the scenario leaves it waiting)."""
        pending = routing.waiting_for_disposition(routing.steps_of(action))
        if not pending or scenario == "waiting_disposition":
            return None
        now += datetime.timedelta(days=self.rng.uniform(0.5, 2))
        lead_user = self.actor(action.lead_unit)
        for step in pending:
            routing.record_disposition(
                step, lead_user, "Comments adopted in the revised draft.", now=now
            )
        return now

    def answer_position(self, action, current, now, scenario, returned):
        """The offices of the current steps answer, each at its pace: the time after the
        last answer (``None`` once an answer would fall after today) and whether the
        response has been returned (the "returned" scenario returns it once, at signing)."""
        answers = sorted((now + self.days(step), step.pk, step) for step in current)
        for when, _, step in answers:
            now = when
            if now > self.now:
                return None, returned
            user = self.actor(step.organization_unit)
            if scenario == "returned" and step.kind == RouteStepKind.SIGN and not returned:
                reason = "The figures changed after concurrence; concur again."
                routing.return_step(step, user, 2, reason, now=now)
                return now, True
            outcome, comment = self.answer(action, step, scenario)
            routing.act_on_step(step, user, outcome, comment=comment, now=now)
        return now, returned

    def answer(self, action, step, scenario):
        """What an office answers: the step's plain outcome, except the first concurrence
        of a non-concurrence scenario."""
        outcome = {
            RouteStepKind.REVIEW: "reviewed",
            RouteStepKind.SIGN: "signed",
            RouteStepKind.APPROVE: "approved",
        }.get(step.kind, "concur")
        if (
            step.kind == RouteStepKind.CONCUR
            and scenario in ("non_concur", "waiting_disposition")
            and not RouteStep.objects.filter(action=action, outcome="non_concur").exists()
        ):
            return "non_concur", "The cost estimate is not supported."
        return outcome, ""

    def build(self):
        secretariat = get_user_model().objects.get(username="secretariat")
        top = ExecutiveAction.objects.filter(parent=None, lead_unit__parent__isnull=False)
        completed = list(top.filter(status=ActionStatus.COMPLETED).order_by("number")[:18])
        for i, action in enumerate(completed):
            start = self.now - datetime.timedelta(days=20 + 4 * i)
            self.run(action, secretariat, start=start, scenario="non_concur" if i % 5 == 0 else "")
        open_ = list(
            top.filter(status=ActionStatus.IN_PROGRESS)
            .exclude(pk__in=[a.pk for a in completed])
            .order_by("number")
        )
        staff_unit = self.office("OCIO-CSD")
        mine = [a for a in open_ if a.lead_unit_id == getattr(staff_unit, "pk", None)]
        others = [a for a in open_ if a not in mine]
        plan = [
            (others[0:1], {"stop_at": 2}),
            (others[1:2], {"stop_at": 3}),
            (others[2:3], {"scenario": "returned", "stop_at": 4}),
            (others[3:4], {"scenario": "waiting_disposition"}),
            (mine[0:1], {"stop_at": 2}),
        ]
        for actions, options in plan:
            for action in actions:
                self.run(
                    action, secretariat, start=self.now - datetime.timedelta(days=12), **options
                )
        self.desk_for_staff(others[4:5], secretariat)

    def desk_for_staff(self, actions, secretariat):
        """One route whose current concurrence is the demo staff's unit (My work's desk)."""
        staff_unit = self.office("OCIO-CSD")
        for action in actions:
            if staff_unit is None or action.lead_unit_id == staff_unit.pk:
                continue
            self.ensure_response(action, secretariat)
            start = self.now - datetime.timedelta(days=6)
            routing.start_route(
                action,
                [
                    routing.StepSpec(
                        1, RouteStepKind.REVIEW, action.lead_unit.parent or action.lead_unit
                    ),
                    routing.StepSpec(2, RouteStepKind.CONCUR, staff_unit),
                    routing.StepSpec(2, RouteStepKind.CONCUR, self.office("OGC") or staff_unit),
                    routing.StepSpec(
                        3, RouteStepKind.SIGN, action.lead_unit.parent or action.lead_unit
                    ),
                ],
                secretariat,
                now=start,
            )
            review = routing.steps_of(action)[0]
            routing.act_on_step(
                review,
                self.actor(review.organization_unit),
                "reviewed",
                now=start + datetime.timedelta(days=2),
            )


def make_demo_routes(cmd):
    DemoRoutes(cmd).build()
