"""My exports: the user's prepared exports (``execcoord.background``) and their download.

Only the owner ever reaches a prepared file: every lookup is ``owner=request.user``, so
anyone else's export, another administrator's included, is a 404, as is an expired one.
"""

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from execcoord.models import ImportRun, PreparedExport

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def prepared_exports(request):
    """The user's prepared exports, newest first, and their recent background imports."""
    now = timezone.now()
    rows = PreparedExport.objects.filter(owner=request.user, expires_at__gt=now)
    runs = ImportRun.objects.filter(owner=request.user)[:20]
    return render(
        request,
        "exports/prepared_exports.html",
        {
            "exports": [(row, row.is_downloadable(now)) for row in rows],
            "runs": runs,
            "threshold": settings.EXPORT_BACKGROUND_ROWS,
        },
    )


def prepared_export_download(request, pk):
    """The file of one of the user's own ready, unexpired exports; 404 otherwise."""
    prepared = get_object_or_404(
        PreparedExport,
        pk=pk,
        owner=request.user,
        status=PreparedExport.Status.READY,
        expires_at__gt=timezone.now(),
    )
    try:
        stored = default_storage.open(prepared.path, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404("The file is no longer stored.") from error
    return FileResponse(
        stored,
        as_attachment=True,
        filename=prepared.file_name,
        content_type=CONTENT_TYPES[prepared.format],
    )
