"""Abstract bases shared by every domain model, and the machinery's own small models.

Every domain model subclasses :class:`BaseModel`, which gives it timestamps, change history
(django-simple-history), a ``visible_to(user)`` queryset method and the generic URLs. The
domain apps override ``visible_to`` where records are not visible to every signed-in user
(executive actions and their satellites).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from execcoord.utils import has_control_characters, object_url


def optional_link(to, related_name, on_delete=models.SET_NULL, **options):
    """An optional foreign key, emptied (``SET_NULL``) when the linked record goes unless
    ``on_delete`` says otherwise (``PROTECT`` for a responsibility that must not silently go).

    Args:
        to: the linked model, or its ``"app.Model"`` label.
        related_name: the reverse accessor on ``to`` (``"+"`` for none).
        on_delete: what deleting the linked record does.
        options: the field's own options (``editable``, ``help_text``, ``verbose_name``).
    """
    return models.ForeignKey(
        to, on_delete=on_delete, null=True, blank=True, related_name=related_name, **options
    )


def user_link(**options):
    """A link to the user who did something (answered, decided, uploaded, changed): optional,
    emptied when the account goes, with no reverse accessor on the user."""
    return optional_link(settings.AUTH_USER_MODEL, "+", **options)


class StaleEdit(Exception):
    """A save found the row at a newer version than the one it was read at: someone else
    saved it meanwhile. Nothing was written.

    Like any error inside ``save()``, it spoils the surrounding transaction: catch it outside
    the ``atomic`` block that holds the save (the generic views, bulk edit and admin do)."""

    def __init__(self, instance):
        self.instance = instance
        super().__init__(f"{type(instance).__name__} {instance.pk} was changed meanwhile.")


class VisibleQuerySet(models.QuerySet):
    """QuerySet with the one method that decides what a user may see.

    The default: every active, signed-in user sees every record (reference data is shared
    across the agency). Models with record-level visibility override ``visible_to``.
    """

    def visible_to(self, user):
        """Return the records ``user`` may see.

        Args:
            user: a ``User`` (or ``AnonymousUser``); ``None`` means nobody.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.all()


