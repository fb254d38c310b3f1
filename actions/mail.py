"""The e-mails of a tasker's workflow: who an assignee's mail reaches, and one message from
the ``actions/email`` templates."""

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.template.loader import render_to_string

from execcoord.utils import single_line

# What a send may raise: the mail library's refusals and the server's (timeouts, refused or
# dropped connections, SMTP errors are all OSError).
MAIL_ERRORS = (OSError, BadHeaderError)


def recipient(person, unit):
    """The address that reaches an assignee: the person's, else the unit's task mailbox."""
    if person is not None and person.email:
        return person.email
    if unit is not None and unit.email:
        return unit.email
    return None


def absolute_url(request, action):
    url = action.get_absolute_url()
    return request.build_absolute_uri(url) if request is not None else url


def send(template, address, subject, context):
    """One e-mail from ``templates/actions/email/<template>.txt`` and ``.html``."""
    text = render_to_string(f"actions/email/{template}.txt", context)
    html = render_to_string(f"actions/email/{template}.html", context)
    message = EmailMultiAlternatives(
        single_line(subject), text, settings.DEFAULT_FROM_EMAIL, [address]
    )
    message.attach_alternative(html, "text/html")
    message.send()
