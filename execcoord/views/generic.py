"""The generic object views every registered model gets (STYLE.md §2, NetBox generic views).

Each view is configured by its registration (``execcoord.registry.ObjectViews``); an app
subclasses one only to change behaviour, usually through ``get_extra_context`` or
``alter_object``.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import NestedObjects
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage
from django.db import IntegrityError, router, transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django_tables2.utils import OrderByTuple

from execcoord import background, policy, registry
from execcoord.access import is_restricted, visible, visible_pks
from execcoord.changes import history_entries
from execcoord.db.union import Shaped, load_together
from execcoord.export import export_response
from execcoord.forms import bulk_edit_form_for, changed_fields_since
from execcoord.models import SavedView, StaleEdit
from execcoord.panels import RelatedPanel, default_layout, discover_relations, load_panel_data
from execcoord.submissions import claim_form_key, integrity_message, record_form_key
from execcoord.tables import (
    CappedCountPaginator,
    DeferredJoinData,
    optimize_queryset,
    total_ordering,
)
from execcoord.utils import viewname
from execcoord.views.mixins import ObjectPermissionMixin, ReturnURLMixin

PER_PAGE_CHOICES = (25, 50, 100, 250)


class BaseObjectView(ObjectPermissionMixin, ReturnURLMixin, View):
    """Base of the generic views: permission, scope, return URL, context."""

    template_name = None

    def get_extra_context(self, request, instance):
        """Extra template context; the one hook most subclasses override.

        Args:
            request: the current request.
            instance: the record (or ``None`` on list pages).
        """
        return {}

    def render(self, context, status=200):
        return render(self.request, self.template_name, context, status=status)


class ObjectListView(BaseObjectView):
    """Filterset on the scoped rows → table → page; also CSV/XLSX export.

    The query string holds the whole state: filters, ``q``, ``sort``, ``page``,
    ``per_page``, ``columns`` (repeated: the columns shown, default the table's
    ``default_columns``) and ``export``, so a saved view keeps all of it.
    """

    template_name = "generic/object_list.html"

    def get(self, request, **kwargs):
        views = self.registration
        if any(value == "" for _, values in request.GET.lists() for value in values):
            # A filter form submitted without JavaScript sends every empty field (~45 of
            # them); the list answers at the URL of the filled-in ones (the script does the
            # same before submitting).
            return HttpResponseRedirect(f"{request.path}{_without_empty(request.GET)}")
        filterset = views.filterset(request.GET or None, queryset=self.queryset, request=request)
        queryset = filterset.qs
        can_export = policy.may_export(request.user, self.model)
        if request.GET.get("export") in ("csv", "xlsx"):
            can_export.require()
            sort = request.GET.get("sort")
            ordered = total_ordering(queryset, views.table, sort, request.user)
            fmt = request.GET["export"]
            if background.export_in_background(queryset):
                background.queue_export(request.user, self.model, fmt, request.GET)
                messages.info(
                    request,
                    "This export is large, so it is prepared in the background: its Download "
                    "link appears below once it is ready, and you will be notified.",
                )
                return HttpResponseRedirect(reverse("prepared_exports"))
            name = str(self.model._meta.verbose_name_plural).replace(" ", "_")
            return export_response(ordered, views.table, request.user, fmt, name)
        table = self.build_table(queryset)
        context = self.base_context(
            table=table,
            filterset=filterset,
            chips=filterset.chips(request.GET),
            per_page_choices=PER_PAGE_CHOICES,
            saved_views=saved_views_for(request.user, self.model),
            can_export=bool(can_export),
            saved_view_sharing=saved_view_sharing(request.user),
            model_label=self.model._meta.label_lower,
            bulk_edit_url=reverse(viewname(self.model, "bulk_edit")),
            bulk_delete_url=reverse(viewname(self.model, "bulk_delete")),
            column_choices=[
                (column.name, column.header, column.visible)
                for column in table.columns.iterall()
                if column.name != "pk"
            ],
            chosen_columns=request.GET.getlist("columns"),
            kept_params=[
                (key, value)
                for key, values in request.GET.lists()
                if key not in ("columns", "page")
                for value in values
            ],
        )
        context.update(self.get_extra_context(request, None))
        return self.render(context)

    def build_table(self, queryset):
        """Order totally, fetch what the visible columns need, and paginate."""
        request, table_class = self.request, self.registration.table
        chosen = [
            name
            for name in request.GET.getlist("columns")
            if name in table_class.base_columns and name != "pk"
        ]
        columns = (
            chosen
            or getattr(table_class.Meta, "default_columns", None)
            or list(table_class.base_columns)
        )
        sort = request.GET.get("sort")
        queryset = total_ordering(queryset, table_class, sort, request.user)
        queryset = optimize_queryset(queryset, table_class.accessors(columns), request.user)
        # The queryset is already totally ordered: give the table no ordering of its own
        # (it would drop the pk tie-breaker) and only record the state for the headers.
        table = table_class(
            DeferredJoinData(queryset), user=request.user, columns=columns, order_by=()
        )
        if sort and sort.lstrip("-") in table.columns.names():
            table._order_by = OrderByTuple([sort])
        per_page = _int(request.GET.get("per_page"), PER_PAGE_CHOICES[0])
        per_page = per_page if per_page in PER_PAGE_CHOICES else PER_PAGE_CHOICES[0]
        paginate = {"paginator_class": CappedCountPaginator, "per_page": per_page}
        try:
            table.paginate(page=_int(request.GET.get("page"), 1), **paginate)
        except InvalidPage:
            table.paginate(page=1, **paginate)
        return table


def _without_empty(query):
    """``?…`` of ``query`` without its empty values (``""`` if nothing is left)."""
    kept = query.copy()
    for key, values in query.lists():
        kept.setlist(key, [value for value in values if value != ""])
        if not kept.getlist(key):
            del kept[key]
    encoded = kept.urlencode()
    return f"?{encoded}" if encoded else ""


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def saved_views_for(user, model):
    """The saved views of ``model`` the user may use: their own, their unit's, everyone's
    (a query compiled once, sent again with the user, unit and model: ``Shaped``)."""
    values = (user.pk, model._meta.label_lower, policy.user_unit_id(user) or None)
    shaped = Shaped(("saved_views",), _saved_views, *values)
    return load_together({"views": shaped})["views"]


def _saved_views(owner_id, label, unit_id):
    from django.db.models import Q

    shared = Q(owner_id=owner_id) | Q(sharing=SavedView.Sharing.EVERYONE)
    if unit_id is not None:
        shared |= Q(sharing=SavedView.Sharing.UNIT, unit_id=unit_id)
    return SavedView.objects.filter(shared, model=label)


def saved_view_sharing(user):
    """The sharing choices the write policy lets ``user`` give a saved view:
    ``[(value, label)]``, empty when they may not save one."""
    if not policy.may(user, "add", SavedView):
        return []
    return [
        (value, label)
        for value, label in SavedView.Sharing.choices
        if policy.may(user, "add", SavedView, SavedView(owner=user, sharing=value))
    ]


class ObjectDetailView(BaseObjectView):
    """The record's panels (declared or default), header buttons and tabs."""

    template_name = "generic/object_detail.html"

    def get(self, request, **kwargs):
        obj = self.get_object()
        views = self.registration
        layout = detail_layout(views)
        # the records ``obj`` links to and every panel's rows in one query (issue 7), before
        # the buttons: a panel's ``prepare`` may leave on ``obj`` what permission checks read
        data = load_panel_data(layout, request, obj)
        buttons = [b.bind(request, obj, views) for b in views.detail_actions]
        context = self.base_context(
            object=obj,
            panels=[(p, p.render(request, obj, data)) for p in layout],
            buttons=[b for b in buttons if b],
            can_change=views.can(request.user, "change", obj),
            can_delete=views.can(request.user, "delete", obj),
            active_tab="detail",
        )
        context.update(self.get_extra_context(request, obj))
        return self.render(context)


