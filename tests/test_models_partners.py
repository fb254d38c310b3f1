"""Models of the partners app: units and their tree, people, accounts, agreements."""

import datetime
from decimal import Decimal

import factory.random
import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from actions.demo.partners import (
    AccountFactory,
    AgreementFactory,
    ExternalPersonFactory,
    OrganizationUnitFactory,
    OrganizationUnitTypeFactory,
    PersonFactory,
    UserFactory,
)
from partners.choices import PersonnelType
from partners.models import Account, Agreement, OrganizationUnit, Person, path_segment
from tests.conftest import assert_database_refuses, clean_error

pytestmark = pytest.mark.django_db


def unit(code, parent=None, **kwargs):
    """A unit with an explicit code (and name) so assertions do not depend on factories."""
    return OrganizationUnitFactory(code=code, name=f"Unit {code}", parent=parent, **kwargs)


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


# --- unit types -------------------------------------------------------------------------


def test_unit_type_name_is_unique():
    OrganizationUnitTypeFactory(name="Division")
    division = OrganizationUnitTypeFactory.build(name="Division", level=4)
    assert "name" in clean_error(division).message_dict


def test_deleting_a_unit_type_keeps_its_units():
    office = OrganizationUnitTypeFactory(name="Office")
    ocio = unit("OCIO", unit_type=office)
    office.delete()
    ocio.refresh_from_db()
    assert ocio.unit_type is None


# --- units and the tree -----------------------------------------------------------------


def test_unit_round_trips_with_its_path():
    root = unit("ROOT", abbreviation="OCIO")
    child = unit("CHILD", parent=root, abbreviation="")
    root.refresh_from_db()
    child.refresh_from_db()
    assert root.path == path_segment(root.pk) == f"{root.pk:010d}/"
    assert root.depth == 0
    assert child.path == f"{root.pk:010d}/{child.pk:010d}/"
    assert child.depth == 1
    assert str(root) == "OCIO — Unit ROOT"
    assert str(child) == "Unit CHILD"


def test_unit_creation_records_one_history_row_with_the_path():
    root = unit("ROOT")
    rows = list(root.history.all())
    assert [row.history_type for row in rows] == ["+"]
    assert rows[0].path == root.path
    assert rows[0].depth == 0


def test_unit_with_explicit_pk_gets_its_path():
    root = unit("ROOT", pk=5_000_001)
    ten = unit("TEN", pk=50_000_010, parent=root)
    assert ten.path == "0005000001/0050000010/"


def test_unit_code_is_unique():
    unit("OCIO")
    again = OrganizationUnitFactory.build(code="OCIO", unit_type=None)
    assert "code" in clean_error(again).message_dict


def test_unit_cannot_be_its_own_parent():
    root = unit("ROOT")
    root.parent = root
    assert "under itself" in clean_error(root).message_dict["parent"][0]


def test_unit_cannot_move_under_its_own_descendant():
    root = unit("ROOT")
    grandchild = unit("GC", parent=unit("CHILD", parent=root))
    root.parent = grandchild
    with pytest.raises(ValidationError):
        root.full_clean()
    with pytest.raises(ValidationError):
        root.save()  # save() refuses too: paths would otherwise loop
    root.refresh_from_db()
    assert root.parent is None


def test_subtree_returns_exactly_the_units_and_their_descendants():
    # Explicit ids far above the sequence: unpadded, "5000001" would prefix "50000010".
    a = unit("A", pk=5_000_001)
    b = unit("B", parent=a)
    c = unit("C", parent=b)
    d = unit("D", parent=a)
    e = unit("E", pk=50_000_010)
    f = unit("F", parent=e)

    assert ids(OrganizationUnit.objects.subtree(a)) == {a.pk, b.pk, c.pk, d.pk}
    assert ids(OrganizationUnit.objects.subtree([b, e])) == {b.pk, c.pk, e.pk, f.pk}
    assert ids(OrganizationUnit.objects.subtree([b.pk, c.pk])) == {b.pk, c.pk}
    assert ids(OrganizationUnit.objects.subtree(OrganizationUnit.objects.filter(pk=d.pk))) == {d.pk}
    assert ids(OrganizationUnit.objects.subtree([])) == set()
    assert ids(b.get_descendants()) == {b.pk, c.pk}
    assert ids(b.get_descendants(include_self=False)) == {c.pk}
    assert list(c.get_ancestors()) == [a, b]
    assert a.is_ancestor_of(c) and not c.is_ancestor_of(a) and not a.is_ancestor_of(a)


