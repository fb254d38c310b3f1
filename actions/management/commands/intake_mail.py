"""``manage.py intake_mail --maildir PATH --as USERNAME``: the e-mail a mail server delivered
to a Maildir becomes draft taskers (``actions.intake``), from cron.

Which messages: those without the Maildir "seen" flag (``S``), in ``new/`` or ``cur/``. A
message taken in, or recognised as taken in before (its Message-ID is stored on the draft),
is moved to ``cur/`` with the ``S`` flag; the next run does not read it again. A message
refused (too large, a file type attachments may not have, not an e-mail) gets the "flagged"
flag (``F``), stays unseen and is reported again by every run, which then exits non-zero,
until someone deals with it. Running it twice creates nothing new: a run stopped between
saving a draft and moving its message finds the Message-ID on the next run and skips it.

The drafts are made as ``--as`` (a secretariat member, or a service account placed in the
secretariat unit): the policy asks whether that user may take in e-mail, and the drafts are
issued by their unit.
"""

import mailbox
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from actions import intake
from actions.models import ExecutiveActionType
from actions.policy import may_intake


class Command(BaseCommand):
    help = "Turn the unseen messages of a Maildir into draft taskers (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("--maildir", required=True, help="the Maildir folder to read")
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            help="the user the drafts are made by (a member of the secretariat)",
        )
        parser.add_argument(
            "--type",
            dest="type_name",
            default=None,
            help="the type of the drafts, by name (default: the INTAKE_ACTION_TYPE setting)",
        )

    def handle(self, *args, maildir, username, type_name=None, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active user {username!r}.")
        verdict = may_intake(user)
        if not verdict:
            raise CommandError(f"{username} may not take in e-mail: {verdict.reason}")
        action_type = self.action_type(user, type_name or settings.INTAKE_ACTION_TYPE)
        if not os.path.isdir(os.path.join(maildir, "new")):
            raise CommandError(f"{maildir} is not a Maildir (it has no new/ folder).")
        box = mailbox.Maildir(maildir, factory=None, create=False)
        taken, known, refused = 0, 0, []
        for key in sorted(box.keys()):
            message = box.get_message(key)
            if "S" in message.get_flags():
                continue
            outcome = self.take(box, key, user, action_type)
            if outcome == "taken":
                taken += 1
            elif outcome == "known":
                known += 1
            else:
                refused.append(outcome)
                message.add_flag("F")
                box[key] = message
                continue
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message
        summary = f"{taken} taken in, {known} already taken in, {len(refused)} refused."
        if refused:
            for line in refused:
                self.stderr.write(line)
            raise CommandError(summary)
        self.stdout.write(summary)

    def take(self, box, key, user, action_type):
        """Take in one message: ``"taken"``, ``"known"`` or the line reporting a refusal."""
        content = box.get_bytes(key)
        name = f"{key.split(':')[0]}.eml"
        try:
            intake.check_file(name, len(content))
            parsed = intake.parse_eml(content, name)
            action = intake.take_in(parsed, user, action_type)
        except intake.Duplicate as duplicate:
            self.stdout.write(
                f"Skipped {key}: already taken in as {duplicate.action.number} "
                f"({duplicate.action.get_absolute_url()})."
            )
            return "known"
        except (intake.IntakeError, PermissionDenied) as error:
            return f"Refused {key}: {error}"
        self.stdout.write(f"Took in {key} as draft {action.number}: {action.title}")
        return "taken"

    def action_type(self, user, name):
        if not name:
            raise CommandError(
                "Name the type of the drafts: --type NAME, or the INTAKE_ACTION_TYPE setting."
            )
        found = (
            ExecutiveActionType.objects.visible_to(user).filter(name=name, is_active=True).first()
        )
        if found is None:
            raise CommandError(f"There is no active action type named {name!r}.")
        return found
