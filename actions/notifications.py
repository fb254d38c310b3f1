"""Who is told of what: the one table of the workflow's notifications, and how they travel.

Each row of :data:`EVENTS` names an event kind, who is told (a function of the tasker and
the event's facts), the sentence they read and whether they may turn it off. Code that
changes a tasker calls :func:`notify` inside its transaction:

    notify(NotificationKind.ISSUED, action, actor=user)

which writes one :class:`~actions.models.NotificationEvent` row (the outbox) and, once the
transaction commits, queues :func:`fan_out` (``execcoord.tasks``). The fan-out, in a worker,
finds the recipients, drops those who may not see the tasker (``visible_to``) and the one who
made the change, stores one :class:`~actions.models.Notification` each (the bell's list)
and queues one :func:`deliver` e-mail for those who want it at once; the rest wait for the
daily digest (``manage.py send_notifications --digest``) or stay in the list only. Nothing
is told of a draft: its people hear of it when it is issued.

Nothing is lost or sent twice: the event row commits with the change, a fan-out run again
adds nobody twice (one notification per event and person), an e-mail is sent under an
idempotency key written with its bookkeeping (``execcoord.tasks.run_once``), and
``manage.py send_notifications`` (cron, every few minutes) queues again whatever a lost
task or a killed worker left behind.

Mentions: ``@name`` in a status update or a coordination answer tells the person whose
sign-in name, or the part of whose e-mail address before the ``@``, is ``name`` (letters,
digits, ``.``, ``_``, ``-``; case-blind).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.choices import ActionStatus, Delivery, MailState, NotificationKind
from actions.models import (
    Assignment,
    ExecutiveAction,
    ExtensionRequest,
    Notification,
    NotificationEvent,
    NotificationPreference,
)
from actions.models.notifications import reader_id
from execcoord import tasks
from execcoord.db.compiled import compiled_rows
from execcoord.utils import single_line
from partners.access import ROLE_MANAGER
from partners.models import OrganizationUnit, Person, path_ids

K = NotificationKind

# --- who: recipient functions of (action, extra) -> set of person ids ---------------------


def unit_managers(unit_id):
    """The managers of a unit: its named manager and its members with the Manager role;
    when it has none, those of the nearest unit above it that has some."""
    unit = OrganizationUnit.objects.filter(pk=unit_id).only("path").first()
    if unit is None:
        return set()
    chain = list(reversed(path_ids(unit.path))) or [unit.pk]
    found = {}
    for unit_pk, manager_id in OrganizationUnit.objects.filter(
        pk__in=chain, manager__is_active=True
    ).values_list("pk", "manager_id"):
        found.setdefault(unit_pk, set()).add(manager_id)
    for person_id, unit_pk in Person.objects.filter(
        organization_unit_id__in=chain, user__groups__name=ROLE_MANAGER, is_active=True
    ).values_list("pk", "organization_unit_id"):
        found.setdefault(unit_pk, set()).add(person_id)
    for candidate in chain:
        if found.get(candidate):
            return found[candidate]
    return set()


def lead_office(action, extra):
    """The lead office's managers."""
    return unit_managers(action.lead_unit_id)


def accountable(action, extra):
    return {action.accountable_person_id} - {None}


def lead_office_and_accountable(action, extra):
    return lead_office(action, extra) | accountable(action, extra)


def supporting_people(action, extra, assignment_ids=None):
    """Each supporting unit's named person, or its managers when nobody is named."""
    rows = Assignment.objects.filter(action_id=action.pk)
    if assignment_ids is not None:
        rows = rows.filter(pk__in=assignment_ids)
    people = set()
    for unit_id, person_id in rows.values_list("organization_unit_id", "person_id"):
        people |= {person_id} if person_id else unit_managers(unit_id)
    return people


def named_assignments(action, extra):
    """The people of the supporting assignments the event names (``assignment_ids``)."""
    return supporting_people(action, extra, extra.get("assignment_ids", []))


def newly_accountable(action, extra):
    """The accountable person named; the lead office's managers when nobody is."""
    return accountable(action, extra) or lead_office(action, extra)


