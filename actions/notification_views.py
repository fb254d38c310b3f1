"""The notification pages: the list under the bell (only the user's own, newest first, and
only about taskers they may still see), marking read, and the per-kind delivery choices."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from actions.choices import Delivery
from actions.models import ExecutiveAction, Notification, NotificationPreference
from actions.notifications import EVENTS, preferences_of
from partners.access import get_user_scope
from partners.models import Person

PAGE_SIZE = 25


def own_notifications(user):
    """The user's notifications about taskers they may see now, and about their own work."""
    return Notification.objects.visible_to(user).filter(
        Q(action__isnull=True) | Q(action__in=ExecutiveAction.objects.visible_to(user).values("pk"))
    )


def notification_list(request):
    rows = own_notifications(request.user).select_related("action")
    if request.GET.get("show") == "unread":
        rows = rows.unread()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "actions/notifications.html",
        {"page": page, "unread_only": request.GET.get("show") == "unread"},
    )


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(reverse("notifications"))


@require_POST
def notification_read(request, pk):
    """Mark one of the user's notifications read (someone else's is not found)."""
    updated = (
        Notification.objects.visible_to(request.user)
        .filter(pk=pk, read_at__isnull=True)
        .update(read_at=timezone.now())
    )
    if not updated and not Notification.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404
    return _back(request)


@require_POST
def notification_read_all(request):
    count = Notification.objects.visible_to(request.user).unread().update(read_at=timezone.now())
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return _back(request)


def notification_preferences(request):
    """Per kind: e-mail at once, in the daily digest, or not at all (mandatory kinds cannot
    be turned off). Without a person record there is nothing to choose."""
    person_id = get_user_scope(request.user).person_id
    if person_id is None:
        return render(request, "actions/notification_preferences.html", {"rows": []})
    person = Person.objects.get(pk=person_id)
    if request.method == "POST":
        allowed = set(Delivery.values)
        with transaction.atomic():
            for event in EVENTS.values():
                value = request.POST.get(f"kind-{event.kind}", event.default)
                if value not in allowed or (event.mandatory and value == Delivery.OFF):
                    value = event.default
                NotificationPreference.objects.update_or_create(
                    person=person, kind=event.kind, defaults={"delivery": value}
                )
        messages.success(request, "Your notification choices are saved.")
        return HttpResponseRedirect(reverse("notification_preferences"))
    rows = [
        {
            "event": event,
            "label": Notification(kind=event.kind).get_kind_display(),
            "delivery": delivery,
            "choices": [
                (value, label)
                for value, label in Delivery.choices
                if not (event.mandatory and value == Delivery.OFF)
            ],
        }
        for event, delivery in preferences_of(person)
    ]
    return render(request, "actions/notification_preferences.html", {"rows": rows})
