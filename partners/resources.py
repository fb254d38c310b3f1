"""Import/export columns of the partners reference data (issue 9).

Natural keys: a unit by its code, a person by e-mail, an account by its name, a unit type by
its name. Units are matched and referenced by code, so a parent must come before its
children in the file (or exist already).
"""

from execcoord.db.trees import subtree_q
from execcoord.imports import ACTIVE, VERSION, BaseResource, Column, KeyMap, register

from .models import Account, OrganizationUnit, OrganizationUnitType, Person

UNIT = KeyMap(OrganizationUnit, lambda unit: unit.code, "unit code")
UNIT_TYPE = KeyMap(OrganizationUnitType, lambda kind: kind.name, "unit type")
PERSON = KeyMap(Person, lambda person: person.email, "person e-mail")
ACCOUNT = KeyMap(Account, lambda account: account.name, "partner account")


def own_unit_code(user):
    """The code of the importer's unit (else of the first unit they may see): a template's
    example row names a unit that exists, so the untouched template imports."""
    from .access import get_user_scope

    units = OrganizationUnit.objects.visible_to(user) if user is not None else None
    if units is None:
        return ""
    unit_id = get_user_scope(user).unit_id
    code = units.filter(pk=unit_id).values_list("code", flat=True).first() if unit_id else None
    return code or units.order_by("path").values_list("code", flat=True).first() or ""


@register("organization-units")
class OrganizationUnitResource(BaseResource):
    """Organization units, matched by code; parent by code, manager by e-mail."""

    help_text = "Matched by Code. A parent unit must be listed before its sub-units."
    key = UNIT
    columns = [
        Column("code", "Code", required=True, example="OCIO-EA"),
        Column("name", "Name", required=True, example="Enterprise Architecture Division"),
        Column("abbreviation", "Abbreviation", example="EAD"),
        Column("unit_type", "Unit type", UNIT_TYPE, example=""),
        Column("parent", "Parent unit (code)", UNIT, example=own_unit_code),
        Column("manager", "Manager (e-mail)", PERSON, example=""),
        Column("email", "E-mail", example="ead@agency.example.gov"),
        Column("description", "Description"),
        Column("is_secretariat", "Executive secretariat", example="No"),
        ACTIVE,
        VERSION,
    ]

    def save_instance(self, instance, is_create, row, **kwargs):
        """A moved unit moves its sub-units (path, depth and version): the loaded ones follow,
        so a later row for one of them is matched against what is stored, at the version
        it had when the import started."""
        super().save_instance(instance, is_create, row, **kwargs)
        if is_create or instance._import_stored.path == instance.path:
            return
        moved = (
            OrganizationUnit._base_manager.filter(subtree_q([instance.path]))
            .exclude(pk=instance.pk)
            .values_list("pk", "path", "depth", "version")
        )
        for pk, path, depth, version in moved:
            unit = self.key.by_pk.get(pk)
            if unit is not None:
                unit.__dict__.setdefault("_import_version_at_start", unit.version)
                unit.path, unit.depth, unit.version = path, depth, version


@register("people")
class PersonResource(BaseResource):
    """People, matched by e-mail; unit by code, account by name."""

    help_text = "Matched by E-mail. Sign-in accounts are linked in the admin, not imported."
    key = PERSON
    columns = [
        Column("email", "E-mail", required=True, example="jane.doe@agency.example.gov"),
        Column("first_name", "First name", required=True, example="Jane"),
        Column("last_name", "Last name", required=True, example="Doe"),
        Column("phone", "Phone", example="202-555-0100"),
        Column("job_title", "Job title", example="Program analyst"),
        Column("personnel_type", "Personnel type", example="Employee"),
        Column("organization_unit", "Unit (code)", UNIT, example=own_unit_code),
        Column("account", "Account (name)", ACCOUNT),
        Column("clearance_level", "Clearance level", example="Public Trust"),
        ACTIVE,
        VERSION,
    ]


@register("partner-accounts")
class AccountResource(BaseResource):
    """Partner accounts (agencies, governments, organisations), matched by name."""

    title = "Partner accounts"
    help_text = "Matched by Name."
    key = ACCOUNT
    columns = [
        Column("name", "Name", required=True, example="Department of Energy"),
        Column("abbreviation", "Abbreviation", example="DOE"),
        Column("account_type", "Account type", example="Federal agency"),
        Column("website", "Website", example="https://www.energy.gov"),
        Column("email", "E-mail"),
        Column("phone", "Phone"),
        Column("street", "Street"),
        Column("city", "City", example="Washington"),
        Column("state", "State", example="DC"),
        Column("postal_code", "Postal code"),
        Column("country", "Country", example="United States"),
        Column("description", "Description"),
        ACTIVE,
        VERSION,
    ]
