"""Reading uploaded files (CSV in UTF-8, UTF-8 with BOM or Windows-1252, and .xlsx) into
datasets, and writing datasets and templates back out."""

import csv
import datetime
import io
import os
import zipfile

import tablib
from django.conf import settings

from execcoord.imports.cells import _text

ALLOWED_EXTENSIONS = (".csv", ".xlsx")


class ImportFileError(Exception):
    """The file cannot be read as a table; ``str(error)`` says why in plain words."""


def read_upload(name, data, resource_class):
    """Read an uploaded file into a ``tablib.Dataset``, or raise :class:`ImportFileError`.

    The content decides how the file is read, the name only what the user meant: a
    workbook saved with a ``.csv`` name is read as the workbook it is, and a PDF, an
    archive, an old ``.xls`` or random bytes are named as such. The dataset carries
    ``sheet_rows`` (the spreadsheet row of each data row, blank rows counted, so messages
    name the rows the user sees) and ``notes`` (what the reader did that the user should
    know, such as filling merged cells).

    Args:
        name: the file name (its extension must be .csv or .xlsx).
        data: the file's bytes.
        resource_class: the resource, for the expected and required columns.
    """
    ext = os.path.splitext(name or "")[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ImportFileError(f"“{name}” is not a CSV or Excel file: upload a .csv or .xlsx file.")
    limit = settings.IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ImportFileError(
            f"The file is {_mb(len(data))}; files may be at most {_mb(limit)}. "
            "Split it into smaller files."
        )
    if not data.strip():
        raise ImportFileError("The file is empty.")
    kind = _sniff(data)
    if kind in FOREIGN_FORMATS:
        raise ImportFileError(FOREIGN_FORMATS[kind])
    if kind == "zip" or ext == ".xlsx":
        dataset = _read_xlsx(data)
    else:
        dataset = _read_csv(data)
    headers = [_text(h) for h in (dataset.headers or [])]
    if not any(headers):
        raise ImportFileError("The file has no header row.")
    if len(dataset) == 0:
        raise ImportFileError("The file has a header row but no data rows.")
    dataset.headers = _match_headers(headers, resource_class.headers())
    unknown = [h for h in dataset.headers if h and h not in resource_class.headers()]
    if unknown:
        raise ImportFileError(
            "The file has column(s) this import does not know: "
            + ", ".join(f"“{h[:60]}”" for h in unknown[:10])
            + ". Rename or remove them (the template lists the expected headers)."
        )
    missing = [h for h in resource_class.required_headers() if h not in dataset.headers]
    if missing:
        raise ImportFileError(
            "The file lacks the required column(s): "
            + ", ".join(f"“{h}”" for h in missing)
            + ". Download the template to see the expected headers."
        )
    return dataset


# What a file that is not a table is, by its first bytes, and what to tell its uploader.
FOREIGN_FORMATS = {
    "pdf": "This file is a PDF document, not a spreadsheet: export the table from the "
    "program that made it as CSV or Excel (.xlsx).",
    "gzip": "This file is compressed (gzip): unpack it and upload the CSV or Excel file inside.",
    "ole": "This is an old-style Excel (.xls) or other Office file: open it in Excel and save "
    "it as an Excel workbook (.xlsx) or as CSV.",
    "binary": "This file holds binary data, not text: it is not a CSV file. Save the "
    "spreadsheet as CSV (UTF-8) or as an Excel workbook (.xlsx).",
}
_MAGIC = (
    (b"%PDF", "pdf"),
    (b"\x1f\x8b", "gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"PK\x03\x04", "zip"),
)


def _sniff(data):
    """``zip`` (a workbook, or an archive), a key of ``FOREIGN_FORMATS``, or ``text``."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with a byte-order mark ("Unicode text" from Excel)
    sample = data[:8192]
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    if controls > 2 + len(sample) // 100:  # a stray NUL in a cell is the cell's problem
        return "binary"
    return "text"


def _mb(size):
    return f"{size / (1024 * 1024):.1f} MB"


def _match_headers(headers, expected):
    """Headers as the resource spells them, whatever the case and surrounding spaces."""
    by_lower = {h.lower(): h for h in expected}
    return [by_lower.get(h.lower(), h) for h in headers]


def decode_csv(data):
    """CSV text from bytes: UTF-16 with a byte-order mark, UTF-8 (with or without BOM),
    else Windows-1252 (what Excel writes for "CSV" in the United States)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ImportFileError("This file is damaged: it is not valid UTF-16 text.") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _new_dataset(header):
    dataset = tablib.Dataset(headers=header)
    dataset.sheet_rows = []
    dataset.notes = []
    return dataset


def _read_csv(data):
    """Rows of a CSV file; blank lines are skipped but counted, so row numbers stay the
    spreadsheet's. Any line ending is read (Windows, Unix, and the old Mac's CR alone)."""
    text = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=None), dialect)
    dataset, width = None, 0
    try:
        for number, row in enumerate(reader, 1):
            if not any(c.strip() for c in row):
                continue
            if dataset is None:
                dataset, width = _new_dataset(row), len(row)
                continue
            if len(row) > width and any(c.strip() for c in row[width:]):
                raise ImportFileError(
                    f"Row {number} has more cells than the header row has columns."
                )
            dataset.append((row + [""] * width)[:width])
            dataset.sheet_rows.append(number)
    except csv.Error as error:
        raise ImportFileError(
            f"Row {reader.line_num} cannot be read as CSV ({error}). Save the spreadsheet as "
            "CSV again, or upload it as an Excel workbook (.xlsx)."
        ) from error
    if dataset is None:
        raise ImportFileError("The file is empty.")
    return dataset