def detail_layout(views):
    """The panels of a registration's detail page (declared or default)."""
    layout = views.detail_layout
    if callable(layout):  # built once the registry is complete (its relations known)
        layout = layout(views)
    return layout or default_layout(views)


class ObjectPanelView(BaseObjectView):
    """GET: the rows of one related panel of the record's detail page, drawn as on the page
    (a panel drawn closed fetches them when opened; issue 20).

    The record comes through ``visible_to`` (else 404) and the rows as the page would read
    them; a relation the page draws no related panel for is a 404.
    """

    def get(self, request, pk, relation):
        obj = self.get_object()
        panel = next(
            (
                p
                for p in detail_layout(self.registration)
                if isinstance(p, RelatedPanel) and p.relation == relation
            ),
            None,
        )
        html = panel.rows_html(request, obj) if panel is not None else None
        if html is None:
            raise Http404("No such panel.")
        return HttpResponse(html)


class ObjectEditView(BaseObjectView):
    """Create (no ``pk``) and edit in one view, with optimistic concurrency.

    GET parameters pre-fill the form (``?parent=12``): related values are looked up through
    the field's scoped queryset, so a hidden record is a 404 (NetBox #22511). ``?link_to=
    <app_label>.<model_name>:<pk>`` links the new record to that record's many-to-many
    after saving.
    """

    template_name = "generic/object_edit.html"

    def get_permission_action(self):
        return "change" if "pk" in self.kwargs else "add"

    def get_edit_object(self, for_update=False):
        """The record to edit (locked on POST), or a new instance through ``alter_object``."""
        if "pk" not in self.kwargs:
            obj = self.model()
            for name in self.registration.user_fields:
                setattr(obj, name, self.request.user)
            return self.alter_object(obj, self.request)
        queryset = self.queryset.select_for_update(of=("self",)) if for_update else self.queryset
        obj = self.get_object(queryset)
        self.check_object_permission(obj, "change")
        return obj

    def alter_object(self, obj, request):
        """Adjust a new instance before the form is built (hook for subclasses)."""
        return obj

    def get_form(self, obj, data=None, files=None):
        form_class = self.registration.form
        form = form_class(data=data, files=files, instance=obj, user=self.request.user)
        if data is None and obj.pk is None:
            form.initial.update(self.initial_from_query(form))
        return form

    def initial_from_query(self, form):
        """Initial values from the query string; related ones must be visible (else 404)."""
        initial = {}
        for name, field in form.fields.items():
            values = self.request.GET.getlist(name)
            if not values:
                continue
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                initial[name] = values[0]
                continue
            found = list(queryset.filter(pk__in=[v for v in values if v.isdecimal()]))
            if len(found) != len(set(values)):
                raise Http404("No such record.")
            multiple = isinstance(field, forms.ModelMultipleChoiceField)
            initial[name] = found if multiple else found[0]
        return initial

    def get_link_target(self):
        """The record named by ``?link_to=`` and the M2M that joins it, or ``None``."""
        value = self.request.GET.get("link_to")
        if not value or ":" not in value:
            return None
        label, pk = value.rsplit(":", 1)
        views = registry.get(label)
        if views is None or not pk.isdecimal():
            raise Http404("No such record.")
        target = get_object_or_404(visible(views.model, self.request.user), pk=pk)
        relation = next(
            (
                r
                for r in discover_relations(views.model)
                if r.related_model is self.model and r.kind in ("m2m", "reverse_m2m")
            ),
            None,
        )
        if relation is None:
            raise Http404("These records cannot be linked.")
        return target, relation

    def get(self, request, **kwargs):
        obj = self.get_edit_object()
        link = self.get_link_target()
        return self.render_form(self.get_form(obj), obj, link)

    def post(self, request, **kwargs):
        link = self.get_link_target()
        try:
            with transaction.atomic():
                obj = self.get_edit_object(for_update=True)
                form = self.get_form(obj, request.POST, request.FILES)
                changed = form.changed_since_opened()
                if changed is not None:
                    return self.refuse_stale(form, obj, link, changed)
                if form.is_valid():
                    done = claim_form_key(request, form)
                    if done is not None:
                        return done
                    saved = self.save_form(form, link)
                    if saved is not None:
                        verb = "Updated" if "pk" in self.kwargs else "Created"
                        name = self.model._meta.verbose_name
                        messages.success(request, f"{verb} {name} “{saved}”.")
                        url = self.get_return_url(saved)
                        record_form_key(request, form, url)
                        return HttpResponseRedirect(url)
                    # refused: nothing of it is kept, the form key included, so the
                    # corrected form can be sent again
                    transaction.set_rollback(True)
        except StaleEdit:  # saved by someone else between the check and the write
            obj = self.get_edit_object()
            form = self.get_form(obj, request.POST, request.FILES)
            return self.refuse_stale(form, obj, link, form.changed_since_opened() or [])
        except IntegrityError as clash:  # a unique rule broken by a simultaneous save
            form.add_error(None, integrity_message(self.model, clash, form.instance))
        return self.render_form(form, obj, link)

    def refuse_stale(self, form, obj, link, changed):
        form.is_valid()
        form.add_error(None, conflict_message(obj, changed))
        form.accept_current_version()
        return self.render_form(form, obj, link, status=409)

    def save_form(self, form, link):
        """Save inside the caller's transaction; roll back if the user could no longer see it.

        Returns:
            The saved record, or ``None`` after a rollback (the form then carries an error).
        """
        obj = form.save()  # ``version`` grows in ``save()``
        if link is not None:
            target, relation = link
            verdict = policy.may_link(self.request.user, obj, target)
            if not verdict:
                transaction.set_rollback(True)
                obj.pk = None if "pk" not in self.kwargs else obj.pk
                form.add_error(None, f"Not linked to “{target}”: {verdict.reason}")
                return None
            getattr(target, relation.name).add(obj)
        if not visible(self.model, self.request.user).filter(pk=obj.pk).exists():
            transaction.set_rollback(True)
            if "pk" not in self.kwargs:
                obj.pk = None
            form.add_error(
                None,
                "You would no longer be able to see this record, so it was "
                "not saved. Check its visibility and units.",
            )
            return None
        return obj

    def render_form(self, form, obj, link, status=200):
        # The form carries only a return URL its link named: without one, saving opens the
        # saved record (``get_return_url(saved)``), not the list; Cancel goes back to the
        # record being edited.
        requested = self.requested_return_url()
        editing = "pk" in self.kwargs
        context = self.base_context(
            object=obj if obj.pk else None,
            form=form,
            link_target=link[0] if link else None,
            active_tab="edit",
            return_url=requested or "",
            cancel_url=requested or (obj.get_absolute_url() if editing else self.get_return_url()),
        )
        context.update(self.get_extra_context(self.request, obj))
        return self.render(context, status=status)


