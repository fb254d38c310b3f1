"""What people are told: the events of the workflow (one row each, written in the
transaction of the change: the outbox), the notifications they fan out to (one a person,
listed under the bell whether or not they were e-mailed) and each person's choice of
delivery per kind. The table of who is told of what is ``actions.notifications``."""

from django.db import models
from django.utils import timezone

from actions.choices import Delivery, MailState, NotificationKind
from execcoord.models import optional_link


class NotificationEvent(models.Model):
    """One workflow event to tell people of. Written with the change it reports, so a
    request that rolls back tells nobody, and an event whose fan-out task was lost (a queue
    down, a worker killed) is found by ``manage.py send_notifications`` and fanned out then."""

    kind = models.CharField(max_length=32, choices=NotificationKind)
    action = models.ForeignKey(
        "actions.ExecutiveAction", on_delete=models.CASCADE, related_name="notification_events"
    )
    actor = optional_link("partners.Person", "+")
    extra = models.JSONField(default=dict, blank=True, help_text="The event's own facts.")
    created_at = models.DateTimeField(default=timezone.now)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "notification event"
        verbose_name_plural = "notification events"
        indexes = [
            models.Index(
                fields=["created_at"],
                name="notifevent_pending_idx",
                condition=models.Q(fanned_out_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"


def reader_id(user):
    """The id of ``user`` when they may read notifications (signed in and active), else
    ``None``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return user.pk


class NotificationQuerySet(models.QuerySet):
    """A person sees only their own notifications."""

    def visible_to(self, user):
        reader = reader_id(user)
        return self.none() if reader is None else self.of_reader(reader)

    def of_reader(self, user_id):
        """What :meth:`visible_to` shows the user with id ``user_id`` (see :func:`reader_id`)."""
        return self.filter(recipient__user_id=user_id)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One person told of one event: in the list under the bell, and e-mailed at once, in
    the daily digest or not at all as they chose (mandatory kinds always). The person's own
    background work (an export ready, an import finished) is told with no tasker and no
    event row, by ``actions.notifications.notify_user``."""

    event = models.ForeignKey(
        NotificationEvent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    recipient = models.ForeignKey(
        "partners.Person", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind)
    action = models.ForeignKey(
        "actions.ExecutiveAction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="The tasker it is about; none for the person's own work (an export).",
    )
    url = models.CharField(
        max_length=300, blank=True, help_text="Where it leads when it is about no tasker."
    )
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    mail_state = models.CharField(max_length=16, choices=MailState, default=MailState.NONE)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        # default ordering: newest first (index notification_recipient_idx)
        ordering = ["-created_at", "-pk"]
        verbose_name = "notification"
        verbose_name_plural = "notifications"
        indexes = [
            models.Index(
                fields=["recipient", "-created_at", "-id"], name="notification_recipient_idx"
            ),
            models.Index(
                fields=["recipient"],
                name="notification_unread_idx",
                condition=models.Q(read_at__isnull=True),
            ),
        ]
        constraints = [
            # a fan-out run again (a retry, a restarted worker) adds nobody twice
            models.UniqueConstraint(
                fields=["event", "recipient"], name="notification_once_per_event"
            ),
        ]

    def __str__(self):
        return self.message

    @property
    def link(self):
        """The page it leads to: its tasker's, else its own ``url``."""
        return self.action.get_absolute_url() if self.action_id else self.url

    @property
    def mail_key(self):
        """The idempotency key of this notification's e-mail."""
        return f"notification-mail:{self.pk}"


class NotificationPreference(models.Model):
    """A person's choice for one kind (none stored: the table's default)."""

    person = models.ForeignKey(
        "partners.Person", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind)
    delivery = models.CharField(max_length=16, choices=Delivery, default=Delivery.IMMEDIATE)

    class Meta:
        verbose_name = "notification preference"
        verbose_name_plural = "notification preferences"
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="notificationpref_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_delivery_display()}"