def test_moving_a_unit_rewrites_descendant_paths_and_records_history():
    a = unit("A")
    b = unit("B", parent=a)
    c = unit("C", parent=b)
    d = unit("D")

    b.parent = d
    b.full_clean()
    b.save()

    b.refresh_from_db()
    c.refresh_from_db()
    assert b.path == f"{d.pk:010d}/{b.pk:010d}/"
    assert c.path == f"{d.pk:010d}/{b.pk:010d}/{c.pk:010d}/"
    assert (b.depth, c.depth) == (1, 2)
    assert ids(OrganizationUnit.objects.subtree(a)) == {a.pk}
    assert ids(OrganizationUnit.objects.subtree(d)) == {d.pk, b.pk, c.pk}

    latest = c.history.first()
    assert latest.history_type == "~"
    assert latest.path == c.path
    assert latest.history_change_reason == "Moved with B"
    assert c.history.count() == 2


def test_moving_a_unit_to_the_root():
    a = unit("A")
    b = unit("B", parent=a)
    c = unit("C", parent=b)
    b.parent = None
    b.save()
    c.refresh_from_db()
    assert c.path == f"{b.pk:010d}/{c.pk:010d}/"
    assert c.depth == 1


def test_saving_other_fields_keeps_the_path():
    a = unit("A")
    b = unit("B", parent=a)
    b.name = "Renamed"
    b.save(update_fields=["name"])
    b.refresh_from_db()
    assert b.path == f"{a.pk:010d}/{b.pk:010d}/"


def test_deleting_a_unit_with_people_keeps_the_people():
    ocio = unit("OCIO")
    person = PersonFactory(organization_unit=ocio, email="jane.doe@agency.gov")
    ocio.delete()
    person.refresh_from_db()
    assert person.organization_unit is None
    assert Person.objects.filter(email="jane.doe@agency.gov").exists()


def test_deleting_a_unit_with_sub_units_is_protected():
    root = unit("ROOT")
    child = unit("CHILD", parent=root)
    with pytest.raises(ProtectedError) as error:
        root.delete()
    assert set(error.value.protected_objects) == {child}


def test_deleting_a_manager_leaves_the_unit_without_manager():
    boss = PersonFactory(organization_unit=None)
    ocio = unit("OCIO", manager=boss)
    boss.delete()
    ocio.refresh_from_db()
    assert ocio.manager is None


# --- people -----------------------------------------------------------------------------


def test_person_round_trips():
    ocio = unit("OCIO")
    person = PersonFactory(
        first_name="Ada",
        last_name="Lovelace",
        email="Ada.Lovelace@Agency.gov",
        organization_unit=ocio,
    )
    person.refresh_from_db()
    assert str(person) == "Lovelace, Ada"
    assert person.full_name == "Ada Lovelace"
    assert person.email == "ada.lovelace@agency.gov"
    assert list(ocio.people.all()) == [person]
    assert person.get_choice_color("personnel_type") == "primary"


def test_person_email_is_unique_regardless_of_case():
    PersonFactory(email="ada@agency.gov", organization_unit=None)
    duplicate = PersonFactory.build(email="ADA@agency.gov", organization_unit=None)
    assert "email" in clean_error(duplicate).message_dict


def test_deleting_a_user_unlinks_the_person():
    user = UserFactory(username="ada")
    person = PersonFactory(user=user, organization_unit=None)
    assert user.person == person
    user.delete()
    person.refresh_from_db()
    assert person.user is None


