"""The cell values every part of an import shares: stripped text and the separators."""

FORMULA_PREFIXES = ("=", "+", "-", "@")
SEPARATOR = "; "


def _text(value):
    """The cell as stripped text ('' for an empty cell); numbers from Excel without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def sheet_row(row_number, dataset=None):
    """The spreadsheet row of data row ``row_number`` (1-based): the row the reader found
    it in (blank rows counted), else the header is row 1 and data follow without gaps."""
    rows = getattr(dataset, "sheet_rows", None)
    if rows and row_number and 0 < row_number <= len(rows):
        return rows[row_number - 1]
    return (row_number or 0) + 1
