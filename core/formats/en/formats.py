# The portal's one way of writing dates and times (settings.FORMAT_MODULE_PATH), in the
# reader's time zone: {{ value|date }} and {{ value }} in templates, and
# core.tables.datetime_text(value) in Python.
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i T"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
