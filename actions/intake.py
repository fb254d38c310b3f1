"""E-mail intake: an e-mail received by the secretariat becomes a draft tasker (issue 17).

One home for reading a message and making its draft, used by the upload page
(``actions.workflow_views.IntakeView``) and by the cron command ``intake_mail`` (a Maildir):

- :func:`parse` reads an ``.eml`` (the standard library's ``email``, ``policy.default``) or an
  Outlook ``.msg`` (``extract-msg``) into a :class:`ParsedMail`: subject, plain-text body
  (HTML turned into text by :func:`html_to_text` when there is no plain part), sender,
  date, Message-ID and attachments;
- :func:`take_in` makes the draft: subject → title, body → description, the sender matched
  to a person, unit or partner account as "received from", the Date header → date
  received, method "E-mail", the user and their unit as issuer, the Message-ID stored
  (unique: the same message taken in twice is refused with the draft it became,
  :class:`Duplicate`), and the original message and its attachments kept as the tasker's
  attachments under the attachments' own limits (size, file types). All or nothing: a file
  refused leaves no draft.

Who may: the write policy's ``intake`` privilege (the secretariat, managers and
administrators) and the ``add`` of the draft (``actions.policy.may_intake``).
"""

import datetime
import email
import email.policy
import email.utils
import hashlib
import io
import mimetypes
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from actions.choices import AttachmentKind, MethodOfReceipt
from actions.models import Attachment, ExecutiveAction
from actions.policy import may_intake
from execcoord import policy as write_policy
from partners.access import get_user_scope
from partners.models import Account, OrganizationUnit, Person

EXTENSIONS = ("eml", "msg")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: Outlook's .msg
NO_SUBJECT = "(no subject)"
TITLE_MAX = ExecutiveAction._meta.get_field("title").max_length
MESSAGE_ID_MAX = ExecutiveAction._meta.get_field("message_id").max_length


class IntakeError(Exception):
    """The message cannot be taken in; ``str(error)`` says why, in plain words."""


class Duplicate(IntakeError):
    """The message was taken in before: ``action`` is the tasker it became."""

    def __init__(self, action):
        self.action = action
        super().__init__(f"This e-mail was already taken in as {action.number}.")


@dataclass
class MailFile:
    """A file of a message: its name, bytes and content type."""

    name: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass
class ParsedMail:
    """What a draft is made from (see :func:`parse`)."""

    message_id: str
    subject: str
    body: str
    sender_name: str
    sender_email: str
    date: datetime.datetime | None
    original: MailFile
    attachments: list = field(default_factory=list)


# -- reading ------------------------------------------------------------------------------


def check_file(name, size):
    """Refuse an upload that is not ``.eml``/``.msg`` or is over the attachments' limit
    (the message is kept as an attachment)."""
    ext = os.path.splitext(name or "")[1].lower().lstrip(".")
    if ext not in EXTENSIONS:
        raise IntakeError(
            f"“{name}” is not an e-mail file: upload a message saved as .eml or an Outlook .msg."
        )
    if size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise IntakeError(f"“{name}” is larger than {limit} MB, the limit for attachments.")


def parse(content, name):
    """Read ``content`` (bytes of the file ``name``) as an Outlook ``.msg`` (an OLE compound
    file, whatever its extension says) or as an ``.eml``; :class:`IntakeError` if it is
    neither."""
    if content.startswith(OLE_MAGIC):
        return parse_msg(content, name)
    if os.path.splitext(name)[1].lower() == ".msg":
        raise IntakeError(f"“{name}” is not an Outlook message: the file is not a .msg file.")
    return parse_eml(content, name)


def parse_eml(content, name="message.eml"):
    """An RFC 5322 message (``.eml``, a Maildir file) as a :class:`ParsedMail`."""
    message = email.message_from_bytes(content, policy=email.policy.default)
    if not any(message.get(h) for h in ("from", "subject", "date", "message-id")):
        raise IntakeError(
            f"“{name}” is not an e-mail message: it has no From, Subject or Date header."
        )
    sender_name, sender_email = _address(message, "from")
    return ParsedMail(
        message_id=_message_id(_header(message, "message-id"), content),
        subject=_subject(_header(message, "subject")),
        body=_eml_body(message),
        sender_name=sender_name,
        sender_email=sender_email,
        date=_date(_header(message, "date")),
        original=MailFile(_original_name(name, "eml"), content, "message/rfc822"),
        attachments=list(_eml_attachments(message)),
    )