def everyone_working(action, extra):
    """The lead office's managers, the accountable person and the supporting units."""
    return lead_office_and_accountable(action, extra) | supporting_people(action, extra)


def issuer(action, extra):
    return {action.issued_by_id} - {None} or unit_managers(action.issuing_unit_id)


def extension_requester(action, extra):
    request = ExtensionRequest.objects.filter(pk=extra.get("extension_id")).first()
    if request is None or request.requested_by_id is None:
        return set()
    return set(Person.objects.filter(user_id=request.requested_by_id).values_list("pk", flat=True))


def named_people(action, extra):
    """The people the event names (``person_ids``: mentions, a route step's person)."""
    return set(extra.get("person_ids", []))


def route_step_people(action, extra):
    """A coordination route step: its named person, else its unit's managers."""
    if extra.get("person_id"):
        return {extra["person_id"]}
    return unit_managers(extra.get("unit_id"))


# --- the table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    kind: str
    who: str  # said in the documentation and on the preferences page
    recipients: Callable
    sentence: str  # "{actor}" is who made the change
    mandatory: bool = False
    default: str = Delivery.IMMEDIATE


EVENTS = {
    event.kind: event
    for event in (
        Event(
            K.ISSUED,
            "the lead office's managers and the accountable person",
            lead_office_and_accountable,
            "{actor} issued this tasker to your office.",
        ),
        Event(
            K.ASSIGNED,
            "the accountable person named (else the lead office's managers)",
            newly_accountable,
            "{actor} made you accountable for this tasker.",
        ),
        Event(
            K.SUPPORTING_ADDED,
            "the person named on the supporting unit (else its managers)",
            named_assignments,
            "{actor} added your unit as a supporting unit.",
        ),
        Event(
            K.ROUTE_STEP,
            "the person of the route step (else its unit's managers)",
            route_step_people,
            "A coordination step on this tasker is now yours.",
        ),
        Event(
            K.COORDINATION_REMINDER,
            "supporting units that have not answered (person, else managers)",
            named_assignments,
            "{actor} is waiting for your unit's answer.",
        ),
        Event(
            K.EXTENSION_REQUESTED,
            "the lead office's managers",
            lead_office,
            "{actor} asked for a later suspense.",
        ),
        Event(
            K.EXTENSION_APPROVED,
            "the person who asked",
            extension_requester,
            "{actor} approved your extension request.",
        ),
        Event(
            K.EXTENSION_DENIED,
            "the person who asked",
            extension_requester,
            "{actor} denied your extension request.",
        ),
        Event(
            K.RETURNED,
            "the lead office's managers and the accountable person",
            lead_office_and_accountable,
            "{actor} returned the response for rework.",
        ),
        Event(
            K.APPROVED,
            "the lead office's managers and the accountable person",
            lead_office_and_accountable,
            "{actor} approved the response.",
        ),
        Event(
            K.COMPLETED,
            "the issuer (else the issuing office's managers) and the supporting units",
            lambda action, extra: issuer(action, extra) | supporting_people(action, extra),
            "This tasker is complete.",
        ),
        Event(
            K.CANCELLED,
            "the lead office's managers, the accountable person and the supporting units",
            everyone_working,
            "{actor} cancelled this tasker.",
        ),
        Event(
            K.SUSPENSE_CHANGED,
            "the lead office's managers, the accountable person and the supporting units",
            everyone_working,
            "{actor} moved the suspense from {old_due_date} to {new_due_date}.",
        ),
        Event(
            K.MENTIONED,
            "the people mentioned (@name)",
            named_people,
            "{actor} mentioned you.",
        ),
        Event(
            K.OVERDUE,
            "the people of the reminder digest (send_reminders)",
            named_people,
            "This tasker is overdue.",
            mandatory=True,
            default=Delivery.DIGEST,
        ),
        Event(
            K.ESCALATED,
            "the managers the reminder digest escalates to (send_reminders)",
            named_people,
            "This tasker is overdue past the escalation threshold.",
            mandatory=True,
            default=Delivery.DIGEST,
        ),
        # a person's own background work (execcoord.notices): told by notify_user
        Event(
            K.EXPORT_READY,
            "the person who asked for a large export",
            named_people,
            "Your export is ready.",
        ),
        Event(
            K.IMPORT_FINISHED,
            "the person who confirmed a large import",
            named_people,
            "Your import has finished.",
        ),
    )
}

