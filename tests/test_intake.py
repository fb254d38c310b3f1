"""E-mail intake (issue 17): an .eml or Outlook .msg becomes a draft tasker, by the upload
page and by ``intake_mail`` on a Maildir; the same message twice is refused; only the
secretariat, managers and administrators take in e-mail."""

import datetime
import mailbox
import shutil
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from actions import intake
from actions.choices import ActionStatus, AttachmentKind, MethodOfReceipt
from actions.demo.actions import ExecutiveActionTypeFactory
from actions.demo.partners import AccountFactory, PersonFactory
from actions.models import Attachment, ExecutiveAction
from execcoord.submissions import FORM_KEY
from partners.access import ROLE_MANAGER, ROLE_VIEWER
from tests.conftest import make_user

FIXTURES = Path(__file__).parent / "fixtures" / "intake"
URL = "/actions/intake/"


def fixture(name):
    return (FIXTURES / name).read_bytes()


# -- reading: each fixture becomes what the draft is made of --------------------------------

# the text of the HTML data call, read out of the .eml and of the Outlook message alike
DATA_CALL_TEXT = (
    "Dear Secretariat,\n\nPlease provide the FY27 budget figures & the staffing plan "
    "by 15 January.\n\n- Budget table\n- Staffing plan\n\nDetails: the data call "
    "(https://partner.example.org/call)\n\nRegards,\nJane Doe"
)
PARSED = {
    "plain.eml": dict(
        subject="Überprüfung des Haushalts — Frist 15. Januar",
        message_id="<plain-0001@partner.example.org>",
        sender=("Jane Doe", "jane.doe@partner.example.org"),
        body="Dear Secretariat,\n\nPlease send the budget review by 15 January.\n\nJane Doe",
        files=[],
    ),
    "html.eml": dict(
        subject="FY27 budget data call",
        message_id="<html-0001@state.example.gov>",
        sender=("Budget Office", "budget@state.example.gov"),
        body=DATA_CALL_TEXT,
        files=[],
    ),
    "attachments.eml": dict(
        subject="Signed memo and data",
        message_id="<attach-0001@field.example.net>",
        sender=("Omar Field", "omar@field.example.net"),
        body="Memo and data attached.",
        files=[("memo.pdf", "application/pdf"), ("figures.csv", "text/csv")],
    ),
    "outlook.msg": dict(
        subject="Réponse requise : données du budget 2027",
        message_id="<outlook-0001@partner.example.org>",
        sender=("Jane Doe", "jane.doe@partner.example.org"),
        body="Please review the attached memo.\nThanks, Jane",
        files=[("memo.pdf", "application/pdf")],
    ),
    "outlook_html.msg": dict(
        subject="HTML only from Outlook",
        message_id="<outlook-html-0001@state.example.gov>",
        sender=("Budget Office", "budget@state.example.gov"),
        body=DATA_CALL_TEXT,
        files=[],
    ),
}
SENT = datetime.datetime(2026, 11, 20, 19, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize("name", sorted(PARSED))
def test_fixture_is_read_into_its_parts(name):
    expected = PARSED[name]
    parsed = intake.parse(fixture(name), name)
    assert parsed.subject == expected["subject"]
    assert parsed.message_id == expected["message_id"]
    assert (parsed.sender_name, parsed.sender_email) == expected["sender"]
    assert parsed.body == expected["body"]
    assert parsed.date == SENT
    assert [(f.name, f.content_type) for f in parsed.attachments] == expected["files"]
    assert parsed.original.name == name
    assert parsed.original.content == fixture(name)


def test_outlook_fixture_is_an_ole_compound_file():
    assert fixture("outlook.msg").startswith(intake.OLE_MAGIC)


def test_html_to_text_drops_scripts_styles_and_comments():
    html = (
        "<head><style>.x{}</style><title>T</title></head><body><script>var a=1;</script>"
        "<noscript>enable</noscript><p>One &lt;two&gt;</p><!-- hidden --><p>Three<br/>Four</p>"
        "<table><tr><td>a</td><td>b</td></tr></table></body>"
    )
    assert intake.html_to_text(html) == "One <two>\n\nThree\nFour\n\na b"


def test_message_without_message_id_is_known_by_its_bytes():
    content = b"From: a@b.example\r\nSubject: hi\r\n\r\nbody\r\n"
    first = intake.parse(content, "x.eml")
    assert first.message_id == intake.parse(content, "y.eml").message_id
    assert first.message_id.startswith("<sha256-")


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("notes.txt", b"hello", "not an e-mail file"),
        ("fake.msg", b"From: a@b\r\n\r\nx", "not an Outlook message"),
        ("broken.msg", intake.OLE_MAGIC + b"\0" * 600, "could not be read as an Outlook"),
        ("empty.eml", b"just some words\n", "no From, Subject or Date header"),
    ],
)
def test_files_that_are_not_mail_are_refused(name, content, says):
    with pytest.raises(intake.IntakeError, match=says):
        intake.check_file(name, len(content))
        intake.parse(content, name)