def _header(message, name):
    """A header as text; a malformed one as its raw value (never an exception)."""
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - a broken header must not stop the intake
        value = message.get_all(name, failobj=[""])[0]
    return str(value or "")


def _address(message, name):
    try:
        header = message.get(name)
        addresses = getattr(header, "addresses", ())
    except Exception:  # noqa: BLE001
        addresses = ()
    if addresses:
        return addresses[0].display_name or "", (addresses[0].addr_spec or "").lower()
    display, addr = email.utils.parseaddr(_header(message, name))
    return display, addr.lower()


def _eml_body(message):
    """The plain-text body, else the HTML one as text, else nothing."""
    for kind, convert in (("plain", str), ("html", html_to_text)):
        part = message.get_body(preferencelist=(kind,))
        if part is not None:
            try:
                return _clean_text(convert(part.get_content()))
            except (LookupError, UnicodeError, ValueError):
                payload = part.get_payload(decode=True) or b""
                return _clean_text(convert(payload.decode("utf-8", "replace")))
    return ""


def _eml_attachments(message, body_parts=None):
    """The files of a message: parts with a file name or sent as attachments, and attached
    messages (as ``.eml``); the body and inline parts without a name are not files."""
    if body_parts is None:
        body_parts = {
            id(part)
            for kind in ("plain", "html")
            if (part := message.get_body(preferencelist=(kind,))) is not None
        }
    for part in message.iter_parts() if message.is_multipart() else ():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload(0)
            subject = _subject(_header(inner, "subject"))
            yield MailFile(_safe_name(f"{subject}.eml", 0), inner.as_bytes(), "message/rfc822")
        elif part.is_multipart():
            yield from _eml_attachments(part, body_parts)
        elif id(part) not in body_parts:
            filename = part.get_filename()
            if not filename and part.get_content_disposition() != "attachment":
                continue  # an unnamed inline part (a signature's logo)
            content = part.get_payload(decode=True) or b""
            yield MailFile(_safe_name(filename, content_type), content, content_type)


def parse_msg(content, name="message.msg"):
    """An Outlook message (``.msg``) as a :class:`ParsedMail` (``extract-msg``)."""
    import extract_msg
    from extract_msg.msg_classes import Message

    try:
        msg = extract_msg.openMsg(content, strict=False)
    except Exception as error:  # noqa: BLE001 - extract-msg raises many kinds
        raise IntakeError(f"“{name}” could not be read as an Outlook message.") from error
    try:
        if not isinstance(msg, Message):
            raise IntakeError(f"“{name}” is an Outlook item but not an e-mail message.")
        body = msg.body or ""
        if not body.strip() and msg.htmlBody:
            html = msg.htmlBody
            body = html_to_text(
                html.decode("utf-8", "replace") if isinstance(html, bytes) else html
            )
        sender_name, sender_email = email.utils.parseaddr(msg.sender or "")
        if "@" not in sender_email:
            sender_name = sender_name or (msg.sender or "")
            sender_email = _msg_smtp_address(msg)
        date = msg.date
        return ParsedMail(
            message_id=_message_id(msg.messageId or "", content),
            subject=_subject(msg.subject or ""),
            body=_clean_text(body),
            sender_name=sender_name,
            sender_email=sender_email.lower(),
            date=date if isinstance(date, datetime.datetime) else None,
            original=MailFile(_original_name(name, "msg"), content, "application/vnd.ms-outlook"),
            attachments=list(_msg_attachments(msg)),
        )
    finally:
        msg.close()


def _msg_smtp_address(msg):
    """The sender's SMTP address of a ``.msg`` (PidTagSenderSmtpAddress, else
    PidTagSenderEmailAddress when it is one; Exchange writes an X.500 name there)."""
    for stream in ("__substg1.0_5D01", "__substg1.0_0C1F", "__substg1.0_0065"):
        value = msg.getStringStream(stream) or ""
        if "@" in value:
            return value.strip()
    return ""