# Told by the reminder digest itself (``send_reminders``): listed, never mailed again.
MAILED_BY_REMINDERS = frozenset({K.OVERDUE, K.ESCALATED})


# --- emitting ----------------------------------------------------------------------------


def _person_id(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()


def notify(kind, action, *, actor=None, **extra):
    """Tell the people of ``kind``'s row about ``action``, once the transaction commits.

    Call it inside the transaction of the change. ``actor`` (a user) is who made the change;
    ``extra`` holds JSON facts the table's functions and sentence read (``assignment_ids``,
    ``extension_id``, ``person_ids``, ``old_due_date`` …). Nothing is told of a draft.

    Returns:
        The event row, or ``None`` for a draft.
    """
    if action.status == ActionStatus.DRAFT:
        return None
    event = NotificationEvent.objects.create(
        kind=EVENTS[kind].kind, action_id=action.pk, actor_id=_person_id(actor), extra=extra
    )
    tasks.enqueue_on_commit(fan_out, event.pk)
    return event


def route_step_now_yours(action, *, unit=None, person=None, actor=None):
    """A coordination route step has reached ``person`` (else ``unit``'s managers): tell
    them. For the coordination routes; call it in the transaction that moves the route."""
    return notify(
        K.ROUTE_STEP,
        action,
        actor=actor,
        unit_id=getattr(unit, "pk", None),
        person_id=getattr(person, "pk", None),
    )


def notify_user(user, kind, message, url):
    """Tell ``user`` of their own background work (``execcoord.notices``: an export ready,
    an import finished): one notification about no tasker, in their list whatever they
    chose, e-mailed at once or in the digest as they chose for ``kind``. Call it in the
    transaction that records the work's outcome. A user without a person is not told (their
    work's page still shows it)."""
    person_id = _person_id(user)
    if person_id is None:
        return None
    delivery = deliveries([person_id], kind)[person_id]
    state = {Delivery.IMMEDIATE: MailState.PENDING, Delivery.DIGEST: MailState.DIGEST}.get(
        delivery, MailState.NONE
    )
    notification = Notification.objects.create(
        recipient_id=person_id,
        kind=EVENTS[kind].kind,
        url=url,
        message=single_line(message)[:500],
        mail_state=state,
    )
    if state == MailState.PENDING:
        tasks.enqueue_on_commit(deliver, notification.pk)
    return notification


MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]|[A-Za-z0-9])")


def mentioned_people(*texts):
    """The active people ``@name`` in ``texts`` names (sign-in name or e-mail local part)."""
    names = {name.lower() for text in texts if text for name in MENTION.findall(text)}
    if not names:
        return set()
    found = set()
    query = Q(user__username__in=names)
    for name in names:
        query |= Q(email__istartswith=f"{name}@")
    for pk, username, email in Person.objects.filter(query, is_active=True).values_list(
        "pk", "user__username", "email"
    ):
        if (username or "").lower() in names or email.split("@")[0].lower() in names:
            found.add(pk)
    return found


def notify_mentions(action, actor, *texts):
    """Tell the people mentioned in ``texts`` (the author excepted)."""
    people = mentioned_people(*texts)
    if people:
        return notify(K.MENTIONED, action, actor=actor, person_ids=sorted(people))
    return None


# --- fanning out and delivering (in a worker) ----------------------------------------------


def deliveries(person_ids, kind):
    """How each person wants ``kind``: ``{person id: Delivery}`` (mandatory kinds: never off)."""
    event = EVENTS[kind]
    chosen = dict(
        NotificationPreference.objects.filter(person_id__in=person_ids, kind=kind).values_list(
            "person_id", "delivery"
        )
    )
    result = {}
    for person_id in person_ids:
        delivery = chosen.get(person_id, event.default)
        if event.mandatory and delivery == Delivery.OFF:
            delivery = event.default
        result[person_id] = delivery
    return result