def conflict_message(obj, changed, *, bulk=False):
    """The message shown when a record changed since the form was opened: who changed it,
    when, and which fields."""
    from django.utils import timezone

    latest = obj.history.order_by("-history_date").select_related("history_user").first()
    who = f" by {latest.history_user}" if latest and latest.history_user else ""
    when = f" at {timezone.localtime(latest.history_date):%d %b %Y %H:%M}" if latest else ""
    fields = f": {', '.join(changed)}" if changed else ""
    if bulk:
        return f"changed{who}{when} since this page was opened{fields}; reload and try again."
    return (
        f"This record was changed{who}{when} since you opened it{fields}. Your values are "
        "kept below; review them against the current record and save again to overwrite."
    )


def collect_dependents(objs, user):
    """What deleting ``objs`` would remove and what protects them, as display strings.

    Records the user may not see are counted, not named.

    Returns:
        ``(to_delete, protected)``: lists of strings ("Assignment: OCIO").
    """
    collector = NestedObjects(using=router.db_for_write(type(objs[0])))
    collector.collect(objs)
    deleted = [o for model_objs in collector.data.values() for o in model_objs]
    deleted = [o for o in deleted if o not in objs and not o._meta.label.startswith("auth.")]
    return _describe(deleted, user), _describe(list(collector.protected), user)