def _msg_attachments(msg):
    for number, attachment in enumerate(msg.attachments):
        data = attachment.data
        name = attachment.longFilename or attachment.shortFilename or ""
        if hasattr(data, "exportBytes"):  # an attached Outlook message
            data = data.exportBytes()
            name = name if name.lower().endswith(".msg") else f"{name or 'message'}.msg"
        if not isinstance(data, bytes):
            continue  # linked or OLE-object attachments carry no file
        content_type = attachment.mimetype or mimetypes.guess_type(name)[0] or ""
        yield MailFile(_safe_name(name, content_type or number), data, content_type)


def _message_id(value, content):
    """The Message-ID as written (angle brackets included); a message without one gets a
    stand-in from its bytes, so the same file is still recognised."""
    value = " ".join(value.split())
    if not value:
        value = f"<sha256-{hashlib.sha256(content).hexdigest()}@intake.invalid>"
    return value[:MESSAGE_ID_MAX]


def _subject(value):
    """The decoded subject on one line (``policy.default`` decodes RFC 2047 words)."""
    return " ".join(str(value).split())


def _date(value):
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or timezone.is_naive(moment):
        return None if moment is None else timezone.make_aware(moment, datetime.UTC)
    return moment


def _original_name(name, ext):
    base = os.path.basename(name or "") or f"message.{ext}"
    if not base.lower().endswith(f".{ext}"):
        base = f"{base}.{ext}"
    return _safe_name(base, ext)


def _safe_name(name, fallback):
    """A file name the storage accepts: no folders, plain characters; a nameless part is
    named after its content type (``attachment.pdf``)."""
    base = os.path.basename(str(name or "").replace("\\", "/")).strip()
    if not base:
        ext = mimetypes.guess_extension(str(fallback)) if "/" in str(fallback) else None
        base = f"attachment{ext or '.bin'}"
    stem, ext = os.path.splitext(base)
    cleaned = get_valid_filename(stem)[:100] or "attachment"
    return f"{cleaned}{get_valid_filename(ext) if ext else ''}"


