"""Running an import (all or nothing) and turning its result into a report in plain words."""

from dataclasses import asdict, dataclass, field, fields

from django.db import InterfaceError, OperationalError

from execcoord.imports.cells import _text, sheet_row

PREVIEW_ROWS = 20
MAX_LISTED_ERRORS = 500


@dataclass
class RowReport:
    """One row of the preview: its spreadsheet row, key, and errors by column."""

    row: int
    key: str
    errors: list = field(default_factory=list)  # [(column header or "", message)]


@dataclass
class ImportReport:
    """Counts and sample rows of an import (a preview or a committed one)."""

    total: int = 0
    new: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0
    invalid: list = field(default_factory=list)
    new_count: int = 0
    update_count: int = 0
    invalid_count: int = 0
    pks: list = field(default_factory=list)  # the file's records, once imported
    notes: list = field(default_factory=list)  # what the reader did (merged cells filled)

    @property
    def has_errors(self):
        return self.invalid_count > 0

    def to_json(self):
        """The report as JSON-ready data (a background import keeps it on its run); keys
        and messages become text."""
        data = asdict(self)
        for name in ROW_LISTS:
            data[name] = [
                {
                    **row,
                    "key": str(row["key"]),
                    "errors": [[str(c), str(m)] for c, m in row["errors"]],
                }
                for row in data[name]
            ]
        data["notes"] = [str(note) for note in self.notes]
        return data

    @classmethod
    def from_json(cls, data):
        """The report of :meth:`to_json`'s data (a field it lacks keeps its default)."""
        known = {f.name for f in fields(cls)}
        values = {name: value for name, value in data.items() if name in known}
        for name in ROW_LISTS:
            values[name] = [
                RowReport(r["row"], r["key"], [tuple(e) for e in r["errors"]])
                for r in values.get(name, [])
            ]
        return cls(**values)


# the report's lists of rows (the others are counts, ids and notes)
ROW_LISTS = ("new", "updated", "invalid")


def run_import(resource_class, dataset, user, *, dry_run, file_name=""):
    """Import ``dataset`` as ``user``; with ``dry_run`` nothing is kept.

    All or nothing: the whole file runs in one transaction, rolled back on a dry run or on
    any error in any row.

    Returns:
        An :class:`ImportReport`.
    """
    from django.db import transaction

    resource = resource_class(user=user)
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=user,
            file_name=file_name,
        )
        report = summarize(resource, dataset, result)
        if dry_run or report.has_errors:
            transaction.set_rollback(True)
        else:
            instances = getattr(resource, "row_instances", ())
            report.pks = list(dict.fromkeys(i.pk for i in instances if i.pk is not None))
    return report


class DatabaseUnavailable(Exception):
    """The database failed during an import (not the file): nothing was written, and the
    user should try again rather than edit the spreadsheet."""

    CAUSES = (OperationalError, InterfaceError)

    def __str__(self):
        return (
            "The database did not answer while the file was being imported, so nothing was "
            "imported. The file is fine: try again in a minute, and tell your administrator "
            "if it keeps happening."
        )


def summarize(resource, dataset, result):
    """Turn import-export's result into an :class:`ImportReport` with plain messages."""
    headers = {name: f.column_name for name, f in resource.fields.items()}
    key_header = resource.key_header()
    key_index = dataset.headers.index(key_header) if key_header in dataset.headers else None
    label_index = _label_index(resource, dataset)
    report = ImportReport(total=len(dataset))
    report.notes = list(getattr(dataset, "notes", ()))

    def key_of(number):
        values = dataset[number - 1]
        parts = [_text(values[i]) for i in (key_index, label_index) if i is not None]
        return " — ".join(p for p in dict.fromkeys(parts) if p)

    for number, row_result in enumerate(result.rows, 1):
        kind = row_result.import_type
        if kind == "new":
            report.new_count += 1
            if len(report.new) < PREVIEW_ROWS:
                report.new.append(RowReport(sheet_row(number, dataset), key_of(number)))
        elif kind == "update":
            report.update_count += 1
            if len(report.updated) < PREVIEW_ROWS:
                report.updated.append(RowReport(sheet_row(number, dataset), key_of(number)))
        elif kind == "skip":
            report.unchanged += 1
    for invalid in result.invalid_rows:
        report.invalid_count += 1
        if len(report.invalid) >= MAX_LISTED_ERRORS:
            continue
        messages = []
        for name, errors in invalid.error.message_dict.items():
            column = headers.get(name, "" if name == "__all__" else name)
            messages += [(column, m) for m in errors]
        report.invalid.append(
            RowReport(sheet_row(invalid.number, dataset), key_of(invalid.number), messages)
        )
    for number, errors in result.row_errors():
        for error in errors:
            if isinstance(error.error, DatabaseUnavailable.CAUSES):
                raise DatabaseUnavailable from error.error
        report.invalid_count += 1
        if len(report.invalid) < MAX_LISTED_ERRORS:
            report.invalid.append(
                RowReport(
                    sheet_row(number, dataset),
                    key_of(number),
                    [("", f"This row could not be saved: {e.error}") for e in errors],
                )
            )
    for error in result.base_errors:
        if isinstance(error.error, DatabaseUnavailable.CAUSES):
            raise DatabaseUnavailable from error.error
        report.invalid_count += 1
        report.invalid.append(RowReport(0, "", [("", str(error.error))]))
    report.invalid.sort(key=lambda r: r.row)
    return report


def _label_index(resource, dataset):
    for header in ("Title", "Name", "Last name"):
        if header in dataset.headers:
            return dataset.headers.index(header)
    return None
