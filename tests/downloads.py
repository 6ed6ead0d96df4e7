"""Reading what the portal sends for download, in tests, as the server sends it."""

import csv
import io

from .scopes import as_a_server


def body(response):
    """The bytes of a response; a streamed body is read with no scope, as the server reads it.

    The server iterates a streamed body after the view, and TenantMiddleware, have returned:
    whatever the body queries must run in the scope the response itself carries.
    """
    if not response.streaming:
        return response.content
    with as_a_server():
        return b"".join(response.streaming_content)


def csv_rows(response):
    """The rows of a (streamed) CSV response, as lists of cells."""
    return list(csv.reader(io.StringIO(body(response).decode())))