def _describe(objs, user):
    by_model = {}
    for obj in objs:
        by_model.setdefault(type(obj), []).append(obj)
    lines, hidden = [], 0
    for model, items in by_model.items():
        allowed = visible_pks(model, user, [o.pk for o in items]) if is_restricted(model) else None
        for obj in items:
            if allowed is not None and obj.pk not in allowed:
                hidden += 1
            else:
                lines.append(f"{str(model._meta.verbose_name).capitalize()}: {obj}")
    if hidden:
        lines.append(f"{hidden} record(s) you cannot see")
    return lines


class ObjectDeleteView(BaseObjectView):
    """Confirmation listing dependents; refused with names when something protects it."""

    template_name = "generic/object_delete.html"
    permission_action = "delete"

    def get_delete_object(self):
        obj = self.get_object()
        self.check_object_permission(obj, "delete")
        return obj

    def get(self, request, **kwargs):
        obj = self.get_delete_object()
        dependents, protected = collect_dependents([obj], request.user)
        context = self.base_context(
            object=obj, dependents=dependents, protected=protected, active_tab="delete"
        )
        return self.render(context)

    def post(self, request, **kwargs):
        obj = self.get_delete_object()
        detail_url = obj.get_absolute_url()
        try:
            with transaction.atomic():
                obj.delete()
        except (ProtectedError, RestrictedError) as exc:
            names = _describe(
                list(
                    exc.protected_objects
                    if hasattr(exc, "protected_objects")
                    else exc.restricted_objects
                ),
                request.user,
            )
            messages.error(
                request, f"“{obj}” cannot be deleted; it is used by: " + "; ".join(names)
            )
            return HttpResponseRedirect(detail_url)
        messages.success(request, f"Deleted {self.model._meta.verbose_name} “{obj}”.")
        url = self.get_return_url()
        if url == detail_url:
            url = reverse(viewname(self.model, "list"))
        return HttpResponseRedirect(url)


