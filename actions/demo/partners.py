"""Factories for the partners app (and sign-in users).

Deterministic once seeded (``factory.random.reseed_random(seed)`` seeds factory's random and
Faker): unique keys come from sequences, people's names from Faker, other text from the
agency-like pools of ``texts``. Every record passes
``full_clean()``; the demo-data command uses these factories too.
"""

import datetime
import re
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from partners.choices import (
    AccountType,
    AgreementStatus,
    AgreementType,
    ClearanceLevel,
    PersonnelType,
)
from partners.models import Account, Agreement, OrganizationUnit, OrganizationUnitType, Person

from . import texts

DEFAULT_PASSWORD = "correct-horse-battery-staple-42"

UNIT_TYPE_LEVELS = {
    "Department": 1,
    "Bureau": 2,
    "Office": 3,
    "Division": 4,
    "Branch": 5,
    "Team": 6,
}

UNITS = (
    ("Office of the Chief Information Officer", "OCIO"),
    ("Office of the Chief Financial Officer", "OCFO"),
    ("Office of the General Counsel", "OGC"),
    ("Office of Policy and Planning", "OPP"),
    ("Office of the Executive Secretariat", "ES"),
    ("Office of Human Capital", "OHC"),
    ("Office of Procurement Operations", "OPO"),
    ("Office of Security and Emergency Preparedness", "OSEP"),
    ("Office of Legislative Affairs", "OLA"),
    ("Office of Public Affairs", "OPA"),
    ("Office of Inspector General Liaison", "OIGL"),
    ("Privacy Office", "PRIV"),
    ("Records Management Division", "RMD"),
    ("Cybersecurity Division", "CSD"),
    ("Budget Execution Branch", "BEB"),
    ("Data and Analytics Branch", "DAB"),
    ("Grants Management Division", "GMD"),
    ("Field Operations Division", "FOD"),
    ("Enterprise Architecture Branch", "EAB"),
    ("Workforce Planning Branch", "WPB"),
)