# -- the page ---------------------------------------------------------------------------------


@pytest.fixture
def action_type(db):
    return ExecutiveActionTypeFactory(name="Correspondence", default_days_to_due=10)


def upload(client, name, action_type, *, key="k1", content=None):
    data = content if content is not None else fixture(name)
    return client.post(
        URL,
        {
            "message": SimpleUploadedFile(name, data),
            "action_type": action_type.pk,
            FORM_KEY: key,
        },
    )


def test_plain_eml_becomes_a_draft_received_from_the_person(client, sec, action_type):
    jane = PersonFactory(email="jane.doe@partner.example.org", organization_unit=None)
    client.force_login(sec)
    response = upload(client, "plain.eml", action_type)
    action = ExecutiveAction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == action.get_absolute_url()
    assert action.status == ActionStatus.DRAFT
    assert action.title == "Überprüfung des Haushalts — Frist 15. Januar"
    assert action.description == (
        "E-mail from Jane Doe <jane.doe@partner.example.org>, sent 20 Nov 2026 14:05.\n\n"
        + PARSED["plain.eml"]["body"]
    )
    assert action.method_of_receipt == MethodOfReceipt.EMAIL
    assert action.received_date == datetime.date(2026, 11, 20)
    assert action.received_from_person == jane
    assert action.received_from_account is None
    assert action.issued_by == sec.person
    assert action.issuing_unit == sec.person.organization_unit
    assert action.lead_unit is None and action.accountable_person is None
    assert action.message_id == "<plain-0001@partner.example.org>"
    assert action.action_type == action_type
    original = action.attachments.get()
    assert (original.title, original.kind) == ("plain.eml", AttachmentKind.TASKING_MEMO)
    assert original.file.read() == fixture("plain.eml")
    assert original.uploaded_by == sec
    assert action.history.get().history_user == sec
    assert original.history.get().history_user == sec


def test_html_eml_is_received_from_the_account_of_its_domain(client, sec, action_type):
    state = AccountFactory(name="State Budget", email="", website="https://www.state.example.gov/")
    AccountFactory(name="Other", email="info@other.example.gov", website="")
    client.force_login(sec)
    assert upload(client, "html.eml", action_type).status_code == 302
    action = ExecutiveAction.objects.get()
    assert action.received_from_account == state
    assert action.received_from_person is None
    assert "alert" not in action.description and "color" not in action.description
    assert action.description.endswith(PARSED["html.eml"]["body"])


def test_attachments_are_kept_on_the_draft(client, sec, action_type):
    client.force_login(sec)
    assert upload(client, "attachments.eml", action_type).status_code == 302
    action = ExecutiveAction.objects.get()
    files = {a.title: a for a in action.attachments.all()}
    assert set(files) == {"attachments.eml", "memo.pdf", "figures.csv"}
    assert files["memo.pdf"].kind == AttachmentKind.SUPPORTING
    assert files["memo.pdf"].content_type == "application/pdf"
    assert files["figures.csv"].file.read() == b"year,amount\n2027,100\n"
    assert files["figures.csv"].size == 21


