"""Generic pages of the partners models: one registration each, by convention."""

from execcoord.registry import app_registrar

from . import filtersets, forms, tables
from .models import Account, Agreement, OrganizationUnit, OrganizationUnitType, Person

register_model = app_registrar(tables, filtersets, forms, menu_group="Partners")
for model in (OrganizationUnit, Person, Account, Agreement, OrganizationUnitType):
    register_model(model)