# name, abbreviation, type, web domain, street, city, state, postal code
ACCOUNTS = (
    (
        "Department of Homeland Security",
        "DHS",
        AccountType.FEDERAL,
        "dhs.gov",
        "2707 Martin Luther King Jr Ave SE",
        "Washington",
        "DC",
        "20528",
    ),
    (
        "General Services Administration",
        "GSA",
        AccountType.FEDERAL,
        "gsa.gov",
        "1800 F Street NW",
        "Washington",
        "DC",
        "20405",
    ),
    (
        "Office of Management and Budget",
        "OMB",
        AccountType.FEDERAL,
        "whitehouse.gov",
        "725 17th Street NW",
        "Washington",
        "DC",
        "20503",
    ),
    (
        "National Archives and Records Administration",
        "NARA",
        AccountType.FEDERAL,
        "archives.gov",
        "8601 Adelphi Road",
        "College Park",
        "MD",
        "20740",
    ),
    (
        "Office of Personnel Management",
        "OPM",
        AccountType.FEDERAL,
        "opm.gov",
        "1900 E Street NW",
        "Washington",
        "DC",
        "20415",
    ),
    (
        "Cybersecurity and Infrastructure Security Agency",
        "CISA",
        AccountType.FEDERAL,
        "cisa.gov",
        "1110 N Glebe Road",
        "Arlington",
        "VA",
        "22201",
    ),
    (
        "National Institute of Standards and Technology",
        "NIST",
        AccountType.FEDERAL,
        "nist.gov",
        "100 Bureau Drive",
        "Gaithersburg",
        "MD",
        "20899",
    ),
    (
        "Government Accountability Office",
        "GAO",
        AccountType.FEDERAL,
        "gao.gov",
        "441 G Street NW",
        "Washington",
        "DC",
        "20548",
    ),
    (
        "Federal Emergency Management Agency",
        "FEMA",
        AccountType.FEDERAL,
        "fema.gov",
        "500 C Street SW",
        "Washington",
        "DC",
        "20472",
    ),
    (
        "Department of Justice",
        "DOJ",
        AccountType.FEDERAL,
        "justice.gov",
        "950 Pennsylvania Avenue NW",
        "Washington",
        "DC",
        "20530",
    ),
    (
        "Senate Committee on Homeland Security and Governmental Affairs",
        "HSGAC",
        AccountType.OTHER,
        "hsgac.senate.gov",
        "340 Dirksen Senate Office Building",
        "Washington",
        "DC",
        "20510",
    ),
    (
        "House Committee on Oversight and Accountability",
        "COA",
        AccountType.OTHER,
        "oversight.house.gov",
        "2157 Rayburn House Office Building",
        "Washington",
        "DC",
        "20515",
    ),
    (
        "Senate Committee on Appropriations",
        "SAC",
        AccountType.OTHER,
        "appropriations.senate.gov",
        "S-128 The Capitol",
        "Washington",
        "DC",
        "20510",
    ),
    (
        "House Committee on Appropriations",
        "HAC",
        AccountType.OTHER,
        "appropriations.house.gov",
        "H-307 The Capitol",
        "Washington",
        "DC",
        "20515",
    ),
    (
        "Commonwealth of Virginia",
        "VA",
        AccountType.STATE,
        "virginia.gov",
        "1111 East Broad Street",
        "Richmond",
        "VA",
        "23219",
    ),
    (
        "State of Maryland",
        "MD",
        AccountType.STATE,
        "maryland.gov",
        "100 State Circle",
        "Annapolis",
        "MD",
        "21401",
    ),
    (
        "State of Texas",
        "TX",
        AccountType.STATE,
        "texas.gov",
        "1100 San Jacinto Boulevard",
        "Austin",
        "TX",
        "78701",
    ),
    (
        "State of Florida",
        "FL",
        AccountType.STATE,
        "myflorida.com",
        "400 South Monroe Street",
        "Tallahassee",
        "FL",
        "32399",
    ),
    (
        "State of California",
        "CA",
        AccountType.STATE,
        "ca.gov",
        "1021 O Street",
        "Sacramento",
        "CA",
        "95814",
    ),
    (
        "National Governors Association",
        "NGA",
        AccountType.NONPROFIT,
        "nga.org",
        "444 North Capitol Street NW",
        "Washington",
        "DC",
        "20001",
    ),
    (
        "City of Baltimore",
        "",
        AccountType.LOCAL,
        "baltimorecity.gov",
        "100 Holliday Street",
        "Baltimore",
        "MD",
        "21202",
    ),
    (
        "County of Los Angeles",
        "",
        AccountType.LOCAL,
        "lacounty.gov",
        "500 West Temple Street",
        "Los Angeles",
        "CA",
        "90012",
    ),
    (
        "Navajo Nation",
        "",
        AccountType.TRIBAL,
        "navajo-nsn.gov",
        "Highway 264 and Loop Road",
        "Window Rock",
        "AZ",
        "86515",
    ),
    (
        "Cherokee Nation",
        "",
        AccountType.TRIBAL,
        "cherokee.org",
        "17675 South Muskogee Avenue",
        "Tahlequah",
        "OK",
        "74464",
    ),
    (
        "World Health Organization",
        "WHO",
        AccountType.INTERNATIONAL,
        "who.int",
        "Avenue Appia 20",
        "Geneva",
        "",
        "1211",
    ),
    (
        "MITRE Corporation",
        "MITRE",
        AccountType.PRIVATE,
        "mitre.org",
        "7515 Colshire Drive",
        "McLean",
        "VA",
        "22102",
    ),
    (
        "American Red Cross",
        "ARC",
        AccountType.NONPROFIT,
        "redcross.org",
        "431 18th Street NW",
        "Washington",
        "DC",
        "20006",
    ),
    (
        "National Association of Counties",
        "NACo",
        AccountType.NONPROFIT,
        "naco.org",
        "660 North Capitol Street NW",
        "Washington",
        "DC",
        "20001",
    ),
    (
        "University of Maryland",
        "UMD",
        AccountType.ACADEMIC,
        "umd.edu",
        "7999 Regents Drive",
        "College Park",
        "MD",
        "20742",
    ),
    (
        "Georgetown University",
        "",
        AccountType.ACADEMIC,
        "georgetown.edu",
        "3700 O Street NW",
        "Washington",
        "DC",
        "20057",
    ),
)

AGREEMENT_SUBJECTS = (
    "Cybersecurity information sharing",
    "Shared records management services",
    "Emergency response coordination",
    "Data exchange for program evaluation",
    "Joint workforce training program",
    "Cloud hosting services",
    "Research collaboration on AI safety",
    "Grant administration support",
)