class BaseModel(models.Model):
    """Timestamps, history, visibility and generic URLs for a domain model.

    Attributes:
        choice_colors: ``{field_name: {value: bootstrap_colour}}`` used by the badge tag.
        search_fields: fields the quick search and global search look in.
        str_fields: the fields ``__str__`` reads, when the record is shown only by name
            (an export loads just these of a related record); empty means "all fields".
    """

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)
    version = models.PositiveIntegerField(
        default=1,
        db_default=1,
        editable=False,
        help_text="Counts the saves of this record: a change made from an older copy is refused.",
    )

    history = HistoricalRecords(inherit=True)
    objects = VisibleQuerySet.as_manager()

    choice_colors: dict = {}
    search_fields: tuple = ()
    str_fields: tuple = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Grow ``version`` and write only if the row still holds the version this instance
        was read at (compare-and-swap, :meth:`_do_update`)."""
        read = None
        if not self._state.adding:
            read = self._read_version = self.version  # _do_update takes it
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        try:
            super().save(*args, **kwargs)
        except Exception:
            if read is not None:
                self.version = read  # nothing was written
            raise

    def get_absolute_url(self):
        return object_url(self, "detail", self.pk)

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        """``UPDATE … WHERE pk = %s AND version = <read version>``: no path overwrites a
        newer edit. Zero rows matched while the row exists means someone saved it since this
        instance was read: :class:`StaleEdit`."""
        read = self.__dict__.pop("_read_version", None)
        if read is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        guarded = base_qs.filter(version=read)
        if super()._do_update(guarded, using, pk_val, values, update_fields, True):
            return True
        if base_qs.filter(pk=pk_val).exists():
            raise StaleEdit(self)
        return False

    def clean_fields(self, exclude=None):
        """Django's field checks, and no control characters in text: a single-line field
        (``CharField``: a title, a name, a code) holds none, not even a line break, which
        would break an e-mail subject or a CSV cell; a multi-line one (``TextField``) keeps
        tab and line breaks. Forms, imports and services all validate through here."""
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if field.name in errors or (exclude and field.name in exclude):
                continue
            if not isinstance(field, (models.CharField, models.TextField)) or field.choices:
                continue
            value = getattr(self, field.attname)
            multiline = isinstance(field, models.TextField)
            if isinstance(value, str) and has_control_characters(value, multiline):
                errors[field.name] = [
                    ValidationError(
                        "Remove the control characters (such as NUL)."
                        if multiline
                        else "Keep this to one line: remove line breaks, tabs and other "
                        "control characters.",
                        code="control_characters",
                    )
                ]
        if errors:
            raise ValidationError(errors)

    def get_choice_color(self, field_name):
        """The Bootstrap colour name for the current value of choice field ``field_name``."""
        value = getattr(self, field_name)
        return self.choice_colors.get(field_name, {}).get(value, "secondary")


class SavedView(models.Model):
    """A named list filter/sort/columns state, private or shared (issue 3).

    Who may save, share and delete one is the write policy's (``policy.SavedViewPolicy``):
    sharing with a unit or everyone takes the ``share_views`` privilege, which a domain app
    grants to roles (``policy.grant``). ``unit`` points at ``settings.EXECCOORD_UNIT_MODEL``
    and the user's own unit comes from ``policy.user_unit_id``.
    """

    class Sharing(models.TextChoices):
        PRIVATE = "private", "Only me"
        UNIT = "unit", "My organization unit"
        EVERYONE = "everyone", "Everyone"

    name = models.CharField(max_length=255)
    model = models.CharField(max_length=100, help_text="app_label.model_name of the list")
    query = models.TextField(blank=True, help_text="the list's query string")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    sharing = models.CharField(max_length=20, choices=Sharing, default=Sharing.PRIVATE)
    unit = models.ForeignKey(
        settings.EXECCOORD_UNIT_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="for views shared with a unit",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "saved view"
        verbose_name_plural = "saved views"

    def __str__(self):
        return self.name


class FormSubmission(models.Model):
    """A form that was submitted: its key (one per rendered form) is taken once, so a double
    click or a resubmitted page creates one record, not two (``execcoord.forms.FORM_KEY``)."""

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=500, blank=True, help_text="where the first one led")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "form submission"
        verbose_name_plural = "form submissions"

    def __str__(self):
        return self.key


class ApiTokenQuerySet(models.QuerySet):
    """A user sees their own API tokens; administrators (``is_staff``) see every one."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.all() if user.is_staff else self.filter(user=user)

    def usable(self):
        """Tokens that still authenticate: not revoked, not expired, of an active user."""
        from django.utils import timezone

        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )


