"""A submitted form gets one clear answer: saved once, refused as stale, or refused because a
simultaneous save took the place first. Shared by the generic edit view and the workflow
pages of the domain apps.

- **One-time form keys.** Every form that creates a record (or appends a history entry)
  carries a fresh random key (``FORM_KEY``: a ``BaseModelForm`` on create,
  :class:`OneTimeKeyMixin` on a plain form, ``{% form_key %}`` in a template's button form).
  The view takes the key with :func:`claim_form_key` inside the transaction that saves, and
  notes where the first submission led with :func:`record_form_key`. A double click or a
  resubmitted page finds the key taken and is sent where the first one went; a simultaneous
  second submission waits on the key's unique index until the first commits. A failed save
  rolls the claim back with it, so the corrected form can be sent again.
- **Unique rules broken by a simultaneous save.** :func:`clash_message` names the stored
  record a new one would duplicate, with who saved it and when ("This action already has a
  pending extension request, by alice at 10:42"), for the form, instead of a server error.
"""

import datetime
import uuid

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import UniqueConstraint
from django.http import HttpResponseRedirect
from django.utils import timezone

FORM_KEY = "form_key"
ALREADY_SUBMITTED = "This form was already submitted; it was saved once."


def new_form_key():
    """A fresh one-time key for a form about to be drawn."""
    return uuid.uuid4().hex


def posted_form_key(request, form=None):
    """The key the request carries (``""`` if none). With ``form``, only when the form
    offers a key (an edit form of a stored record has none)."""
    if form is None:
        return request.POST.get(FORM_KEY, "")[:64]
    if FORM_KEY not in form.fields:
        return ""
    return request.POST.get(form.add_prefix(FORM_KEY), "")[:64]


def claim_form_key(request, form=None):
    """Take the submitted form's one-time key, inside the transaction that saves.

    Returns ``None`` the first time (or when the form carries no key); for the same drawn
    form submitted again, a redirect to where the first submission led, with a message,
    and the caller saves nothing.
    """
    from execcoord.models import FormSubmission

    key = posted_form_key(request, form)
    if not key:
        return None
    try:
        with transaction.atomic():
            FormSubmission.objects.create(key=key, user=request.user)
    except IntegrityError:
        first = FormSubmission.objects.filter(key=key, user=request.user).first()
        messages.info(request, ALREADY_SUBMITTED)
        return HttpResponseRedirect(first.url if first and first.url else request.path)
    return None


def record_form_key(request, form, url):
    """Remember where the first submission led (see :func:`claim_form_key`); ``form`` may
    be ``None`` for a template's button form."""
    from execcoord.models import FormSubmission

    key = posted_form_key(request, form)
    submission = FormSubmission.objects.filter(key=key, user=request.user).first() if key else None
    if submission is not None:
        submission.url = url[:500]
        submission.save(update_fields=["url"])


def purge_expired_form_keys(now=None):
    """Forget the keys of forms submitted more than ``FORM_KEY_MAX_AGE`` seconds ago (a page
    that old is not sent twice by a double click); returns how many."""
    from django.conf import settings

    from execcoord.models import FormSubmission

    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=settings.FORM_KEY_MAX_AGE)
    removed, _ = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return removed


class OneTimeKeyMixin(forms.Form):
    """A hidden one-time key on a plain (model) form that creates something; a drawn form
    gets a fresh one, a bound form keeps the one it was drawn with."""

    form_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[FORM_KEY].initial = new_form_key()


# -- who saved it first -------------------------------------------------------------------


def when_text(moment):
    """``at 10:42`` today, else ``on 28 Nov 2026 at 10:42`` (the agency's time)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return f"at {local:%H:%M}"
    return f"on {local:%d %b %Y} at {local:%H:%M}"


def saved_by(record, *, first=False):
    """``(who, when)`` of the last (or ``first``) save of ``record``, from its history;
    ``("", "")`` when nothing is recorded."""
    history = getattr(record, "history", None)
    if history is None:
        return "", when_text(getattr(record, "created_at", None))
    rows = history.select_related("history_user").order_by(
        "history_date" if first else "-history_date"
    )
    row = rows.first()
    if row is None:
        return "", when_text(getattr(record, "created_at", None))
    who = row.history_user.get_username() if row.history_user else ""
    return who, when_text(row.history_date)


def unique_clash(instance):
    """``(constraint, stored record)`` for the first unique constraint of ``instance``'s
    model (with fields, conditions allowed) that a stored record other than ``instance``
    already holds; ``None`` when there is none."""
    from django.core.exceptions import ValidationError

    model = type(instance)
    for constraint in model._meta.constraints:
        if not isinstance(constraint, UniqueConstraint) or not constraint.fields:
            continue
        try:
            constraint.validate(model, instance)
        except ValidationError:
            pass
        else:
            continue
        lookup = {}
        for name in constraint.fields:
            field = model._meta.get_field(name)
            lookup[field.attname] = getattr(instance, field.attname)
        others = model._base_manager.filter(**lookup)
        if constraint.condition is not None:
            others = others.filter(constraint.condition)
        if instance.pk is not None:
            others = others.exclude(pk=instance.pk)
        other = others.order_by("pk").first()
        if other is not None:
            return constraint, other
    return None


def clash_message(instance):
    """The sentence refusing ``instance`` because a stored record holds its place under a
    unique rule: the rule's own message, then who saved that record and when. ``None``
    when nothing clashes (any longer)."""
    found = unique_clash(instance)
    if found is None:
        return None
    constraint, other = found
    default = f"A matching {type(instance)._meta.verbose_name} already exists."
    text = str(getattr(constraint, "violation_error_message", "") or default)
    if text == str(constraint.default_violation_error_message):
        text = default
    who, when = saved_by(other, first=True)
    tail = " ".join(part for part in (f"by {who}" if who else "", when) if part)
    return f"{text.rstrip('.')}, {tail}." if tail else text


def integrity_message(model, error, instance=None):
    """A plain sentence for a unique rule broken by a simultaneous save: who holds the place
    (:func:`clash_message`) when ``instance`` is given and the clash is found, else the
    model's own constraint message when the database names the constraint."""
    if instance is not None:
        found = clash_message(instance)
        if found:
            return found
    text = str(error)
    for constraint in model._meta.constraints:
        if constraint.name in text and getattr(constraint, "violation_error_message", None):
            return f"{constraint.violation_error_message} (saved by someone else just now)"
    return "Someone else saved a conflicting record just now; nothing was saved. Try again."