def _clean_text(text):
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _TextParser(HTMLParser):
    """HTML to plain text: the text a reader sees, paragraphs and list items on their own
    lines, a link's address after its words; never the text of ``script``, ``style`` and
    the other elements a browser does not show."""

    HIDDEN = {"script", "style", "head", "title", "noscript", "template", "svg", "object"}
    BLOCKS = {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "table",
        "tr",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "address",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.hidden = 0
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in ("td", "th"):
            self.out.append(" ")
        elif tag in self.BLOCKS:
            self.out.append("\n\n")
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_startendtag(self, tag, attrs):
        if tag not in self.HIDDEN:  # <br/>, <hr/>: no end tag follows
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in self.BLOCKS:
            self.out.append("\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href.startswith(("http://", "https://", "mailto:")) and not self.hidden:
                shown = "".join(self.out).rsplit("\n", 1)[-1]
                if href.removeprefix("mailto:") not in shown:
                    self.out.append(f" ({href})")

    def handle_data(self, data):
        if not self.hidden:
            self.out.append(re.sub(r"\s+", " ", data))

    def text(self):
        lines = (" ".join(line.split()) for line in "".join(self.out).split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html):
    """The text of an HTML body (see :class:`_TextParser`)."""
    parser = _TextParser()
    parser.feed(html or "")
    parser.close()
    return parser.text()


# -- the draft ---------------------------------------------------------------------------


def match_sender(address, user):
    """``(person, unit, account)`` the sender ``address`` is: a person by e-mail (and their
    account, for a partner's contact), else a unit by its mailbox, else a partner account
    by e-mail or, when exactly one account has it, by the address's domain."""
    if "@" not in (address or ""):
        return None, None, None
    person = (
        Person.objects.visible_to(user)
        .filter(email__iexact=address, is_active=True)
        .select_related("account")
        .first()
    )
    if person is not None:
        return person, None, person.account if person.account_id else None
    unit = OrganizationUnit.objects.visible_to(user).filter(email__iexact=address).first()
    if unit is not None:
        return None, unit, None
    accounts = Account.objects.visible_to(user).filter(is_active=True)
    account = accounts.filter(email__iexact=address).first()
    if account is None:
        domain = address.rsplit("@", 1)[1].lower()
        by_domain = [
            a
            for a in accounts.filter(
                Q(email__iendswith=f"@{domain}") | Q(website__icontains=domain)
            )
            if _account_domain(a) == domain
        ]
        account = by_domain[0] if len(by_domain) == 1 else None
    return None, None, account


def _account_domain(account):
    if account.email and "@" in account.email:
        return account.email.rsplit("@", 1)[1].lower()
    host = re.sub(r"^[a-z]+://", "", account.website.lower()).split("/")[0].split(":")[0]
    return host.removeprefix("www.")


def existing_draft(message_id):
    """The tasker already taken in from ``message_id``, or ``None``."""
    return ExecutiveAction.objects.filter(message_id=message_id).first()


def take_in(parsed, user, action_type):
    """Make the draft tasker of ``parsed`` for ``user`` (see the module's text).

    Raises:
        PermissionDenied: the policy refuses ``user`` (``may_intake``).
        Duplicate: a tasker was already taken in from this Message-ID.
        IntakeError: the draft or one of its files is refused (nothing is saved).
    """
    from actions import services

    scope = get_user_scope(user)
    found = existing_draft(parsed.message_id)
    if found is not None:
        raise Duplicate(found)
    person, unit, account = match_sender(parsed.sender_email, user)
    fields = dict(
        title=(parsed.subject or NO_SUBJECT)[:TITLE_MAX],
        action_type=action_type,
        description=_described(parsed),
        method_of_receipt=MethodOfReceipt.EMAIL,
        received_date=timezone.localdate(parsed.date) if parsed.date else timezone.localdate(),
        received_from_person=person,
        received_from_unit=unit,
        received_from_account=account,
        issued_by_id=scope.person_id,
        issuing_unit_id=scope.unit_id,
        message_id=parsed.message_id,
    )
    may_intake(user, ExecutiveAction(**fields)).require()
    try:
        with transaction.atomic():
            action = services.create_action(user=user, **fields)
            _attach(action, parsed.original, AttachmentKind.TASKING_MEMO, user)
            for mail_file in parsed.attachments:
                _attach(action, mail_file, AttachmentKind.SUPPORTING, user)
    except ValidationError as invalid:
        found = existing_draft(parsed.message_id)  # taken in meanwhile: the constraint said so
        if found is not None:
            raise Duplicate(found) from None
        raise IntakeError(_plain(invalid)) from invalid
    except IntegrityError:  # taken in at the same moment by another request or run
        found = existing_draft(parsed.message_id)
        if found is None:
            raise
        raise Duplicate(found) from None
    return action


def _described(parsed):
    """The description: who wrote and when, then the body."""
    sender = parsed.sender_name or parsed.sender_email
    if parsed.sender_name and parsed.sender_email:
        sender = f"{parsed.sender_name} <{parsed.sender_email}>"
    head = f"E-mail from {sender or 'an unknown sender'}"
    if parsed.date:
        head += f", sent {timezone.localtime(parsed.date):%d %b %Y %H:%M}"
    return f"{head}.\n\n{parsed.body}".strip()


def _attach(action, mail_file, kind, user):
    """Keep ``mail_file`` as an attachment of ``action``, under ``Attachment.clean``'s limits."""
    attachment = Attachment(
        action=action,
        title=mail_file.name[:255],
        kind=kind,
        uploaded_by=user if getattr(user, "pk", None) else None,
        content_type=mail_file.content_type[:255],
    )
    attachment.file = ContentFile(mail_file.content, name=mail_file.name)
    write_policy.may(user, "add", Attachment, attachment).require()
    try:
        attachment.full_clean()
    except ValidationError as invalid:
        raise ValidationError(f"“{mail_file.name}” cannot be kept: {_plain(invalid)}") from None
    attachment._history_user = attachment.uploaded_by
    attachment.save()
    return attachment


def _plain(invalid):
    return " ".join(message for message in invalid.messages)


def open_upload(upload):
    """The bytes of an uploaded file, after :func:`check_file`."""
    check_file(upload.name, upload.size)
    buffer = io.BytesIO()
    for chunk in upload.chunks():
        buffer.write(chunk)
    return buffer.getvalue()