def recipients_of(event_row):
    """The people told of an event: the table's, less the actor, less those who may not see
    the tasker or cannot sign in."""
    action = event_row.action
    people = EVENTS[event_row.kind].recipients(action, event_row.extra) - {event_row.actor_id}
    persons = Person.objects.filter(
        pk__in=people, is_active=True, user__isnull=False, user__is_active=True
    ).select_related("user")
    return [
        person
        for person in persons
        if ExecutiveAction.objects.visible_to(person.user).filter(pk=action.pk).exists()
    ]


def message_for(event_row):
    event = EVENTS[event_row.kind]
    actor = str(event_row.actor) if event_row.actor_id else "Someone"
    facts = {key: value for key, value in event_row.extra.items() if isinstance(value, str)}
    try:
        sentence = event.sentence.format(actor=actor, **facts)
    except (KeyError, IndexError):
        sentence = event.sentence.replace("{actor}", actor)
    action = event_row.action
    return single_line(f"{action.number or 'Tasker'} {action.title}: {sentence}")[:500]


@tasks.background
def fan_out(event_id):
    """One event's notifications, stored, and their immediate e-mails queued."""
    with transaction.atomic():
        event_row = (
            NotificationEvent.objects.select_for_update(of=("self",))
            .select_related("action", "actor")
            .filter(pk=event_id)
            .first()
        )
        if event_row is None or event_row.fanned_out_at is not None:
            return 0
        people = recipients_of(event_row)
        chosen = deliveries([p.pk for p in people], event_row.kind)
        message = message_for(event_row)
        rows = []
        for person in people:
            delivery = chosen[person.pk]
            if event_row.kind in MAILED_BY_REMINDERS or delivery == Delivery.OFF:
                state = MailState.NONE
            elif delivery == Delivery.DIGEST:
                state = MailState.DIGEST
            else:
                state = MailState.PENDING
            rows.append(
                Notification(
                    event=event_row,
                    recipient=person,
                    kind=event_row.kind,
                    action_id=event_row.action_id,
                    message=message,
                    created_at=event_row.created_at,
                    mail_state=state,
                )
            )
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        event_row.fanned_out_at = timezone.now()
        event_row.save(update_fields=["fanned_out_at"])
        for pk in Notification.objects.filter(
            event=event_row, mail_state=MailState.PENDING
        ).values_list("pk", flat=True):
            tasks.enqueue_on_commit(deliver, pk)
    return len(rows)


