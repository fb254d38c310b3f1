"""Large exports and large imports run as background tasks (issue 17).

One mechanism for every registered list and every registered import, on the task framework
(``execcoord.tasks``: retries, a dead letter after the last try):

- **Exports.** A list export of more rows than ``EXPORT_BACKGROUND_ROWS`` is not built in
  the request: :func:`queue_export` records a :class:`~execcoord.models.PreparedExport` —
  the list, the format and the query string, nothing else — and queues :func:`build_export`
  once the request commits. The task reads the rows again as the list does, from the
  owner's ``visible_to`` through the list's filterset and ordering, with the export right
  asked again, writes the file to the default storage under ``prepared-exports/<owner>/``
  and tells the owner (:mod:`execcoord.notices`). The file is served to its owner only, until
  it expires (``EXPORT_MAX_AGE``).
- **Imports.** A confirmed import of more rows than ``IMPORT_BACKGROUND_ROWS`` becomes an
  :class:`~execcoord.models.ImportRun` (one per stored preview: its path is unique, so a
  second confirmation finds the first run) and :func:`run_import_task` commits it: the same
  all-or-nothing :func:`execcoord.imports.run_import` as the request, as the importing user,
  asking the write policy per row, under a lock on the run's row, in one transaction with
  the run's outcome, so a task run twice imports once.

Under the immediate queue (``make run``, tests) the task runs when the request commits, so
the file or the report is there when the redirect lands.
"""

import logging
import secrets
import tempfile
from types import SimpleNamespace

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from execcoord import imports, notices, policy, registry, tasks
from execcoord.access import visible
from execcoord.export import write_export
from execcoord.models import ImportRun, PreparedExport
from execcoord.tables import total_ordering

logger = logging.getLogger(__name__)

EXPORT_DIR = "prepared-exports"
# parameters of a list's query string that do not choose rows
NOT_FILTERS = ("export", "page", "per_page", "columns")


# --- exports -----------------------------------------------------------------------------


def export_in_background(queryset):
    """Whether the export of ``queryset`` is too large for a request: one count, stopped
    past ``EXPORT_BACKGROUND_ROWS``."""
    limit = settings.EXPORT_BACKGROUND_ROWS
    return queryset.order_by()[: limit + 1].count() > limit


def queue_export(user, model, fmt, query):
    """Record a prepared export of ``model``'s list as ``query`` (a ``QueryDict``) selects
    it, and queue its building once the transaction commits.

    Returns:
        The :class:`PreparedExport`.
    """
    kept = query.copy()
    for name in NOT_FILTERS:
        kept.pop(name, None)
    prepared = PreparedExport.objects.create(
        owner=user,
        model=model._meta.label_lower,
        title=str(model._meta.verbose_name_plural).capitalize()[:200],
        format=fmt,
        query=kept.urlencode(),
        expires_at=timezone.now() + timezone.timedelta(seconds=settings.EXPORT_MAX_AGE),
    )
    tasks.enqueue_on_commit(build_export, prepared.pk)
    return prepared


def export_queryset(prepared):
    """The rows of ``prepared``, read again as its owner's list reads them: the owner's
    ``visible_to``, the list's filterset over the saved query string, its total ordering.
    ``None`` when the owner may no longer export the list."""
    views = registry.get(prepared.model)
    owner = prepared.owner
    if views is None or not owner.is_active or not policy.may_export(owner, views.model):
        return None
    query = QueryDict(prepared.query)
    request = SimpleNamespace(user=owner, GET=query)
    filterset = views.filterset(
        query or None, queryset=visible(views.model, owner), request=request
    )
    return total_ordering(filterset.qs, views.table, query.get("sort"), owner)


def _export_failed(error, export_id, **kwargs):
    """The last try failed: the row says so (its dead letter holds the details)."""
    PreparedExport.objects.filter(pk=export_id).exclude(status=PreparedExport.Status.READY).update(
        status=PreparedExport.Status.FAILED,
        error="The file could not be prepared. Try again later, or ask an administrator.",
        finished_at=timezone.now(),
    )


@tasks.background(on_give_up=_export_failed)
def build_export(export_id):
    """Build one prepared export's file and tell its owner (safe to run twice: a ready
    export is left alone)."""
    prepared = PreparedExport.objects.select_related("owner").filter(pk=export_id).first()
    if prepared is None or prepared.status == PreparedExport.Status.READY:
        return "nothing to do"
    PreparedExport.objects.filter(pk=prepared.pk).update(status=PreparedExport.Status.RUNNING)
    queryset = export_queryset(prepared)
    if queryset is None:
        PreparedExport.objects.filter(pk=prepared.pk).update(
            status=PreparedExport.Status.FAILED,
            error="You may no longer export this list.",
            finished_at=timezone.now(),
        )
        return "refused"
    views = registry.get(prepared.model)
    name = f"{EXPORT_DIR}/{prepared.owner_id}/{secrets.token_urlsafe(24)}.{prepared.format}"
    with tempfile.TemporaryFile() as output:
        write_export(queryset, views.table, prepared.owner, prepared.format, prepared.title, output)
        size = output.tell()
        output.seek(0)
        path = default_storage.save(name, File(output, name=name))
    now = timezone.now()
    with transaction.atomic():
        updated = (
            PreparedExport.objects.filter(pk=prepared.pk)
            .exclude(status=PreparedExport.Status.READY)
            .update(
                status=PreparedExport.Status.READY,
                path=path,
                size=size,
                row_count=queryset.count(),
                error="",
                finished_at=now,
                expires_at=now + timezone.timedelta(seconds=settings.EXPORT_MAX_AGE),
            )
        )
        if updated:
            notices.tell(
                prepared.owner,
                notices.EXPORT_READY,
                f"Your export of {prepared.title.lower()} ({prepared.format.upper()}) is ready.",
                reverse("prepared_exports"),
            )
    if not updated:  # a simultaneous run finished first
        default_storage.delete(path)
    return "ready"