class UserFactory(DjangoModelFactory):
    """A sign-in account; the password is :data:`DEFAULT_PASSWORD`."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n:04d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@agency.gov")
    password = factory.django.Password(DEFAULT_PASSWORD)
    is_active = True


class OrganizationUnitTypeFactory(DjangoModelFactory):
    """One of the usual levels; repeated names return the existing type."""

    class Meta:
        model = OrganizationUnitType
        django_get_or_create = ("name",)

    name = texts.cycle(tuple(UNIT_TYPE_LEVELS))
    level = factory.LazyAttribute(lambda o: UNIT_TYPE_LEVELS.get(o.name))


class OrganizationUnitFactory(DjangoModelFactory):
    """An office of the agency; pass ``parent`` to build a tree."""

    class Meta:
        model = OrganizationUnit

    class Params:
        entry = texts.cycle(UNITS)

    name = factory.LazyAttribute(lambda o: o.entry[0])
    abbreviation = factory.LazyAttribute(lambda o: o.entry[1])
    code = factory.Sequence(lambda n: f"U{n:05d}")
    unit_type = factory.SubFactory(OrganizationUnitTypeFactory, name="Office")
    parent = None
    manager = None
    email = factory.LazyAttribute(lambda o: f"{o.code.lower()}-taskers@agency.gov")
    description = factory.LazyAttribute(
        lambda o: texts.UNIT_DESCRIPTIONS.get(o.code, texts.UNIT_DESCRIPTION)
    )
    is_active = True


def _email_local(first, last, n):
    return re.sub(r"[^a-z.]", "", f"{first}.{last}".lower()) + str(n)


class PersonFactory(DjangoModelFactory):
    """An agency employee in a unit of their own (pass ``organization_unit`` to share one)."""

    class Meta:
        model = Person

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttributeSequence(
        lambda o, n: f"{_email_local(o.first_name, o.last_name, n)}@agency.gov"
    )
    phone = factory.Sequence(lambda n: f"202-555-{n % 10000:04d}")
    job_title = factory.Faker(
        "random_element",
        elements=(
            "Program Analyst",
            "Management Analyst",
            "IT Specialist",
            "Attorney-Advisor",
            "Budget Analyst",
            "Policy Advisor",
            "Branch Chief",
            "Records Officer",
        ),
    )
    personnel_type = PersonnelType.EMPLOYEE
    organization_unit = factory.SubFactory(OrganizationUnitFactory)
    account = None
    user = None
    clearance_level = factory.Faker(
        "random_element",
        elements=(
            ClearanceLevel.NONE,
            ClearanceLevel.PUBLIC_TRUST,
            ClearanceLevel.SECRET,
            ClearanceLevel.TOP_SECRET,
        ),
    )
    is_active = True


class AccountFactory(DjangoModelFactory):
    """An outside organisation; names repeat the list with a numbered suffix."""

    class Meta:
        model = Account

    class Params:
        entry = texts.cycle(ACCOUNTS)

    name = texts.numbered(ACCOUNTS, " – Region {}", first=1, index=0)
    abbreviation = factory.LazyAttribute(lambda o: o.entry[1])
    account_type = factory.LazyAttribute(lambda o: o.entry[2])
    website = factory.LazyAttribute(lambda o: f"https://www.{o.entry[3]}")
    email = factory.LazyAttribute(lambda o: f"partnerships@{o.entry[3]}")
    phone = factory.Sequence(lambda n: f"202-555-{(5000 + n) % 10000:04d}")
    street = factory.LazyAttribute(lambda o: o.entry[4])
    city = factory.LazyAttribute(lambda o: o.entry[5])
    state = factory.LazyAttribute(lambda o: o.entry[6])
    postal_code = factory.LazyAttribute(lambda o: o.entry[7])
    country = factory.LazyAttribute(
        lambda o: "Switzerland" if o.entry[2] == AccountType.INTERNATIONAL else "United States"
    )
    description = factory.LazyAttribute(
        lambda o: (
            texts.ACCOUNT_DESCRIPTIONS["legislative"]
            if "Committee" in o.entry[0]
            else texts.ACCOUNT_DESCRIPTIONS.get(o.entry[2], "")
        )
    )
    is_active = True


class ExternalPersonFactory(PersonFactory):
    """A contact at a partner organisation."""

    personnel_type = PersonnelType.EXTERNAL
    organization_unit = None
    account = factory.SubFactory(AccountFactory)
    clearance_level = ""
    email = factory.LazyAttributeSequence(
        lambda o, n: f"{_email_local(o.first_name, o.last_name, n)}@partner.example.org"
    )


class AgreementFactory(DjangoModelFactory):
    """An active MOU led by a unit; pass ``parties=[account, ...]`` to add partners."""

    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    class Params:
        subject = texts.cycle(AGREEMENT_SUBJECTS)

    number = factory.Sequence(lambda n: f"MOU-2026-{n:04d}")
    name = factory.LazyAttribute(lambda o: f"MOU on {o.subject.lower()}")
    agreement_type = AgreementType.MOU
    status = AgreementStatus.ACTIVE
    statement_of_purpose = texts.cycle(texts.AGREEMENT_PURPOSES)
    key_terms = texts.cycle(texts.AGREEMENT_TERMS)
    lead_unit = factory.SubFactory(OrganizationUnitFactory)
    primary_contact = factory.SubFactory(
        PersonFactory, organization_unit=factory.SelfAttribute("..lead_unit")
    )
    effective_date = factory.Sequence(
        lambda n: datetime.date(2025, 10, 1) + datetime.timedelta(days=n % 365)
    )
    expiration_date = factory.LazyAttribute(
        lambda o: o.effective_date + datetime.timedelta(days=3 * 365)
    )
    total_value = factory.Sequence(lambda n: Decimal(50000 + 25000 * (n % 20)))
    is_binding = False
    parent = None

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        if create and extracted:
            self.parties.set(extracted)