def test_outlook_msg_becomes_a_draft_with_its_attachment(client, sec, action_type):
    client.force_login(sec)
    assert upload(client, "outlook.msg", action_type).status_code == 302
    action = ExecutiveAction.objects.get()
    assert action.title == "Réponse requise : données du budget 2027"
    assert action.message_id == "<outlook-0001@partner.example.org>"
    assert action.received_date == datetime.date(2026, 11, 20)
    assert sorted(action.attachments.values_list("title", flat=True)) == [
        "memo.pdf",
        "outlook.msg",
    ]


def test_duplicate_message_id_is_refused_with_a_link_to_the_draft(client, sec, action_type):
    client.force_login(sec)
    upload(client, "plain.eml", action_type, key="first")
    existing = ExecutiveAction.objects.get()
    response = upload(client, "plain.eml", action_type, key="second")
    assert response.status_code == 409
    page = response.content.decode()
    assert f'href="{existing.get_absolute_url()}"' in page
    assert "already taken in as" in page
    assert ExecutiveAction.objects.count() == 1
    assert Attachment.objects.count() == 1


def test_the_same_form_sent_twice_makes_one_draft(client, sec, action_type):
    client.force_login(sec)
    upload(client, "plain.eml", action_type, key="same")
    response = upload(client, "plain.eml", action_type, key="same")
    assert response.status_code == 302
    assert ExecutiveAction.objects.count() == 1


def test_a_forbidden_attachment_creates_nothing(client, sec, action_type):
    client.force_login(sec)
    response = upload(client, "forbidden_attachment.eml", action_type)
    assert response.status_code == 400
    page = response.content.decode()
    assert "“setup.exe” cannot be kept: Files of type “.exe” are not accepted" in page
    assert "Nothing was created." in page
    assert not ExecutiveAction.objects.exists()
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_creates_nothing(client, sec, action_type, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    client.force_login(sec)
    big = fixture("plain.eml") + b"x" * (1024 * 1024)
    response = upload(client, "plain.eml", action_type, content=big)
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert not ExecutiveAction.objects.exists()


def test_a_file_that_is_not_mail_creates_nothing(client, sec, action_type):
    client.force_login(sec)
    response = upload(client, "letter.pdf", action_type, content=b"%PDF-1.4")
    assert response.status_code == 400
    assert "not an e-mail file" in response.content.decode()
    assert not ExecutiveAction.objects.exists()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("alice", False),  # Staff outside the secretariat
        ("sec_viewer", False),  # a Viewer in the secretariat's unit
        ("sec", True),
        ("bob", True),  # a Manager
        ("administrator", True),
    ],
)
def test_who_may_take_in_email_on_the_page(request, client, who, allowed, action_type):
    if who == "sec_viewer":
        unit = request.getfixturevalue("secretariat")
        user = make_user("secviewer", ROLE_VIEWER, unit)
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(URL)
    assert page.status_code == (200 if allowed else 403)
    home = client.get(reverse("home")).content.decode()
    assert (URL in home) is allowed  # the menu offers it to exactly those
    response = upload(client, "plain.eml", action_type)
    assert response.status_code == (302 if allowed else 403)
    assert ExecutiveAction.objects.exists() is allowed


def test_staff_outside_the_secretariat_cannot_take_in_by_the_service(alice, action_type):
    parsed = intake.parse(fixture("plain.eml"), "plain.eml")
    with pytest.raises(PermissionDenied):
        intake.take_in(parsed, alice, action_type)
    assert not ExecutiveAction.objects.exists()


# -- the Maildir command ------------------------------------------------------------------------