class ApiToken(models.Model):
    """A personal token for the REST API (issue 19): ``Authorization: Bearer <token>``.

    Only a hash of the secret is stored (SHA-256: the secret is 32 random bytes, so a slow
    hash adds nothing); ``prefix``, the secret's first characters, finds the row and is shown
    on the tokens page so a user can tell their tokens apart. The whole token is shown once,
    when it is made. Revoking sets ``revoked_at``; an expired or revoked token, or one of an
    inactive user, no longer authenticates.
    """

    PREFIX_LENGTH = 12

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for (a script, a tool).")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the token")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"
        verbose_name_plural = "API tokens"

    def __str__(self):
        # never the secret: only the prefix, which is not enough to use it
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(secret):
        import hashlib

        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name, expires_at=None):
        """Make a token for ``user``; returns ``(token, secret)``: the secret exists only in
        this return value (the page shows it once)."""
        import secrets

        secret = "ec_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=secret[: cls.PREFIX_LENGTH],
            digest=cls.hash(secret),
            expires_at=expires_at,
        )
        return token, secret

    @classmethod
    def authenticate(cls, secret):
        """The usable token whose secret is ``secret``, or ``None`` (compared in constant
        time after the lookup by prefix)."""
        import hmac

        if not isinstance(secret, str) or len(secret) > 200:
            return None
        candidate = (
            cls.objects.usable()
            .select_related("user")
            .filter(prefix=secret[: cls.PREFIX_LENGTH])
            .first()
        )
        if candidate is None or not hmac.compare_digest(candidate.digest, cls.hash(secret)):
            return None
        return candidate

    @property
    def is_active(self):
        from django.utils import timezone

        expired = self.expires_at is not None and self.expires_at <= timezone.now()
        return self.revoked_at is None and not expired

    def revoke(self):
        from django.utils import timezone

        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class DeadLetter(models.Model):
    """A background task that failed its last try (``execcoord.tasks.background``), or that
    a killed worker left running (``manage.py recover_tasks``): what it was called with and
    why it failed, so that an administrator can see it and run it again (admin action)."""

    task_path = models.CharField(max_length=255, help_text="The task's dotted path.")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=1, help_text="Tries made before giving up.")
    error = models.TextField(blank=True, help_text="The last error: its class and message.")
    traceback = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rerun_at = models.DateTimeField(null=True, blank=True, help_text="When it was run again.")
    rerun_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "dead letter"
        verbose_name_plural = "dead letters"

    def __str__(self):
        return f"{self.task_path.rsplit('.', 1)[-1]} ({self.created_at:%Y-%m-%d %H:%M})"


class IdempotencyKey(models.Model):
    """A side effect already done (an e-mail sent): its key is inserted in the transaction
    that records the effect, so a task run again (a retry, a worker restarted after a kill)
    finds it and does not do it twice (``execcoord.tasks.run_once``)."""

    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "idempotency key"
        verbose_name_plural = "idempotency keys"

    def __str__(self):
        return self.key


class PreparedExport(models.Model):
    """A list export too large to build in a request (``EXPORT_BACKGROUND_ROWS``): what was
    asked — the list and its query string, never its rows — and the file a task built from
    it (``execcoord.background``). The task reads the rows again through the owner's
    ``visible_to``; only the owner downloads the file, until ``expires_at``, after which
    ``manage.py purge_expired`` removes file and row."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=100, help_text="app_label.model_name of the list")
    title = models.CharField(max_length=200, help_text="The list's name, for the file name.")
    format = models.CharField(max_length=8, choices=[("csv", "CSV"), ("xlsx", "Excel")])
    query = models.TextField(blank=True, help_text="The list's query string (filters, sort).")
    status = models.CharField(max_length=16, choices=Status, default=Status.QUEUED)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True, help_text="The file in the storage.")
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="Bytes.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "prepared export"
        verbose_name_plural = "prepared exports"
        indexes = [models.Index(fields=["owner", "-created_at"], name="preparedexport_owner_idx")]

    def __str__(self):
        return f"{self.title} ({self.format}, {self.created_at:%Y-%m-%d %H:%M})"

    @property
    def file_name(self):
        return f"{self.title.replace(' ', '_')}.{self.format}"

    def is_downloadable(self, now=None):
        from django.utils import timezone

        return self.status == self.Status.READY and (now or timezone.now()) < self.expires_at


class ImportRun(models.Model):
    """A confirmed import too large to commit in a request (``IMPORT_BACKGROUND_ROWS``): the
    previewed file (its stored path, one run per preview), who imports it, and once the task
    has run its outcome and report (``execcoord.background``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Nothing imported"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    resource = models.CharField(max_length=100, help_text="The import's slug.")
    file_name = models.CharField(max_length=200)
    path = models.CharField(
        max_length=300, unique=True, help_text="The stored preview: a preview imports once."
    )
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status, default=Status.QUEUED)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "background import"
        verbose_name_plural = "background imports"

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)
