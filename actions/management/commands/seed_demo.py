"""Build a realistic demo agency and print one login per role (issue 2).

Same seed, same data: Faker and factory-boy's random are reseeded and the factories'
sequences reset, and every record is made by the factories the tests use
(``actions.demo``, whose text reads like an agency's: ``actions.demo.texts``), validated with
``full_clean()``. The agency has real-looking offices, partners (agencies, states,
committees), authorities (statutes, executive orders, CFR parts), taskers with plausible
titles, tags, and a few small PDF attachments written through the storage API.
Running it again adds nothing: it only makes sure the demo logins exist and prints them.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from actions.choices import (
    ActionStatus,
    AssignmentStatus,
    AttachmentKind,
    DependencyType,
    ExtensionStatus,
    Health,
    Outcome,
    Priority,
    SecurityClassification,
    Visibility,
)
from actions.models import Attachment, ExecutiveAction
from partners.access import ROLE_ADMIN, ROLE_MANAGER, ROLE_STAFF, ROLE_VIEWER
from partners.models import OrganizationUnit

DEMO_PASSWORD = "execcoord-demo-2026"
SAMPLE_INTAKE = "sample_intake.eml"  # in actions/demo/: the demo's e-mail intake draft
QUIET_MAIL = "django.core.mail.backends.locmem.EmailBackend"
ROOT_CODE = "DEPT"

# (code, name, abbreviation, unit type, children)
UNIT_TREE = (
    "DEPT",
    "Department of Coordination",
    "DOC",
    "Department",
    (
        (
            "OS",
            "Office of the Secretary",
            "OS",
            "Office",
            (("ES", "Executive Secretariat", "ES", "Office", ()),),
        ),
        (
            "OCIO",
            "Office of the Chief Information Officer",
            "OCIO",
            "Bureau",
            (
                (
                    "OCIO-CSD",
                    "Cybersecurity Division",
                    "CSD",
                    "Division",
                    (
                        ("OCIO-CSD-SOC", "Security Operations Branch", "SOC", "Branch", ()),
                        (
                            "OCIO-CSD-GRC",
                            "Governance, Risk and Compliance Branch",
                            "GRC",
                            "Branch",
                            (),
                        ),
                    ),
                ),
                ("OCIO-EAB", "Enterprise Architecture Division", "EAD", "Division", ()),
                ("OCIO-DAB", "Data and Analytics Division", "DAD", "Division", ()),
            ),
        ),
        (
            "OCFO",
            "Office of the Chief Financial Officer",
            "OCFO",
            "Bureau",
            (
                (
                    "OCFO-BUD",
                    "Budget Division",
                    "BUD",
                    "Division",
                    (
                        ("OCFO-BUD-BEB", "Budget Execution Branch", "BEB", "Branch", ()),
                        ("OCFO-BUD-BFB", "Budget Formulation Branch", "BFB", "Branch", ()),
                    ),
                ),
                ("OCFO-GMD", "Grants Management Division", "GMD", "Division", ()),
                ("OCFO-ACC", "Accounting Division", "ACC", "Division", ()),
            ),
        ),
        (
            "OGC",
            "Office of the General Counsel",
            "OGC",
            "Bureau",
            (
                ("OGC-REG", "Regulatory Affairs Division", "RAD", "Division", ()),
                ("OGC-ETH", "Ethics Division", "ETH", "Division", ()),
                ("OGC-LIT", "Litigation Division", "LIT", "Division", ()),
            ),
        ),
        (
            "OPP",
            "Office of Policy and Planning",
            "OPP",
            "Bureau",
            (
                ("OPP-STR", "Strategic Planning Division", "SPD", "Division", ()),
                ("OPP-EVA", "Program Evaluation Division", "PED", "Division", ()),
                ("OPP-LEG", "Office of Legislative Affairs", "OLA", "Office", ()),
            ),
        ),
        (
            "OHC",
            "Office of Human Capital",
            "OHC",
            "Bureau",
            (
                ("OHC-WPB", "Workforce Planning Division", "WPD", "Division", ()),
                ("OHC-TRN", "Training and Development Division", "TDD", "Division", ()),
                ("OHC-LER", "Labor and Employee Relations Division", "LER", "Division", ()),
            ),
        ),
        (
            "OSEP",
            "Office of Security and Emergency Preparedness",
            "OSEP",
            "Bureau",
            (
                ("OSEP-EPD", "Emergency Preparedness Division", "EPD", "Division", ()),
                ("OSEP-PSD", "Personnel Security Division", "PSD", "Division", ()),
                ("OSEP-PHY", "Physical Security Division", "PHY", "Division", ()),
            ),
        ),
        (
            "OPO",
            "Office of Procurement Operations",
            "OPO",
            "Bureau",
            (
                ("OPO-ACQ", "Acquisition Division", "ACQ", "Division", ()),
                ("OPO-POL", "Acquisition Policy Division", "APD", "Division", ()),
            ),
        ),
        (
            "FOD",
            "Field Operations",
            "FOD",
            "Bureau",
            (
                ("FOD-NE", "Northeast Region", "NER", "Office", ()),
                ("FOD-SE", "Southeast Region", "SER", "Office", ()),
                ("FOD-CE", "Central Region", "CER", "Office", ()),
                ("FOD-WE", "Western Region", "WER", "Office", ()),
            ),
        ),
        ("PRIV", "Privacy Office", "PRIV", "Office", ()),
        ("OPA", "Office of Public Affairs", "OPA", "Office", ()),
    ),
)

# username, group, unit code, manages the unit, clearance, description
DEMO_LOGINS = (
    ("staff", ROLE_STAFF, "OCIO-CSD", False, "public_trust", "Staff (action officer)"),
    ("manager", ROLE_MANAGER, "OCIO", True, "secret", "Manager of OCIO and its sub-units"),
    ("secretariat", ROLE_STAFF, "ES", False, "secret", "Executive secretariat"),
    ("admin", ROLE_ADMIN, "OS", False, "top_secret", "Administrator (also Django admin)"),
    ("viewer", ROLE_VIEWER, "OS", False, "public_trust", "Read-only viewer"),
)


class Command(BaseCommand):
    help = "Build a realistic demo agency (same seed, same data) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only seed when there are no executive actions yet.",
        )
        parser.add_argument(
            "--actions",
            type=int,
            default=500,
            help="How many executive actions to create (default 500).",
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        # the demo's history is made up: its notifications go to the bell, not to anyone's
        # mailbox (nor to the console of `make run`, below the demo logins)
        with override_settings(EMAIL_BACKEND=QUIET_MAIL):
            self.seed_and_log_in(**options)

    def seed_and_log_in(self, **options):
        try:
            import factory.random

            from actions.demo import actions as af
            from actions.demo import analysis as nf
            from actions.demo import partners as pf
        except ImportError as exc:  # factory-boy or Faker missing: a production install
            raise CommandError(
                f"seed_demo needs the demo extra ({exc.name} is not installed): "
                'pip install "execcoord[demo]", or `make install` in a source checkout.'
            ) from exc
        self.af, self.nf, self.pf = af, nf, pf
        already = OrganizationUnit.objects.filter(code=ROOT_CODE).exists()
        if already or (options["if_empty"] and ExecutiveAction.objects.exists()):
            self.stdout.write("Demo data already present; nothing added.")
        else:
            factory.random.reseed_random(options["seed"])
            self.reset_sequences()
            self.rng = random.Random(options["seed"])
            self.today = timezone.localdate()
            with transaction.atomic():
                self.seed(options["actions"])
        self.ensure_logins()

    def reset_sequences(self):
        """Every factory counts from 0 again: the same names, whatever ran before."""
        from factory.django import DjangoModelFactory

        for module in (self.pf, self.nf, self.af):
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, DjangoModelFactory)
                    and value._meta.model is not None
                ):
                    value.reset_sequence(force=True)

    # --- the agency -----------------------------------------------------------------

    def seed(self, n_actions):
        units = self.make_units(UNIT_TREE, None)
        people = self.make_people(units)
        accounts = self.make_accounts(people)
        authorities = self.make_authorities(accounts)
        self.links = self.make_links(units, people, accounts, authorities)
        types = [self.af.ExecutiveActionTypeFactory() for _ in range(8)]
        self.tags = [self.af.TagFactory(name=name) for name in self.af.TAG_NAMES]
        self.users = {}
        types[3].requires_legal_authority = True  # Regulatory Review
        types[3].save()
        self.make_actions(n_actions, types, units, people)
        from actions.demo import templates as demo_templates

        self.templates = demo_templates.make_templates(types, {u.code: u for u in units})
        self.stdout.write(
            f"Seeded {len(units)} units, {len(people)} people, {len(accounts)} partner accounts, "
            f"{len(authorities)} legal authorities, {len(self.links['agreements'])} agreements "
            f"and {ExecutiveAction.objects.count()} executive actions."
        )

    def make_accounts(self, people):
        """The partner accounts, each of the factory's once, and a dozen outside contacts."""
        accounts = [self.pf.AccountFactory() for _ in range(len(self.pf.ACCOUNTS))]
        for person in self.rng.sample(people, 12):  # partner contacts
            self.pf.ExternalPersonFactory(account=self.rng.choice(accounts))
            del person
        return accounts

    def make_authorities(self, accounts):
        """The factory's real authorities once each, then departmental directives: every
        citation is unique, so exported authorities import back by citation."""
        return [
            self.nf.LegalAuthorityFactory(issuing_body=self.rng.choice(accounts))
            for _ in range(len(self.nf.AUTHORITIES))
        ] + [
            self.nf.LegalAuthorityFactory(
                name=f"Departmental Directive {n:03d}",
                citation=f"DOC Directive {n:03d}",
                authority_type="directive",
                issuing_body=None,
                summary="A directive of the Secretary to the offices of the Department.",
            )
            for n in range(1, 11)
        ]

    def make_links(self, units, people, accounts, authorities):
        """What a tasker may link to: agreements, analyses with their impacts and risks,
        with the accounts and authorities (``self.links``)."""
        rng = self.rng
        agreements = [
            self.pf.AgreementFactory(
                lead_unit=rng.choice(units),
                primary_contact=rng.choice(people),
                parties=rng.sample(accounts, 2),
            )
            for _ in range(20)
        ]
        analyses = [
            self.nf.AnalysisFactory(
                legal_authority=rng.choice(authorities),
                organization_unit=rng.choice(units),
                assessment_poc=rng.choice(people),
            )
            for _ in range(30)
        ]
        impacts = [
            self.nf.ImpactFactory(
                legal_authority=rng.choice(authorities),
                analysis=rng.choice(analyses),
                organization_unit=rng.choice(units),
            )
            for _ in range(40)
        ]
        risks = [
            self.nf.RiskItemFactory(
                legal_authority=rng.choice(authorities),
                analysis=rng.choice(analyses),
                organization_unit=rng.choice(units),
                owner=rng.choice(people),
            )
            for _ in range(40)
        ]
        return dict(
            authorities=authorities,
            agreements=agreements,
            analyses=analyses,
            impacts=impacts,
            risks=risks,
            accounts=accounts,
        )

    def make_units(self, node, parent):
        code, name, abbreviation, unit_type, children = node
        unit = self.pf.OrganizationUnitFactory(
            code=code,
            name=name,
            abbreviation=abbreviation,
            parent=parent,
            unit_type=self.pf.OrganizationUnitTypeFactory(name=unit_type),
            email=f"{code.lower()}-tasking@coordination.example.gov",
            is_secretariat=code == "ES",  # takes in mail, sees what it issued, imports
        )
        made = [unit]
        for child in children:
            made.extend(self.make_units(child, unit))
        return made

    def make_people(self, units):
        people = []
        for unit in units:
            staff = [self.pf.PersonFactory(organization_unit=unit) for _ in range(5)]
            unit.manager = staff[0]
            unit.save()
            people.extend(staff)
        return people

    # --- the taskers ----------------------------------------------------------------

    STATUS_MIX = (
        (ActionStatus.DRAFT, 6),
        (ActionStatus.NOT_STARTED, 12),
        (ActionStatus.IN_PROGRESS, 34),
        (ActionStatus.SUBMITTED, 8),
        (ActionStatus.RETURNED, 4),
        (ActionStatus.COMPLETED, 26),
        (ActionStatus.CANCELLED, 4),
        (ActionStatus.ON_HOLD, 6),
    )

    def make_actions(self, n_actions, types, units, people):
        statuses = [s for s, weight in self.STATUS_MIX for _ in range(weight)]
        secretariat = OrganizationUnit.objects.get(code="ES")
        by_unit = {}
        for person in people:
            by_unit.setdefault(person.organization_unit_id, []).append(person)
        n_top = int(n_actions * 0.7)
        top = []
        for i in range(n_actions):
            parent = self.rng.choice(top) if i >= n_top else None
            action = self.make_action(statuses, types, units, by_unit, secretariat, parent=parent)
            if parent is None:
                top.append(action)

    def make_action(self, statuses, types, units, by_unit, secretariat, parent=None):
        rng = self.rng
        status = rng.choice(statuses)
        lead = rng.choice(units[1:])
        officer = rng.choice(by_unit[lead.pk])
        due, issue_date = self.schedule(status)
        fields = self.action_fields(status, types, lead, officer, secretariat, parent)
        fields.update(self.dates_and_progress(status, parent, due, issue_date))
        self.add_links(fields)
        action = self.af.ExecutiveActionFactory(**fields)
        if status != ActionStatus.DRAFT:
            self.make_satellites(action, units, by_unit)
        return action

    def schedule(self, status):
        """A due date (about one open tasker in five late, as in a busy agency) and an issue
        date weeks before it, never in the future."""
        rng, today = self.rng, self.today
        if status in (ActionStatus.COMPLETED, ActionStatus.CANCELLED):
            offset = rng.randint(-150, 10)
        else:
            offset = rng.randint(-90, -1) if rng.random() < 0.2 else rng.randint(0, 90)
        due = today + datetime.timedelta(days=offset)
        issue_date = due - datetime.timedelta(days=rng.randint(20, 60))
        if issue_date > today:
            issue_date = today - datetime.timedelta(days=rng.randint(0, 30))
        return due, issue_date

    def action_fields(self, status, types, lead, officer, secretariat, parent):
        """Who issues and leads a tasker, and how it is marked; a sub-tasker is as
        restricted and as classified as its parent, and issued by its lead."""
        rng = self.rng
        title = self.title(lead, parent)
        action_type = parent.action_type if parent else rng.choice(types)
        priority = rng.choice(list(Priority))
        visibility, classification = self.marking(parent)
        return dict(
            title=title,
            action_type=action_type,
            status=status,
            priority=priority,
            visibility=visibility,
            security_classification=classification,
            lead_unit=lead,
            accountable_person=officer,
            issuing_unit=parent.lead_unit if parent else secretariat,
            issued_by=parent.accountable_person if parent else None,
            parent=parent,
        )

    def marking(self, parent):
        """A tasker's visibility and classification: its parent's, else drawn."""
        if parent:
            return parent.visibility, parent.security_classification
        visibility = self.rng.choices(list(Visibility), weights=(20, 65, 12, 3))[0]
        classification = self.rng.choices(
            [SecurityClassification.UNCLASSIFIED, SecurityClassification.CUI], (80, 20)
        )[0]
        return visibility, classification

    def dates_and_progress(self, status, parent, due, issue_date):
        """The dates, health and progress of a tasker of ``status`` (a sub-tasker is due
        by its parent's date); some completed late, some issued taskers extended."""
        rng, issued = self.rng, status != ActionStatus.DRAFT
        fields = dict(
            due_date=min(due, parent.due_date) if parent else due,
            issue_date=issue_date if issued else None,
            original_due_date=None,
            health=rng.choice(list(Health)) if issued else Health.NOT_ASSESSED,
            percent_complete=rng.choice((0, 10, 25, 40, 60, 80)) if issued else 0,
            legal_authorities=rng.sample(self.links["authorities"], rng.randint(1, 2)),
        )
        if status == ActionStatus.ON_HOLD:
            fields["held_from_status"] = ActionStatus.IN_PROGRESS
        if status == ActionStatus.COMPLETED:
            late = rng.random() < 0.3
            finish = fields["due_date"] + datetime.timedelta(
                days=rng.randint(1, 20) if late else -rng.randint(0, 15)
            )
            fields.update(
                completed_date=max(min(finish, self.today), issue_date),
                percent_complete=100,
                outcome=rng.choice(list(Outcome)),
                health=Health.ON_TRACK,
            )
        if issued:
            extended = rng.random() < 0.15
            fields["original_due_date"] = fields["due_date"] - datetime.timedelta(
                days=14 if extended else 0
            )
        return fields

    def add_links(self, fields):
        """Link some taskers to analyses, partners and agreements, and tag some."""
        rng = self.rng
        if rng.random() < 0.3:
            fields["analyses"] = [rng.choice(self.links["analyses"])]
            fields["impacts"] = [rng.choice(self.links["impacts"])]
            fields["risk_items"] = [rng.choice(self.links["risks"])]
        if rng.random() < 0.25:
            fields["partners"] = rng.sample(self.links["accounts"], 2)
            fields["agreements"] = [rng.choice(self.links["agreements"])]
        if rng.random() < 0.35:
            fields["tags"] = rng.sample(self.tags, rng.randint(1, 2))

    def title(self, lead, parent):
        """A tasker's title as a secretariat writes it; a sub-tasker's names its office."""
        texts, rng = self.af.texts, self.rng
        topic = rng.choice(texts.TOPICS)
        office = lead.abbreviation or lead.code
        if parent is None:
            return rng.choice(texts.TITLE_TEMPLATES).format(topic=topic)
        template = rng.choice(texts.SUB_TASKER_TITLES)
        return template.format(office=office, parent=parent.title, topic=topic)[:255]

    def user_of(self, person):
        """A sign-in for ``person`` (no password: it names who requested or decided)."""
        if person is None:
            return None
        if person.pk not in self.users:
            local = person.email.split("@")[0]
            user = get_user_model()(
                username=f"demo.{local}"[:150],
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
            )
            user.set_unusable_password()
            user.save()
            self.users[person.pk] = user
        return self.users[person.pk]

    def make_satellites(self, action, units, by_unit):
        rng = self.rng
        for unit in rng.sample(units[1:], rng.randint(0, 2)):
            if unit.pk == action.lead_unit_id:
                continue
            self.af.AssignmentFactory(
                action=action,
                organization_unit=unit,
                person=rng.choice(by_unit[unit.pk]),
                status=rng.choice(list(AssignmentStatus)),
                due_date=action.due_date,
            )
        if action.status not in (ActionStatus.NOT_STARTED,):
            for weeks_ago in range(rng.randint(1, 3), 0, -1):
                self.af.StatusUpdateFactory(
                    action=action,
                    status_date=self.today - datetime.timedelta(weeks=weeks_ago),
                    percent_complete=action.percent_complete,
                    health=action.health
                    if action.health != Health.NOT_ASSESSED
                    else Health.ON_TRACK,
                )
        if action.original_due_date and action.original_due_date != action.due_date:
            manager = action.lead_unit.manager
            decider = self.user_of(manager)
            request = self.af.ExtensionRequestFactory(
                action=action,
                current_due_date=action.original_due_date,
                requested_due_date=action.due_date,
                status=ExtensionStatus.APPROVED,
                decided_at=timezone.now(),
                requested_by=self.user_of(action.accountable_person),
                decided_by=decider,
                decision_comment="Approved; keep the front office informed.",
            )
            self.af.DueDateChangeFactory(
                action=action,
                old_due_date=action.original_due_date,
                new_due_date=action.due_date,
                extension_request=request,
                reason="Extension approved",
                changed_by=decider,
            )
        if rng.random() < 0.1:
            self.af.DecisionLogEntryFactory(
                action=action,
                decided_by=action.accountable_person,
                decision_authority=action.lead_unit,
            )

    # --- the logins -----------------------------------------------------------------

    def ensure_logins(self):
        User = get_user_model()
        lines = []
        for username, role, unit_code, manages, clearance, label in DEMO_LOGINS:
            unit = OrganizationUnit.objects.filter(code=unit_code).first()
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username,
                    f"{username}@coordination.example.gov",
                    DEMO_PASSWORD,
                    first_name=username.capitalize(),
                    last_name="Demo",
                    is_staff=role == ROLE_ADMIN,
                    is_superuser=role == ROLE_ADMIN,
                )
                user.groups.add(Group.objects.get_or_create(name=role)[0])
                if unit is not None:
                    person = self.pf.PersonFactory(
                        first_name=username.capitalize(),
                        last_name="Demo",
                        email=f"{username}@coordination.example.gov",
                        organization_unit=unit,
                        user=user,
                        clearance_level=clearance,
                    )
                    if manages:
                        unit.manager = person
                        unit.save()
            lines.append(f"  {username:<12} {DEMO_PASSWORD:<22} {label}")
        self.stdout.write("Demo logins (username, password, role):")
        self.stdout.write("\n".join(lines))
        if hasattr(self, "today"):
            self.make_demo_work()

    def make_demo_work(self):
        """Give the demo staff user work of their own, some overdue, some due soon, two
        extension requests for the demo manager to decide, and attach a few documents."""
        staff_user = get_user_model().objects.get(username="staff")
        staff = staff_user.person
        mine = ExecutiveAction.objects.filter(
            lead_unit=staff.organization_unit,
            status__in=[ActionStatus.IN_PROGRESS, ActionStatus.NOT_STARTED, ActionStatus.RETURNED],
        )[:6]
        for action in mine:
            action.accountable_person = staff
            action.full_clean()
            action.save()
        first = list(mine[:2])
        if len(first) == 2:
            self.af.DependencyFactory(
                predecessor=first[0],
                successor=first[1],
                dependency_type=DependencyType.FINISH_TO_START,
            )
        for action in list(mine)[-2:]:
            if action.due_date and not action.extension_requests.filter(
                status=ExtensionStatus.PENDING
            ):
                self.af.ExtensionRequestFactory(
                    action=action,
                    current_due_date=action.due_date,
                    requested_due_date=action.due_date + datetime.timedelta(days=14),
                    status=ExtensionStatus.PENDING,
                    requested_by=staff_user,
                )
        self.make_attachments()
        from actions.demo.routes import make_demo_routes

        make_demo_routes(self)
        self.make_intake_draft()
        self.make_templated_work()
        self.make_notifications()

    def make_intake_draft(self):
        """One draft taken in from an e-mail (``actions/demo/sample_intake.eml``) through the
        intake code, as the secretariat would upload it: received from GSA (matched by the
        sender's domain), with the message and its spreadsheet template attached."""
        from pathlib import Path

        from actions import intake
        from actions.models import ExecutiveActionType

        path = Path(__file__).resolve().parents[2] / "demo" / SAMPLE_INTAKE
        secretariat = get_user_model().objects.get(username="secretariat")
        parsed = intake.parse(path.read_bytes(), SAMPLE_INTAKE)
        if intake.existing_draft(parsed.message_id) is None:
            action_type = ExecutiveActionType.objects.get(name="Information Request")
            intake.take_in(parsed, secretariat, action_type)

    def make_templated_work(self):
        """One congressional inquiry staffed with its process template by the secretariat."""
        from actions.demo import templates as demo_templates

        template = next((t for t in self.templates if t.name == "Congressional inquiry"), None)
        if template is not None:
            secretariat = get_user_model().objects.get(username="secretariat")
            demo_templates.staff_with_template(template, secretariat, self.today)

    def make_notifications(self):
        """The bell of the demo staff, manager and secretariat: a few notifications about
        taskers each may see, the older ones read, the last three unread."""
        from actions.choices import MailState, NotificationKind
        from actions.notifications import EVENTS

        kinds = [
            NotificationKind.ISSUED,
            NotificationKind.ASSIGNED,
            NotificationKind.SUSPENSE_CHANGED,
            NotificationKind.RETURNED,
            NotificationKind.MENTIONED,
            NotificationKind.EXTENSION_REQUESTED,
        ]
        now = timezone.now()
        for username in ("staff", "manager", "secretariat"):
            user = get_user_model().objects.get(username=username)
            visible = (
                ExecutiveAction.objects.visible_to(user)
                .exclude(status=ActionStatus.DRAFT)
                .order_by("due_date", "number")[:6]
            )
            for index, (action, kind) in enumerate(zip(visible, kinds, strict=False)):
                sentence = EVENTS[kind].sentence.format(
                    actor="Morgan Reyes", old_due_date="an earlier date", new_due_date="today"
                )
                self.af.NotificationFactory(
                    recipient=user.person,
                    kind=kind,
                    action=action,
                    message=f"{action.number} {action.title}: {sentence}"[:500],
                    created_at=now - datetime.timedelta(hours=6 * (6 - index)),
                    read_at=None if index >= 3 else now - datetime.timedelta(hours=1),
                    mail_state=MailState.SENT,
                )

    def make_attachments(self):
        """Tasking memos on some issued taskers, responses on some completed ones: small
        PDFs, saved through the storage API like an upload."""
        secretariat = get_user_model().objects.get(username="secretariat")
        issued = ExecutiveAction.objects.exclude(status=ActionStatus.DRAFT).filter(parent=None)
        for action in issued.order_by("number")[::25]:
            self.attach(action, AttachmentKind.TASKING_MEMO, "Tasking memo", secretariat)
        completed = ExecutiveAction.objects.filter(status=ActionStatus.COMPLETED)
        for action in completed.order_by("number")[::20]:
            self.attach(action, AttachmentKind.RESPONSE, "Signed response", None)

    def attach(self, action, kind, label, user):
        lines = [
            "Department of Coordination",
            f"{label}: {action.number}",
            action.title,
            f"Suspense: {action.due_date:%d %B %Y}" if action.due_date else "",
        ]
        name = f"{action.number}-{label.lower().replace(' ', '-')}.pdf"
        attachment = Attachment(
            action=action,
            title=f"{label} {action.number}",
            kind=kind,
            uploaded_by=user,
            content_type="application/pdf",
        )
        attachment.file.save(name, ContentFile(demo_pdf(lines)), save=False)
        attachment.full_clean()
        attachment.save()


def demo_pdf(lines):
    """A one-page PDF with ``lines`` of text (a stand-in for a signed memo)."""
    text = (
        "BT /F1 12 Tf 72 720 Td 16 TL "
        + " ".join(
            "({}) '".format(line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)"))
            for line in lines
            if line
        )
        + " ET"
    )
    stream = text.encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
