"""The import page: choose a resource, upload, preview, confirm (issue 9).

One generic page over the resources the domain apps register (``execcoord.imports``). The
uploaded file is kept under ``imports/<user id>/<token>`` in the default storage between the
preview and the confirmation, so a confirmation can only ever import the file its own user
uploaded, and the rows are read and validated again on confirm (never taken from the form).
"""

import os
import re
import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from execcoord import imports
from execcoord.utils import viewname

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
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
    context = {"resources": resources, "max_mb": imports._mb(imports.settings.IMPORT_MAX_BYTES)}
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
    elif upload.size > imports.settings.IMPORT_MAX_BYTES:
        context["form_error"] = (
            f"The file is {imports._mb(upload.size)}; files may be at most {context['max_mb']}. "
            "Split it into smaller files."
        )
    if "form_error" in context:
        return render(request, "imports/import.html", context, status=400)
    data = upload.read()
    try:
        dataset = imports.read_upload(upload.name, data, resource)
    except imports.ImportFileError as error:
        context["form_error"] = str(error)
        return render(request, "imports/import.html", context, status=400)
    report = imports.run_import(
        resource, dataset, request.user, dry_run=True, file_name=upload.name
    )
    token = ""
    if not report.has_errors:
        token = secrets.token_urlsafe(24)
        ext = os.path.splitext(upload.name)[1].lower()
        default_storage.save(_path(request, token, ext), ContentFile(data))
    return _preview(request, resource, report, upload.name, token)


def _path(request, token, ext):
    return f"imports/{request.user.pk}/{token}{ext}"


def _preview(request, resource, report, file_name, token, status=200):
    return render(
        request,
        "imports/preview.html",
        {"resource": resource, "report": report, "file_name": file_name, "token": token},
        status=status,
    )


@require_POST
def import_confirm(request):
    """Import the previewed file: read and validate it again, all or nothing."""
    _importable(request)
    resource = _resource(request, request.POST.get("resource", ""))
    token = request.POST.get("token", "")
    file_name = os.path.basename(request.POST.get("file_name", ""))[:200]
    ext = os.path.splitext(file_name)[1].lower()
    path = _path(request, token, ext)
    if (
        not TOKEN_RE.match(token)
        or ext not in imports.ALLOWED_EXTENSIONS
        or not default_storage.exists(path)
    ):
        messages.error(
            request, "This preview has expired or was already imported: upload the file again."
        )
        return redirect(reverse("import") + f"?resource={resource.slug}")
    with default_storage.open(path, "rb") as stored:
        data = stored.read()
    try:
        dataset = imports.read_upload(file_name, data, resource)
    except imports.ImportFileError as error:
        messages.error(request, str(error))
        return redirect("import")
    report = imports.run_import(resource, dataset, request.user, dry_run=False, file_name=file_name)
    if report.has_errors:
        return _preview(request, resource, report, file_name, "", status=400)
    default_storage.delete(path)
    messages.success(
        request,
        f"Imported {file_name}: {report.new_count} created, {report.update_count} updated, "
        f"{report.unchanged} unchanged.",
    )
    return redirect(imported_list_url(resource._meta.model, report.pks))


# the records of an import are listed by their ids; past this many the URL grows too long
# for some proxies, and the whole list opens instead
MAX_LISTED_IDS = 500


def imported_list_url(model, pks):
    """The list of ``model`` filtered to the records of the file just imported (``?id=…``)."""
    url = reverse(viewname(model, "list"))
    if pks and len(pks) <= MAX_LISTED_IDS:
        return f"{url}?id={','.join(map(str, pks))}"
    return url


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
