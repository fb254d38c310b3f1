"""Bookkeeping tables of the actions app: number counters, calendar-feed tokens, reminder log.

These are machinery, not records people edit, so they are plain models without change
history: a history row for every number handed out would double the writes made while the
counter row is locked, and the reminder log is itself a log.
"""

import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from actions.choices import REMINDER_KIND_COLORS, ReminderKind
from execcoord.db.constraints import unique
from execcoord.formats import format_date
from partners.access import get_user_scope


def _is_admin(user):
    return get_user_scope(user).is_admin


class AdminOnlyQuerySet(models.QuerySet):
    """Rows only administrators see."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.all() if _is_admin(user) else self.none()


class ActionNumberSequence(models.Model):
    """The last number handed out for a prefix and year (:meth:`take`).

    The counter only grows, so a number is never reused, even when its action is deleted.
    """

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    objects = AdminOnlyQuerySet.as_manager()

    choice_colors: dict = {}
    search_fields = ("prefix",)

    class Meta:
        # default ordering: prefix, year (index of the unique constraint)
        ordering = ["prefix", "year"]
        verbose_name = "action number sequence"
        verbose_name_plural = "action number sequences"
        constraints = [
            unique(
                ["prefix", "year"],
                "unique_prefix_year",
                "A sequence for this prefix and year already exists.",
            ),
        ]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last_value:05d}"

    @classmethod
    def take(cls, prefix, count=1, *, year=None):
        """Hand out the next ``count`` numbers of ``prefix`` and the year, in order.

        ``<prefix>-<year>-<5 digits>``, e.g. ``EA-2026-00042``. The counter row is locked with
        ``SELECT … FOR UPDATE`` until the caller's transaction ends, so concurrent creations
        wait for each other, and it is advanced once by ``count`` (imports number a whole
        group in one step); the counter only grows, so a number is never reused.

        Args:
            prefix: the type's number prefix.
            count: how many numbers.
            year: the numbering year (default: this year in the agency's time zone).
        """
        year = year or timezone.localdate().year
        with transaction.atomic():
            sequence, _ = cls.objects.get_or_create(prefix=prefix, year=year)
            sequence = cls.objects.select_for_update().get(pk=sequence.pk)
            first = sequence.last_value + 1
            sequence.last_value += count
            sequence.save(update_fields=["last_value"])
        return [f"{prefix}-{year}-{n:05d}" for n in range(first, first + count)]


def new_feed_token():
    """A fresh unguessable token for a calendar-feed URL."""
    return secrets.token_urlsafe(32)


class CalendarFeedTokenQuerySet(models.QuerySet):
    """A user sees their own token; administrators see all (to revoke them)."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.all() if _is_admin(user) else self.filter(user=user)

    def active(self):
        return self.filter(revoked_at__isnull=True)


class CalendarFeedToken(models.Model):
    """The secret in a user's iCalendar feed URL (Outlook cannot sign in, so the URL must).

    Revoking sets ``revoked_at``; the feed view accepts only tokens that are not revoked and
    whose user is active.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed_token",
    )
    token = models.CharField(max_length=64, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedTokenQuerySet.as_manager()

    choice_colors: dict = {}
    search_fields = ()

    class Meta:
        # default ordering: newest first (index calfeed_created_idx)
        ordering = ["-created_at", "-pk"]
        verbose_name = "calendar feed token"
        verbose_name_plural = "calendar feed tokens"
        indexes = [models.Index(fields=["-created_at", "-id"], name="calfeed_created_idx")]
        constraints = [
            unique(["token"], "unique_token", "This token is already in use."),
        ]

    def __str__(self):
        # never the token itself: it is a credential
        return "Calendar feed token (revoked)" if self.revoked_at else "Calendar feed token"

    @property
    def is_active(self):
        return self.revoked_at is None

    def revoke(self):
        """Stop the current URL from working."""
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    def rotate(self):
        """Issue a new URL (the old one stops working)."""
        self.token = new_feed_token()
        self.revoked_at = None
        self.save(update_fields=["token", "revoked_at"])


class ReminderLogQuerySet(models.QuerySet):
    """A person sees reminders sent to them; administrators see all."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.all() if _is_admin(user) else self.filter(person__user=user)


class ReminderLog(models.Model):
    """One reminder e-mail sent to a person on a day, so reruns send nothing twice.

    The reminder command inserts the row first and sends only if the insert won (the unique
    constraint is the claim).
    """

    person = models.ForeignKey(
        "partners.Person", on_delete=models.CASCADE, related_name="reminder_logs"
    )
    date = models.DateField()
    kind = models.CharField(max_length=16, choices=ReminderKind)
    sent_at = models.DateTimeField(default=timezone.now)
    item_count = models.PositiveIntegerField(default=0, help_text="Actions in the e-mail.")

    objects = ReminderLogQuerySet.as_manager()

    choice_colors = {"kind": REMINDER_KIND_COLORS}
    search_fields = ()

    class Meta:
        # default ordering: newest day first (index reminderlog_date_idx)
        ordering = ["-date", "-pk"]
        verbose_name = "reminder log entry"
        verbose_name_plural = "reminder log"
        indexes = [models.Index(fields=["-date", "-id"], name="reminderlog_date_idx")]
        constraints = [
            unique(
                ["person", "date", "kind"],
                "once_a_day",
                "This reminder was already sent to this person today.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} reminder {format_date(self.date)}"


class CompletionTally(models.Model):
    """How many completed taskers met their suspense, per unit (the taskers led anywhere in
    its subtree), visibility and classification: the dashboard's on-time rates without
    reading history.

    Maintained by database triggers on the actions table (``actions/tallies.py``, installed by
    migration ``0022``) in the same statement as every insert, update and delete, whatever
    the code path (forms, services, bulk edits, imports), and recounted for the units whose
    subtree a move of the unit tree changes; the benchmark generator, which loads with
    triggers off, rebuilds it. Keys are a plain integer and strings so that each key is one
    row. Read through ``actions.tallies`` only.
    """

    unit_id = models.IntegerField()
    visibility = models.CharField(max_length=20)
    security_classification = models.CharField(max_length=20)
    on_time_original = models.IntegerField(default=0)
    late_original = models.IntegerField(default=0)
    on_time_current = models.IntegerField(default=0)
    late_current = models.IntegerField(default=0)

    objects = AdminOnlyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "visibility", "security_classification"],
                name="completion_tally_key",
            )
        ]

    def __str__(self):
        return f"tally of unit {self.unit_id}, {self.visibility}, {self.security_classification}"
