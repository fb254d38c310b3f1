"""Import through the one write policy (issue 13): every row is asked ``policy.may`` and the
field rules, workflow facts never come from a file, status moves go through the status
machine, and no import overwrites a change made after the file was exported."""

import pytest
from django.db import transaction

from actions.models import ExecutiveAction
from analysis.models import RiskItem
from execcoord.history import StaleRows, bulk_update_with_history
from execcoord.models import StaleEdit
from partners.models import Account
from tests.factories.actions import ExecutiveActionFactory
from tests.factories.analysis import RiskItemFactory
from tests.factories.partners import AccountFactory

# --- the bulk path is compare-and-swap too -------------------------------------------------

BULK_CASES = [
    (AccountFactory, Account, "city", "Annapolis"),
    (RiskItemFactory, RiskItem, "mitigation_plan", "Hedge"),
    (ExecutiveActionFactory, ExecutiveAction, "notes", "Bulk note"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("factory", "model", "name", "value"), BULK_CASES)
def test_a_bulk_update_grows_every_version_and_its_history_carries_it(factory, model, name, value):
    records = factory.create_batch(2)
    read = {r.pk: r.version for r in records}
    for record in records:
        setattr(record, name, value)
    bulk_update_with_history(records, [name], reason="Bulk")
    for record in model.objects.filter(pk__in=read):
        assert record.version == read[record.pk] + 1
        latest = record.history.first()
        assert (latest.version, latest.history_change_reason) == (record.version, "Bulk")


@pytest.mark.django_db
@pytest.mark.parametrize(("factory", "model", "name", "value"), BULK_CASES)
def test_a_bulk_update_writes_nothing_when_a_row_was_saved_since_it_was_read(
    factory, model, name, value
):
    mine, theirs = factory.create_batch(2)
    meanwhile = model.objects.get(pk=theirs.pk)
    meanwhile.save()  # someone else saves it after this code read it
    setattr(mine, name, value)
    setattr(theirs, name, value)
    with pytest.raises(StaleRows) as refused:
        bulk_update_with_history([mine, theirs], [name])
    assert refused.value.instances == [theirs]
    assert getattr(model.objects.get(pk=mine.pk), name) != value
    assert model.objects.get(pk=theirs.pk).version == meanwhile.version
    assert (mine.version, theirs.version) == (
        model.objects.get(pk=mine.pk).version,
        meanwhile.version - 1,
    )


@pytest.mark.django_db
def test_a_save_of_a_record_changed_since_it_was_read_raises_stale_edit():
    mine = AccountFactory(city="Baltimore")
    theirs = Account.objects.get(pk=mine.pk)
    theirs.city = "Annapolis"
    theirs.save()
    mine.city = "Mine"
    with pytest.raises(StaleEdit), transaction.atomic():
        mine.save()
    assert mine.version == theirs.version - 1  # still the version it was read at
    assert Account.objects.get(pk=mine.pk).city == "Annapolis"