def _read_xlsx(data):
    """Rows of the first sheet of a workbook, numbered as in Excel; merged cells are filled
    from their first cell when they join rows of one column, and refused otherwise."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        merged = _merged_ranges(data, getattr(sheet, "_worksheet_path", ""))
        rows = list(enumerate(sheet.iter_rows(values_only=True), 1))
        workbook.close()
    except ImportFileError:
        raise
    except Exception as error:  # noqa: BLE001 - a damaged workbook fails in many ways
        raise ImportFileError(
            "This file could not be read as an Excel (.xlsx) workbook: it may be damaged, "
            "protected with a password, or another kind of file. Open it in Excel and save "
            "it again as .xlsx, or save it as CSV."
        ) from error
    rows = [(n, list(row)) for n, row in rows if any(_text(c) for c in row)]
    if not rows:
        raise ImportFileError("The file is empty.")
    header_row, header = rows[0]
    while header and not _text(header[-1]):
        header = header[:-1]
    width = len(header)
    values = {n: row for n, row in rows}
    notes = _fill_merged(merged, values, header_row)
    dataset = _new_dataset([_text(h) for h in header])
    dataset.notes = notes
    for number in sorted(values):
        row = values[number]
        if number > header_row and any(_text(c) for c in row):
            dataset.append((row + [None] * width)[:width])
            dataset.sheet_rows.append(number)
    return dataset


def _merged_ranges(data, sheet_path):
    """The merged ranges (``B3:B5``) of a sheet, read from its XML (openpyxl's read-only
    mode, which keeps memory flat on large files, does not report them)."""
    from xml.etree.ElementTree import iterparse

    if not sheet_path:
        return []
    ranges = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        with archive.open(sheet_path.lstrip("/")) as xml:
            for _, element in iterparse(xml):
                if element.tag.endswith("}mergeCell") and element.get("ref"):
                    ranges.append(element.get("ref"))
                element.clear()
    return ranges


def _fill_merged(ranges, values, header_row):
    """Fill each merged range down one column from its first cell; refuse the others.

    Returns:
        The notes telling the user which rows took which value.
    """
    from openpyxl.utils.cell import range_boundaries

    notes, refused = [], []
    for ref in ranges:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if min_row <= header_row <= max_row:
            refused.append(f"{ref} (in the header row)")
            continue
        if min_col != max_col:
            refused.append(ref)
            continue
        anchor = values.get(min_row, [])
        value = anchor[min_col - 1] if len(anchor) >= min_col else None
        for number in range(min_row + 1, max_row + 1):
            row = values.setdefault(number, [])
            row.extend([None] * (min_col - len(row)))
            row[min_col - 1] = value
        if _text(value):
            notes.append(
                f"Cells {ref} are merged: rows {min_row + 1}–{max_row} took "
                f"“{_text(value)[:60]}” from row {min_row}."
            )
    if refused:
        raise ImportFileError(
            "The workbook has merged cells the import cannot split: "
            + ", ".join(refused[:10])
            + ". Unmerge them (Home › Merge & Center) so each column of each row has its own "
            "value, then upload the file again."
        )
    return notes


def write_dataset(dataset, fmt):
    """Bytes of ``dataset`` as ``csv`` (UTF-8 with BOM, so Excel reads accents) or ``xlsx``.

    The workbook's cells keep their types: a date is a date cell, a number a number cell
    (Excel sorts and sums them), and its sheet is named after the records.
    """
    if fmt == "xlsx":
        return _xlsx_bytes(dataset)
    return ("\ufeff" + dataset.export("csv")).encode("utf-8")


def _xlsx_bytes(dataset):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(dataset.title or "Records"))
    bold = Font(bold=True)
    header = []
    for text in dataset.headers or []:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in dataset:
        sheet.append([_xlsx_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value):
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


def sheet_title(text):
    """An Excel sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(text)).strip()
    return (cleaned or "Records")[:31]


def template_dataset(resource_class, user=None):
    """The headers and one example row of a resource (values that import for ``user``),
    titled after its records."""
    return tablib.Dataset(
        resource_class.example_row(user),
        headers=resource_class.headers(user),
        title=str(resource_class.title or resource_class.model_label()).capitalize(),
    )
