"""Audit actions: dotted names that each app declares, with the words the audit log shows.

    INVITED = declare("accounts.user.invited", "User invited")

A new action needs no migration: the audit log stores the name and shows the declared words.
"""

_labels: dict[str, str] = {}


def declare(code, label):
    """Declare an action; return its code for the app to record it with."""
    parts = code.split(".")
    if len(parts) < 3 or not all(parts):
        raise ValueError(f"An audit action is app.object.verb, not {code!r}.")
    if code in _labels:
        raise ValueError(f"The audit action {code} is declared twice.")
    _labels[code] = label
    return code


def label_for(code):
    """The words for an action; an action no app declares any more shows its name."""
    return _labels.get(code, code)


def choices():
    """(code, label) pairs sorted by label, for filters."""
    return sorted(_labels.items(), key=lambda item: item[1].lower())


def is_declared(code):
    return code in _labels
