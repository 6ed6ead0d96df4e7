"""A WSGI app that streams slower than a worker may take, for tests/test_production_server.py."""

import time


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/csv")])
    return _rows()


def _rows():
    for number in range(100):
        yield f"row,{number}\n".encode()
        time.sleep(0.1)