def test_partner_contact_belongs_to_an_account_and_survives_its_deletion():
    contact = ExternalPersonFactory(account=AccountFactory(name="State of Maryland"))
    account = contact.account
    assert contact.personnel_type == PersonnelType.EXTERNAL
    assert list(account.contacts.all()) == [contact]
    account.delete()
    contact.refresh_from_db()
    assert contact.account is None


# --- accounts ---------------------------------------------------------------------------


def test_account_name_is_unique():
    AccountFactory(name="General Services Administration")
    again = AccountFactory.build(name="General Services Administration")
    assert "name" in clean_error(again).message_dict


# --- agreements -------------------------------------------------------------------------


def test_agreement_round_trips_with_parties():
    dhs = AccountFactory(name="Department of Homeland Security")
    gsa = AccountFactory(name="General Services Administration")
    agreement = AgreementFactory(number="IAA-2026-0001", name="Cloud hosting", parties=[dhs, gsa])
    agreement.full_clean()
    agreement.refresh_from_db()
    assert str(agreement) == "IAA-2026-0001 — Cloud hosting"
    assert set(agreement.parties.all()) == {dhs, gsa}
    assert list(dhs.agreements.all()) == [agreement]
    assert list(agreement.lead_unit.led_agreements.all()) == [agreement]
    assert list(agreement.primary_contact.agreements_as_contact.all()) == [agreement]


def test_agreement_cannot_expire_before_it_takes_effect():
    agreement = AgreementFactory.build(
        lead_unit=None,
        primary_contact=None,
        effective_date=datetime.date(2026, 3, 1),
        expiration_date=datetime.date(2026, 2, 28),
    )
    error = clean_error(agreement)
    assert "The expiration date cannot be before the effective date." in error.messages
    assert_database_refuses(agreement)


def test_agreement_value_cannot_be_negative():
    agreement = AgreementFactory.build(
        lead_unit=None, primary_contact=None, total_value=Decimal("-1.00")
    )
    assert "The total value cannot be negative." in clean_error(agreement).messages


def test_agreement_number_is_unique_but_optional():
    AgreementFactory(number="MOU-1")
    again = AgreementFactory.build(number="MOU-1", lead_unit=None, primary_contact=None)
    assert "Another agreement already has this number." in clean_error(again).messages
    AgreementFactory(number="")
    unnumbered = AgreementFactory.build(number="", lead_unit=None, primary_contact=None)
    unnumbered.full_clean()
    unnumbered.save()
    assert Agreement.objects.filter(number="").count() == 2


def test_agreement_amendment_cannot_amend_itself_in_a_loop():
    base = AgreementFactory()
    amendment = AgreementFactory(parent=base)
    assert list(base.amendments.all()) == [amendment]
    base.parent = amendment
    assert "parent" in clean_error(base).message_dict


def test_deleting_an_agreement_keeps_its_amendments():
    base = AgreementFactory()
    amendment = AgreementFactory(parent=base)
    base.delete()
    amendment.refresh_from_db()
    assert amendment.parent is None


# --- factories --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "factory_class",
    [
        OrganizationUnitTypeFactory,
        OrganizationUnitFactory,
        PersonFactory,
        ExternalPersonFactory,
        AccountFactory,
        AgreementFactory,
    ],
)
def test_factories_make_valid_records(factory_class):
    for record in factory_class.create_batch(3):
        record.full_clean()


def test_factories_are_deterministic_when_seeded():
    factory.random.reseed_random(7)
    first = PersonFactory.build(organization_unit=None)
    factory.random.reseed_random(7)
    second = PersonFactory.build(organization_unit=None)
    assert (first.first_name, first.last_name, first.clearance_level) == (
        second.first_name,
        second.last_name,
        second.clearance_level,
    )


def test_user_factory_sets_a_usable_password():
    user = UserFactory(username="bob")
    assert user.check_password("correct-horse-battery-staple-42")
    assert Account.objects.count() == 0
