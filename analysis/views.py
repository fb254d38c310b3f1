"""Generic pages of the analysis models: one registration each, by convention."""

from execcoord.registry import app_registrar

from . import filtersets, forms, tables
from .models import Analysis, Impact, LegalAuthority, RiskItem

register_model = app_registrar(tables, filtersets, forms, menu_group="Analysis")
for model in (LegalAuthority, Analysis, Impact, RiskItem):
    register_model(model)
