"""Reading what the portal sends for download, in tests."""

import csv
import io


def csv_rows(response):
    """The rows of a (streamed) CSV response, as lists of cells."""
    content = response.streaming_content if response.streaming else [response.content]
    return list(csv.reader(io.StringIO(b"".join(content).decode())))
