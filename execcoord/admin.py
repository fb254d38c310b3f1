"""Base admin class: history, and visibility scoping for every changelist."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin


class BaseAdmin(SimpleHistoryAdmin):
    """Admin for a domain model.

    Non-superusers see only what ``visible_to`` lets them see, in changelists, change pages,
    autocomplete results and history (DESIGN.md §4). ``show_full_result_count`` is off so an
    unfiltered changelist never counts a large table twice.
    """

    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.visible_to(request.user)


class ReadOnlyInline(admin.TabularInline):
    """An inline that lists child rows without editing them (history-like satellites)."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