def _site_host():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def site_link(path):
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def build_email(notifications, person, subject, template="notification"):
    """A plain-text and HTML e-mail of ``notifications`` to ``person``, with one link each
    and a List-Unsubscribe header to the preferences page."""
    preferences = site_link(reverse("notification_preferences"))
    items = [
        {"notification": n, "action": n.action, "url": site_link(n.link)} for n in notifications
    ]
    context = {
        "person": person,
        "items": items,
        "preferences_url": preferences,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    text = render_to_string(f"actions/email/{template}.txt", context)
    html = render_to_string(f"actions/email/{template}.html", context)
    message = EmailMultiAlternatives(
        single_line(subject),
        text,
        settings.DEFAULT_FROM_EMAIL,
        [person.email],
        headers={"List-Unsubscribe": f"<{preferences}>"},
    )
    message.attach_alternative(html, "text/html")
    return message


@tasks.background
def deliver(notification_id):
    """E-mail one notification, at most once (its idempotency key commits with the send's
    bookkeeping; a send that fails rolls both back and raises, so the task is retried)."""
    notification = (
        Notification.objects.select_related("action", "recipient__user")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.mail_state != MailState.PENDING:
        return "nothing to send"
    person = notification.recipient
    still_visible = (
        person.email
        and person.user is not None
        and person.user.is_active
        and (
            notification.action_id is None  # the person's own work
            or ExecutiveAction.objects.visible_to(person.user)
            .filter(pk=notification.action_id)
            .exists()
        )
    )
    if not still_visible:
        Notification.objects.filter(pk=notification.pk).update(mail_state=MailState.SKIPPED)
        return "skipped"

    def send():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.mail_state != MailState.PENDING:
            return
        action = notification.action
        about = f"{action.number or ''} {action.title}" if action else notification.message
        subject = f"{notification.get_kind_display()}: {about}"
        message = build_email([notification], person, subject)
        # the same Message-ID on every try: a mail system that got it twice can tell
        message.extra_headers["Message-ID"] = f"<notification-{notification.pk}@{_site_host()}>"
        message.send()
        locked.mail_state, locked.emailed_at = MailState.SENT, timezone.now()
        locked.save(update_fields=["mail_state", "emailed_at"])

    return "sent" if tasks.run_once(notification.mail_key, send) else "already sent"


@tasks.background
def send_digest(person_id, day):
    """One person's daily digest of the notifications they chose to get that way."""
    person = Person.objects.select_related("user").get(pk=person_id)
    key = f"notification-digest:{person_id}:{day}"

    def send():
        waiting = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(recipient=person, mail_state=MailState.DIGEST)
            .select_related("action")
            .order_by("created_at", "pk")
        )
        visible = set(
            ExecutiveAction.objects.visible_to(person.user)
            .filter(pk__in=[n.action_id for n in waiting])
            .values_list("pk", flat=True)
        )
        shown = [n for n in waiting if n.action_id is None or n.action_id in visible]
        if shown and person.email:
            build_email(shown, person, f"Your notifications of {day}", "notification").send()
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(
            mail_state=MailState.SENT, emailed_at=timezone.now()
        )

    return tasks.run_once(key, send)


def requeue_lost(older_than):
    """Queue again the events not fanned out and the e-mails not sent ``older_than``
    seconds after they were written (their task was lost: a queue down, a worker killed).
    Returns ``(events, e-mails)`` queued."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than)
    events = list(
        NotificationEvent.objects.filter(
            fanned_out_at__isnull=True, created_at__lte=cutoff
        ).values_list("pk", flat=True)
    )
    mails = list(
        Notification.objects.filter(
            mail_state=MailState.PENDING, created_at__lte=cutoff
        ).values_list("pk", flat=True)
    )
    for pk in events:
        fan_out.enqueue(pk)
    for pk in mails:
        deliver.enqueue(pk)
    return len(events), len(mails)


def record_reminder_items(digest):
    """List a reminder digest's overdue and escalated taskers under its person's bell (the
    digest itself is their e-mail), in the transaction that records the digest as sent."""
    rows = []
    for kind, items in (
        (K.ESCALATED, digest.escalated),
        (K.OVERDUE, [*digest.overdue, *digest.units_overdue]),
    ):
        sentence = EVENTS[kind].sentence
        for item in items:
            action = item.action
            rows.append(
                Notification(
                    recipient=digest.person,
                    kind=kind,
                    action=action,
                    message=single_line(f"{action.number or 'Tasker'} {action.title}: {sentence}")[
                        :500
                    ],
                    mail_state=MailState.NONE,
                )
            )
    Notification.objects.bulk_create(rows)
    return len(rows)


def digest_recipients():
    return list(
        Notification.objects.filter(mail_state=MailState.DIGEST)
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def unread_count(user):
    """The bell's number: the user's unread notifications (``visible_to``), every page's
    query, compiled once and, on PostgreSQL, planned once (``execcoord.db.compiled``)."""
    reader = reader_id(user)
    if reader is None:
        return 0
    rows = compiled_rows("unread-notifications", _unread_of, reader)
    return rows[0]["n"] if rows else 0


def _unread_of(user_id):
    return (
        Notification.objects.of_reader(user_id)
        .unread()
        .order_by()
        .values("recipient__user_id")
        .annotate(n=Count("pk"))
    )


def preferences_of(person):
    """``[(Event, delivery)]`` of every kind, in the table's order."""
    chosen = dict(
        NotificationPreference.objects.filter(person=person).values_list("kind", "delivery")
    )
    return [(event, chosen.get(event.kind, event.default)) for event in EVENTS.values()]


__all__ = [
    "EVENTS",
    "deliver",
    "fan_out",
    "mentioned_people",
    "notify",
    "notify_user",
    "notify_mentions",
    "route_step_now_yours",
    "send_digest",
]