class BulkSelectionMixin:
    """The selected records: every ``pk`` re-fetched through the scoped queryset, each
    checked for the view's ``permission_action`` before ``post_selected`` sees them."""

    def selected(self):
        pks = [pk for pk in self.request.POST.getlist("pk") if pk.isdecimal()]
        return list(self.queryset.filter(pk__in=pks).order_by("pk"))

    def post(self, request, **kwargs):
        objs = self.selected()
        if not objs:
            messages.warning(request, "Select at least one record.")
            return HttpResponseRedirect(self.get_return_url())
        for obj in objs:
            self.check_object_permission(obj, self.get_permission_action())
        return self.post_selected(request, objs)


class BulkEditView(BulkSelectionMixin, BaseObjectView):
    """Change fields on the selected records, each saved through the model form.

    Every record is validated by the registration's form (so ``clean()`` rules such as the
    action status transitions apply) and saved with history; if any record fails, nothing is
    saved and the errors are listed by record.
    """

    template_name = "generic/bulk_edit.html"
    permission_action = "change"

    def get_bulk_form(self, data=None):
        form_class = self.registration.bulk_edit_form or bulk_edit_form_for(self.model)
        return form_class(data=data, user=self.request.user)

    # Bulk fields that are workflow moves rather than model fields the policy lists (the
    # actions' "status", applied through the status machine by the subclass).
    workflow_fields = ()

    def post_selected(self, request, objs):
        form = self.get_bulk_form(request.POST if "_apply" in request.POST else None)
        self.restrict(form, objs)
        failures = []
        if form.is_bound and form.is_valid():
            changes = form.changed_values()
            failures = self.stale(objs) or self.apply_all(objs, changes)
            if not failures:
                messages.success(
                    request, f"Updated {len(objs)} {self.model._meta.verbose_name_plural}."
                )
                return HttpResponseRedirect(self.get_return_url())
        # the versions the user is shown: those the page was first opened at, until a
        # refusal has told them what changed since
        posted = self.request.POST
        versions = [
            (o.pk, o.version if failures else posted.get(f"version_{o.pk}", o.version))
            for o in objs
        ]
        context = self.base_context(form=form, objects=objs, failures=failures, versions=versions)
        return self.render(context)

    def restrict(self, form, objs):
        """Keep only the fields the user may set on every selected record."""
        user = self.request.user
        for name in list(form.fields):
            if name in self.workflow_fields:
                continue
            if any(not policy.writable_fields(user, obj, [name]) for obj in objs):
                del form.fields[name]

    def stale(self, objs):
        """The records saved by someone else since this page showed them (their versions
        are posted as ``version_<pk>``): ``[(obj, [message])]``."""
        failures = []
        for obj in objs:
            seen = self.request.POST.get(f"version_{obj.pk}", "")
            if seen != str(obj.version):
                changed = changed_fields_since(obj, seen)
                failures.append((obj, [conflict_message(obj, changed, bulk=True)]))
        return failures

    def apply_all(self, objs, changes):
        try:
            return self.apply(objs, changes)
        except StaleEdit as stale:
            return [(stale.instance, [conflict_message(stale.instance, [], bulk=True)])]

    def apply(self, objs, changes):
        """Set ``changes`` (only the fields the user chose) on every record, validate it and
        save it with history; all or nothing.

        Returns:
            ``[(obj, [messages])]`` for the records that failed validation or the policy.
        """
        failures = []
        user = self.request.user
        with transaction.atomic():
            fields = {f.name: f for f in self.model._meta.get_fields()}
            changes = {n: v for n, v in changes.items() if n in fields}
            for obj in objs:
                for name, value in changes.items():
                    if not fields[name].many_to_many:
                        setattr(obj, fields[name].attname, getattr(value, "pk", value))
                problems = []
                try:
                    obj.full_clean()
                except ValidationError as invalid:
                    problems += [
                        f"{_label(obj, f)}: {' '.join(e)}" if f != "__all__" else " ".join(e)
                        for f, e in invalid.message_dict.items()
                    ]
                verdict = policy.may(user, "change", self.model, obj)
                if not verdict:
                    problems.append(verdict.reason)
                if problems:
                    failures.append((obj, problems))
                    continue
                obj.save()
                for name, value in changes.items():
                    if fields[name].many_to_many:
                        getattr(obj, name).set(value)
            if failures:
                transaction.set_rollback(True)
        return failures


