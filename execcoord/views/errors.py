"""The error pages: 400, 403 and 404 from Django's own views with the app's templates, and
a 500 page that relies on nothing that may have failed.

Django renders ``400.html``, ``403.html`` and ``404.html`` with the request (the layout, the
menu and the signed-in user); a CSRF refusal renders ``403_csrf.html``. The 500 page is
drawn here without a request context (no context processor, no database query: the
database may be what failed), with the request's id so the user can quote it; if even that
template fails, a plain-text page says the same.
"""

from django.http import HttpResponseServerError
from django.template import loader


def server_error(request, template_name="500.html"):
    request_id = getattr(request, "request_id", "")
    try:
        template = loader.get_template(template_name)
        body = template.render({"request_id": request_id})
    except Exception:  # noqa: BLE001 - the error page must not fail in its turn
        body = (
            "Something went wrong on our side and the page could not be shown. "
            f"Reference: {request_id or 'none'}."
        )
        return HttpResponseServerError(body, content_type="text/plain; charset=utf-8")
    return HttpResponseServerError(body)
