"""Date formats of the app in English (Django format strings), set once for every page,
table, panel, timeline, history, e-mail and the admin: "15 Jan 2027", "15 Jan 2027 14:05".

Input formats are Django's own (ISO first), so date pickers and imports keep reading
``2027-01-15``.
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
