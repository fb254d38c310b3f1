"""The import page: choose a resource, upload, preview, confirm (issue 9).

One generic page over the resources the domain apps register (``execcoord.imports``). The
uploaded file is kept under ``imports/<user id>/<token>`` in the default storage between the
preview and the confirmation, so a confirmation can only ever import the file its own user
uploaded, and the rows are read and validated again on confirm (never taken from the form).
The storage is shared by every app server (``STORAGES``), so any server may confirm a
preview made on another. A preview is removed when it is confirmed or cancelled, and once it
is older than ``IMPORT_PREVIEW_MAX_AGE`` (``manage.py purge_expired``, from cron).

A confirmed file of more than ``IMPORT_BACKGROUND_ROWS`` rows is imported by a task
(``execcoord.background``): the confirmation records an ``ImportRun`` for the stored preview
(one per preview, so confirming it again leads to the same run) and the user follows it on
the run's page, which shows the same report.
"""

import datetime
import logging
import os
import re
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from execcoord import background, imports
from execcoord.models import ImportRun
from execcoord.utils import viewname

logger = logging.getLogger(__name__)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
PREVIEW_DIR = "imports"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _importable(request):
    resources = imports.importable_by(request.user)
    if not resources:
        raise PermissionDenied("You may not import records.")
    return resources


def _resource(request, slug):
    resource = imports.get_resource(slug)
    if resource is None or not resource.can_import(request.user):
        raise Http404("No such import.")
    return resource


def import_page(request):
    """GET: the form; POST: read the upload and show the preview."""
    resources = _importable(request)
    context = {"resources": resources, "max_mb": imports._mb(settings.IMPORT_MAX_BYTES)}
    if request.method != "POST":
        context["selected"] = request.GET.get("resource", "")
        return render(request, "imports/import.html", context)
    slug = request.POST.get("resource", "")
    context["selected"] = slug
    upload = request.FILES.get("file")
    resource = imports.get_resource(slug)
    if resource is None or resource not in resources:
        context["form_error"] = "Choose what to import."
    elif upload is None:
        context["form_error"] = "Choose a file to upload."
    elif upload.size > settings.IMPORT_MAX_BYTES:
        context["form_error"] = (
            f"The file is {imports._mb(upload.size)}; files may be at most {context['max_mb']}. "
            "Split it into smaller files."
        )
    if "form_error" in context:
        return render(request, "imports/import.html", context, status=400)
    data = upload.read()
    try:
        dataset = imports.read_upload(upload.name, data, resource)
        report = imports.run_import(
            resource, dataset, request.user, dry_run=True, file_name=upload.name
        )
    except imports.ImportFileError as error:
        context["form_error"] = str(error)
        return render(request, "imports/import.html", context, status=400)
    except imports.DatabaseUnavailable as error:
        logger.exception("import preview of %s failed on the database", resource.slug)
        context["form_error"] = str(error)
        return render(request, "imports/import.html", context, status=503)
    token = ""
    if not report.has_errors:
        token = secrets.token_urlsafe(24)
        ext = os.path.splitext(upload.name)[1].lower()
        default_storage.save(_path(request, token, ext), ContentFile(data))
    return _preview(request, resource, report, upload.name, token)


def _path(request, token, ext):
    return f"{PREVIEW_DIR}/{request.user.pk}/{token}{ext}"


def preview_expired(path, now=None):
    """Whether the stored preview ``path`` is older than ``IMPORT_PREVIEW_MAX_AGE``."""
    age = (now or timezone.now()) - default_storage.get_modified_time(path)
    return age > datetime.timedelta(seconds=settings.IMPORT_PREVIEW_MAX_AGE)


def _stored_preview(request):
    """``(resource, path, file_name)`` of the preview the POST names, or ``None`` when the
    token is malformed or names no stored file."""
    resource = _resource(request, request.POST.get("resource", ""))
    token = request.POST.get("token", "")
    file_name = os.path.basename(request.POST.get("file_name", ""))[:200]
    ext = os.path.splitext(file_name)[1].lower()
    if not TOKEN_RE.match(token) or ext not in imports.ALLOWED_EXTENSIONS:
        return resource, None, file_name
    path = _path(request, token, ext)
    return resource, (path if default_storage.exists(path) else None), file_name


def _preview(request, resource, report, file_name, token, status=200, failure=""):
    return render(
        request,
        "imports/preview.html",
        {
            "resource": resource,
            "report": report,
            "file_name": file_name,
            "token": token,
            "failure": failure,
        },
        status=status,
    )