def purge_expired_exports(now=None):
    """Remove expired prepared exports, their files first; returns how many."""
    expired = PreparedExport.objects.filter(expires_at__lte=now or timezone.now())
    removed = 0
    for prepared in expired:
        if prepared.path:
            default_storage.delete(prepared.path)
        prepared.delete()
        removed += 1
    return removed


# --- imports -----------------------------------------------------------------------------


def import_in_background(dataset):
    return len(dataset) > settings.IMPORT_BACKGROUND_ROWS


def queue_import(user, resource, path, file_name, rows):
    """Record the import of the stored preview ``path`` and queue it once the transaction
    commits; a preview already queued is not queued again.

    Returns:
        ``(run, created)``.
    """
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                owner=user, resource=resource.slug, file_name=file_name, path=path, row_count=rows
            )
    except IntegrityError:
        return ImportRun.objects.filter(path=path, owner=user).first(), False
    tasks.enqueue_on_commit(run_import_task, run.pk)
    return run, True


_OPEN = (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)
GAVE_UP = (
    "The import could not run, so nothing was imported. Try again later, or ask an administrator."
)
# a run the task gave up on keeps its file: running its dead letter again imports it
_RUNNABLE = Q(status__in=_OPEN) | Q(status=ImportRun.Status.FAILED, error=GAVE_UP)


def _import_failed(error, run_id, **kwargs):
    """The last try failed (the database, a bug): nothing was imported, the run says so."""
    ImportRun.objects.filter(pk=run_id, status__in=_OPEN).update(
        status=ImportRun.Status.FAILED, error=GAVE_UP, finished_at=timezone.now()
    )


@tasks.background(on_give_up=_import_failed)
def run_import_task(run_id):
    """Commit one background import, all or nothing, as its user; record the outcome and
    tell them, in the same transaction (a second run finds the run finished)."""
    ImportRun.objects.filter(_RUNNABLE, pk=run_id).exclude(status=ImportRun.Status.RUNNING).update(
        status=ImportRun.Status.RUNNING, error=""
    )
    with transaction.atomic():
        run = (
            ImportRun.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(pk=run_id, status__in=_OPEN)
            .first()
        )
        if run is None:
            return "nothing to do"
        _commit(run)
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "report", "error", "finished_at"])
        notices.tell(
            run.owner,
            notices.IMPORT_FINISHED,
            f"Your import of {run.file_name}: {run.get_status_display().lower()}.",
            reverse("import_run", args=[run.pk]),
        )
    default_storage.delete(run.path)
    return run.status


def _commit(run):
    """Import ``run``'s stored file (raises :class:`~execcoord.imports.DatabaseUnavailable`
    to be tried again); sets its status, report and error."""
    resource = imports.get_resource(run.resource)
    user = run.owner
    run.status = ImportRun.Status.FAILED
    if resource is None or not user.is_active or not resource.can_import(user):
        run.error = "You may not import these records, so nothing was imported."
        return
    if not default_storage.exists(run.path):
        run.error = "The uploaded file is no longer stored: upload it again."
        return
    with default_storage.open(run.path, "rb") as stored:
        data = stored.read()
    try:
        dataset = imports.read_upload(run.file_name, data, resource)
    except imports.ImportFileError as error:
        run.error = str(error)
        return
    report = imports.run_import(resource, dataset, user, dry_run=False, file_name=run.file_name)
    run.report = report.to_json()
    if not report.has_errors:
        run.status = ImportRun.Status.DONE


def purge_old_import_runs(now=None):
    """Remove finished import runs older than ``IMPORT_REPORT_MAX_AGE``; returns how many."""
    cutoff = (now or timezone.now()) - timezone.timedelta(seconds=settings.IMPORT_REPORT_MAX_AGE)
    old = list(ImportRun.objects.filter(created_at__lte=cutoff).exclude(status__in=_OPEN))
    for run in old:
        default_storage.delete(run.path)  # a run given up on kept its file
        run.delete()
    return len(old)


def queued_import_paths():
    """The stored previews a background import still needs (kept by the preview purge)."""
    return set(ImportRun.objects.filter(status__in=_OPEN).values_list("path", flat=True))
