"""Import and export of records from spreadsheets (issue 9), on django-import-export.

The generic part, one module per concern:

- ``widgets``: references resolved by natural key (never by database id), choice labels or
  slugs, and bad values explained in plain words;
- ``resource``: the base resource, whose rows match existing records by natural key and
  whose lookups are loaded once per import;
- ``registry``: the resources each domain app registers from its ``resources.py``;
- ``files``: reading uploaded files (CSV in UTF-8, UTF-8 with BOM or Windows-1252, and
  .xlsx) and writing datasets and templates;
- ``reports``: running an import, all or nothing, and its report in plain words;
- ``admin``: Django admin's import/export buttons on the same resources;
- ``cells``: the cell helpers they share.

The names other code uses are re-exported here (``from execcoord import imports``,
``imports.read_upload``). This package imports no domain app: resources register themselves
(``register``) and are found by :func:`load_resources`, which imports ``<app>.resources`` of
every project app.

Rules every resource follows:

- Columns have human headers; a reference column names the key it expects ("Lead unit
  (code)"). Choice columns export the label and accept the label or the stored value, in any
  letter case. Many-valued columns separate values with ``;``.
- A row matches an existing record by the natural key (``key_field``); a row whose key is
  unknown creates a record. Lookups only see what ``visible_to(user)`` lets the user see.
- An unchanged row is skipped: it writes nothing and no history row.
- Every row asks the one write policy (``execcoord.policy``), as a form does: a new row
  ``may(user, "add", …)``, a row that changes a record ``may(user, "change", …)``. A column
  for a field the user may not set on that row (``writable_fields``: workflow facts, fields
  of someone else's workflow) is refused, naming the column, when its value differs from the
  stored one (for a new record: from its initial value), and ignored when it does not. An
  empty cell of a new record leaves the field at its initial value.
- A row that changes a record must carry the record's ``Version`` as exported: a missing or
  older one refuses the row, naming who changed the record and when, so re-importing an old
  file never undoes a newer edit. The writes are compare-and-swap as well (``save()``,
  ``bulk_update_with_history``): a record saved while the file is imported refuses its row.
- Errors are collected per row and column; the caller imports nothing when there is any.
"""

from execcoord.imports.admin import admin_mixin
from execcoord.imports.cells import SEPARATOR, _text, sheet_row
from execcoord.imports.files import (
    ALLOWED_EXTENSIONS,
    ImportFileError,
    _mb,
    decode_csv,
    read_upload,
    sheet_title,
    template_dataset,
    write_dataset,
)
from execcoord.imports.registry import (
    all_resources,
    get_resource,
    importable_by,
    load_resources,
    register,
)
from execcoord.imports.reports import (
    MAX_LISTED_ERRORS,
    PREVIEW_ROWS,
    DatabaseUnavailable,
    ImportReport,
    RowReport,
    run_import,
    summarize,
)
from execcoord.imports.resource import (
    ACTIVE,
    VERSION,
    BaseResource,
    Column,
    KeyLoader,
    changed_since_message,
)
from execcoord.imports.widgets import (
    ChoiceWidget,
    DateWidget,
    KeyMap,
    KeysWidget,
    KeyWidget,
    NumberWidget,
    TextWidget,
    YesNoWidget,
)

__all__ = [
    "ALLOWED_EXTENSIONS",
    "MAX_LISTED_ERRORS",
    "PREVIEW_ROWS",
    "SEPARATOR",
    "ACTIVE",
    "VERSION",
    "BaseResource",
    "ChoiceWidget",
    "Column",
    "DatabaseUnavailable",
    "DateWidget",
    "ImportFileError",
    "ImportReport",
    "KeyLoader",
    "KeyMap",
    "KeyWidget",
    "KeysWidget",
    "NumberWidget",
    "RowReport",
    "TextWidget",
    "YesNoWidget",
    "_mb",
    "_text",
    "admin_mixin",
    "all_resources",
    "changed_since_message",
    "decode_csv",
    "get_resource",
    "importable_by",
    "load_resources",
    "read_upload",
    "register",
    "run_import",
    "sheet_row",
    "sheet_title",
    "summarize",
    "template_dataset",
    "write_dataset",
]