@require_POST
def import_confirm(request):
    """Import the previewed file: read and validate it again, all or nothing."""
    _importable(request)
    resource, path, file_name = _stored_preview(request)
    run = ImportRun.objects.filter(path=path, owner=request.user).first() if path else None
    if run is not None:  # confirmed before, and imported in the background
        messages.info(request, "This file was already confirmed; it is imported once.")
        return redirect("import_run", pk=run.pk)
    if path is not None and preview_expired(path):
        default_storage.delete(path)
        path = None
    if path is None:
        messages.error(
            request, "This preview has expired or was already imported: upload the file again."
        )
        return redirect(reverse("import") + f"?resource={resource.slug}")
    with default_storage.open(path, "rb") as stored:
        data = stored.read()
    try:
        dataset = imports.read_upload(file_name, data, resource)
        if background.import_in_background(dataset):
            return _queue(request, resource, path, file_name, len(dataset))
        report = imports.run_import(
            resource, dataset, request.user, dry_run=False, file_name=file_name
        )
    except imports.ImportFileError as error:
        default_storage.delete(path)
        messages.error(request, str(error))
        return redirect("import")
    except imports.DatabaseUnavailable as error:
        # the preview is kept: the same confirmation may simply be tried again
        logger.exception("import of %s failed on the database", resource.slug)
        return _preview(
            request,
            resource,
            imports.ImportReport(),
            file_name,
            request.POST["token"],
            status=503,
            failure=str(error),
        )
    if report.has_errors:
        default_storage.delete(path)
        return _preview(request, resource, report, file_name, "", status=400)
    default_storage.delete(path)
    messages.success(
        request,
        f"Imported {file_name}: {report.new_count} created, {report.update_count} updated, "
        f"{report.unchanged} unchanged.",
    )
    return redirect(imported_list_url(resource._meta.model, report.pks))


def _queue(request, resource, path, file_name, rows):
    """A large file: its import runs as a task (``execcoord.background``); the user waits
    on the run's page. A preview confirmed again is sent to the run it already has."""
    run, created = background.queue_import(request.user, resource, path, file_name, rows)
    if run is None:  # someone else's run of this path cannot exist: the path holds the user
        raise Http404("No such import.")
    if created:
        messages.info(
            request,
            f"{file_name} has {rows} rows, so it is imported in the background: this page "
            "shows the outcome, and you will be notified.",
        )
    else:
        messages.info(request, "This file was already confirmed; it is imported once.")
    return redirect("import_run", pk=run.pk)


def import_run(request, pk):
    """A background import's status and report; only its own user's (404 otherwise)."""
    run = get_object_or_404(ImportRun, pk=pk, owner=request.user)
    resource = imports.get_resource(run.resource)
    report = imports.ImportReport.from_json(run.report)
    list_url = ""
    if resource is not None and run.status == ImportRun.Status.DONE:
        list_url = imported_list_url(resource._meta.model, report.pks)
    return render(
        request,
        "imports/run.html",
        {"run": run, "resource": resource, "report": report, "list_url": list_url},
    )


# the records of an import are listed by their ids; past this many the URL grows too long
# for some proxies, and the whole list opens instead
MAX_LISTED_IDS = 500


def imported_list_url(model, pks):
    """The list of ``model`` filtered to the records of the file just imported (``?id=…``)."""
    url = reverse(viewname(model, "list"))
    if pks and len(pks) <= MAX_LISTED_IDS:
        return f"{url}?id={','.join(map(str, pks))}"
    return url


@require_POST
def import_cancel(request):
    """Drop a preview: its stored file is removed at once."""
    _importable(request)
    resource, path, file_name = _stored_preview(request)
    if path is not None:
        default_storage.delete(path)
    messages.info(request, f"The import of {file_name or 'the file'} was cancelled.")
    return redirect(reverse("import") + f"?resource={resource.slug}")


def purge_expired_previews(now=None):
    """Remove every stored preview older than ``IMPORT_PREVIEW_MAX_AGE`` that no background
    import is waiting for; return how many."""
    removed = 0
    try:
        folders, _ = default_storage.listdir(PREVIEW_DIR)
    except FileNotFoundError:
        return 0
    queued = background.queued_import_paths()
    for folder in folders:
        _, names = default_storage.listdir(f"{PREVIEW_DIR}/{folder}")
        for name in names:
            path = f"{PREVIEW_DIR}/{folder}/{name}"
            if path not in queued and preview_expired(path, now):
                default_storage.delete(path)
                removed += 1
    return removed


def download_template(request, slug, fmt):
    """The headers and an example row of a resource, as CSV or Excel."""
    resource = _resource(request, slug)
    return _download(imports.template_dataset(resource, request.user), fmt, f"{slug}-template")


def export(request, slug, fmt):
    """Every record of the resource the user may see, in the import format."""
    resource = imports.get_resource(slug)
    if resource is None or not resource.can_export(request.user):
        raise Http404("No such export.")
    dataset = resource(user=request.user).export(typed=fmt == "xlsx")
    dataset.title = str(resource.title or resource.model_label()).capitalize()
    return _download(dataset, fmt, slug)


def _download(dataset, fmt, name):
    if fmt not in CONTENT_TYPES:
        raise Http404("Unknown format.")
    response = HttpResponse(imports.write_dataset(dataset, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