class BulkDeleteView(BulkSelectionMixin, BaseObjectView):
    """Delete the selected records after a confirmation listing their dependents."""

    template_name = "generic/bulk_delete.html"
    permission_action = "delete"

    def post_selected(self, request, objs):
        dependents, protected = collect_dependents(objs, request.user)
        if "_confirm" in request.POST and not protected:
            try:
                with transaction.atomic():
                    for obj in objs:
                        obj.delete()
            except (ProtectedError, RestrictedError):
                messages.error(request, "Some records are in use and were not deleted.")
            else:
                messages.success(
                    request, f"Deleted {len(objs)} {self.model._meta.verbose_name_plural}."
                )
                return HttpResponseRedirect(self.get_return_url())
        context = self.base_context(objects=objs, dependents=dependents, protected=protected)
        return self.render(context)


class ObjectHistoryView(BaseObjectView):
    """The record's change history, newest first, field by field, with who and when: choice
    labels, related records by name, the app's dates; saves that changed nothing a reader
    can see are left out (``execcoord.changes``)."""

    template_name = "generic/object_history.html"
    page_size = 25

    def get(self, request, **kwargs):
        obj = self.get_object()
        page = min(max(_int(request.GET.get("page"), 1), 1), 10**6)  # an OFFSET SQL can hold
        start = (page - 1) * self.page_size
        records = list(
            obj.history.order_by("-history_date", "-history_id").select_related("history_user")[
                start : start + self.page_size + 1
            ]
        )
        shown = records[: self.page_size]
        older = records[self.page_size] if len(records) > self.page_size else None
        hidden = policy.hidden_fields(request.user, obj)
        entries = history_entries(self.model, [*shown, older], request.user, hidden)
        self.adjust_entries(request, obj, entries)
        context = self.base_context(
            object=obj,
            entries=entries,
            page=page,
            has_next=len(records) > self.page_size,
            active_tab="history",
            can_change=self.registration.can(request.user, "change", obj),
            can_delete=self.registration.can(request.user, "delete", obj),
        )
        return self.render(context)

    def adjust_entries(self, request, obj, entries):
        """Hook: adjust the entries' texts before they are shown (a domain app hides the
        names of records the user may not see)."""


def _label(obj, name):
    try:
        return str(obj._meta.get_field(name).verbose_name).capitalize()
    except Exception:
        return name


class ObjectLinkView(BaseObjectView):
    """POST: link (or, with ``unlink=1``, unlink) existing records through one many-to-many
    relation of the record.

    The write policy decides each link (``policy.may_link``: the change right on the record
    the link belongs to, from either side); the targets are re-fetched through
    ``visible_to`` so a hidden record cannot be linked by guessing its id.
    """

    permission_action = "view"
    http_method_names = ["post"]

    def post(self, request, pk, relation):
        obj = self.get_object()
        rel = next(
            (
                r
                for r in discover_relations(self.model)
                if r.name == relation and r.kind in ("m2m", "reverse_m2m")
            ),
            None,
        )
        if rel is None:
            raise Http404("No such relation.")
        pks = [p for p in request.POST.getlist("targets") if p.isdecimal()]
        targets = list(visible(rel.related_model, request.user).filter(pk__in=pks))
        for target in targets:
            policy.may_link(request.user, obj, target).require()
        unlink = request.POST.get("unlink") == "1"
        if targets:
            with transaction.atomic():
                manager = getattr(obj, rel.name)
                (manager.remove if unlink else manager.add)(*targets)
            verb = "Unlinked" if unlink else "Linked"
            messages.success(request, f"{verb} {len(targets)} {rel.verbose_name}.")
        return HttpResponseRedirect(self.get_return_url(obj))


# The generic view of each page (``registry.default_views``, filled in by
# ``ExeccoordConfig.ready``); a registration's ``views`` replaces one.
DEFAULT_VIEWS = {
    "list": ObjectListView,
    "detail": ObjectDetailView,
    "add": ObjectEditView,
    "edit": ObjectEditView,
    "delete": ObjectDeleteView,
    "history": ObjectHistoryView,
    "bulk_edit": BulkEditView,
    "bulk_delete": BulkDeleteView,
    "link": ObjectLinkView,
    "panel": ObjectPanelView,
}
