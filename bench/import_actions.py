"""Time a 10,000-row import of executive actions (issue 9): ``manage.py shell`` script.

Usage (any database; the demo data must be loaded with ``manage.py seed_demo``)::

    .venv/bin/python manage.py shell < bench/import_actions.py

Writes ``/tmp/taskers-10000.csv`` (and ``.xlsx``) of new taskers for the demo ``manager``'s
units with ``BAD_ROWS`` deliberately wrong rows, times the preview (validation only) on it,
then fixes the bad rows and times the preview and the confirmed import (one transaction,
numbered, with history). The confirmed import is rolled back at the end unless KEEP=1.
"""

import os
import time

import tablib
from django.contrib.auth.models import User
from django.db import connection, transaction

from actions.resources import ExecutiveActionResource
from execcoord import imports
from partners.access import get_user_scope
from partners.models import OrganizationUnit, Person

ROWS = int(os.environ.get("ROWS", 10_000))
BAD_ROWS = {
    17: ("Lead unit (code)", "NOPE-1"),
    4242: ("Due date", "2026-02-30"),
    9000: ("Priority", "Urgent"),
}


def make_dataset(user, bad=True):
    scope = get_user_scope(user)
    units = list(OrganizationUnit.objects.filter(pk__in=scope.managed_unit_ids).order_by("code"))
    people = {
        u.pk: list(Person.objects.filter(organization_unit=u).values_list("email", flat=True))
        for u in units
    }
    headers = [
        "Number",
        "Title",
        "Type",
        "Status",
        "Priority",
        "Lead unit (code)",
        "Accountable person (e-mail)",
        "Due date",
        "Description",
    ]
    data = tablib.Dataset(headers=headers)
    types = ["Information Request", "Budget Data Call", "Congressional Inquiry", "Security Review"]
    statuses = ["Draft", "Not started", "In progress", "draft"]
    for i in range(ROWS):
        unit = units[i % len(units)]
        person = (people[unit.pk] or [""])[i % max(1, len(people[unit.pk]))]
        status = statuses[i % 4] if person else "Draft"
        row = [
            "",
            f"Legacy tasker {i + 1:05d}",
            types[i % 4],
            status,
            ["Low", "Medium", "High", "critical"][i % 4],
            unit.code,
            person,
            f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "Migrated from the legacy tracker.",
        ]
        data.append(row)
    if bad:
        for index, (header, value) in BAD_ROWS.items():
            if index - 2 >= ROWS:
                continue
            data[index - 2] = [
                value if h == header else v for h, v in zip(headers, data[index - 2], strict=True)
            ]
    return data


def timed(label, fn):
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label}: {elapsed:.1f} s (of which {cpu:.1f} s CPU in this process)")
    return result


user = User.objects.get(username=os.environ.get("IMPORT_USER", "manager"))
print(f"database: {connection.vendor}, rows: {ROWS}")
bad = make_dataset(user)
with open(f"/tmp/taskers-{ROWS}.csv", "wb") as out:
    out.write(imports.write_dataset(bad, "csv"))
with open(f"/tmp/taskers-{ROWS}.xlsx", "wb") as out:
    out.write(imports.write_dataset(bad, "xlsx"))
report = timed(
    "preview with bad rows",
    lambda: imports.run_import(
        ExecutiveActionResource, bad, user, dry_run=True, file_name="taskers.csv"
    ),
)
for row in report.invalid:
    print("  row", row.row, row.errors)
good = make_dataset(user, bad=False)
report = timed(
    "preview, fixed file",
    lambda: imports.run_import(
        ExecutiveActionResource, good, user, dry_run=True, file_name="taskers.csv"
    ),
)
print(f"  to create: {report.new_count}, errors: {report.invalid_count}")
with transaction.atomic():
    report = timed(
        "confirmed import",
        lambda: imports.run_import(
            ExecutiveActionResource, good, user, dry_run=False, file_name="taskers.csv"
        ),
    )
    print(f"  created: {report.new_count}, errors: {report.invalid_count}")
    if os.environ.get("KEEP") != "1":
        transaction.set_rollback(True)