@pytest.fixture
def maildir(tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for name in ("plain.eml", "attachments.eml", "forbidden_attachment.eml"):
        box.add(mailbox.MaildirMessage(fixture(name)))
    return tmp_path / "Maildir"


def run(maildir, username, *more):
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command(
            "intake_mail",
            "--maildir",
            str(maildir),
            "--as",
            username,
            *more,
            stdout=out,
            stderr=err,
        )
    except CommandError as error:
        return str(error), out.getvalue(), err.getvalue()
    return None, out.getvalue(), err.getvalue()


def test_maildir_command_is_idempotent(maildir, sec, action_type):
    error, out, err = run(maildir, "sec", "--type", "Correspondence")
    assert error == "2 taken in, 0 already taken in, 1 refused."
    assert "setup.exe" in err
    assert ExecutiveAction.objects.count() == 2
    assert Attachment.objects.count() == 1 + 3
    box = mailbox.Maildir(maildir, create=False)
    flags = sorted(
        (box.get_message(k).get_subdir(), box.get_message(k).get_flags()) for k in box.keys()
    )
    assert flags == [("cur", "S"), ("cur", "S"), ("new", "F")]
    # again: nothing new, the refused one reported again
    error, out, err = run(maildir, "sec", "--type", "Correspondence")
    assert error == "0 taken in, 0 already taken in, 1 refused."
    assert ExecutiveAction.objects.count() == 2
    assert Attachment.objects.count() == 4


def test_a_message_taken_in_but_not_moved_is_skipped(maildir, sec, action_type, settings):
    settings.INTAKE_ACTION_TYPE = "Correspondence"
    run(maildir, "sec")
    box = mailbox.Maildir(maildir, create=False)
    box.add(mailbox.MaildirMessage(fixture("plain.eml")))  # as if a run died before moving it
    for key in list(box.keys()):
        if "F" in box.get_message(key).get_flags():
            box.remove(key)
    error, out, _ = run(maildir, "sec")
    assert error is None
    assert out.rstrip().endswith("0 taken in, 1 already taken in, 0 refused.")
    assert "already taken in as" in out
    assert ExecutiveAction.objects.count() == 2


def test_staff_outside_the_secretariat_cannot_run_the_intake(maildir, alice, action_type):
    error, _, _ = run(maildir, "alice", "--type", "Correspondence")
    assert error.startswith("alice may not take in e-mail")
    assert not ExecutiveAction.objects.exists()
    box = mailbox.Maildir(maildir, create=False)
    assert all(box.get_message(k).get_subdir() == "new" for k in box.keys())


def test_command_needs_a_maildir_and_a_type(tmp_path, sec, action_type):
    error, _, _ = run(tmp_path, "sec", "--type", "Correspondence")
    assert "is not a Maildir" in error
    shutil.copytree(FIXTURES, tmp_path / "copy")
    error, _, _ = run(tmp_path, "sec")
    assert error == "Name the type of the drafts: --type NAME, or the INTAKE_ACTION_TYPE setting."


def test_a_manager_may_take_in_by_command(maildir, units, action_type):
    manager = make_user("mgr", ROLE_MANAGER, units["BUR-A"])
    error, _, _ = run(maildir, manager.username, "--type", "Correspondence")
    assert error == "2 taken in, 0 already taken in, 1 refused."


def test_a_duplicate_the_user_may_not_see_is_not_named(client, sec, bob, action_type):
    from actions.choices import Visibility

    client.force_login(bob)
    upload(client, "plain.eml", action_type, key="bob")
    hidden = ExecutiveAction.objects.get()
    hidden.visibility = Visibility.CONFIDENTIAL
    hidden.save()
    from django.test import Client

    other = Client()  # a new browser: no message left from bob's upload
    other.force_login(sec)
    response = upload(other, "plain.eml", action_type, key="sec")
    assert response.status_code == 409
    page = response.content.decode()
    assert "as a tasker you may not see" in page
    assert hidden.number not in page and hidden.title not in page
