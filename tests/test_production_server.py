"""The production web server: a response cut by the worker timeout is an error for the client.

gunicorn's sync worker is stopped after --timeout seconds, also in the middle of a streamed
response. Streamed downloads are short (core/exports.py writes long ones from a job), and they
carry no Content-Length, so HTTP/1.1 sends them chunked: a cut-off stream lacks its last chunk
and the client reports an incomplete download instead of saving a silently truncated file.
"""

import http.client
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def _timeouts():
    dockerfile = (ROOT / "Dockerfile").read_text()
    compose = (ROOT / "docker-compose.yml").read_text()
    return (
        int(re.search(r'"--timeout", "(\d+)"', dockerfile).group(1)),
        int(re.search(r"gunicorn portal\.wsgi .*--timeout (\d+)", compose).group(1)),
    )


def test_both_deployments_give_workers_the_same_generous_timeout():
    dockerfile, compose = _timeouts()
    assert dockerfile == compose >= 60


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def slow_server():
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [
            *(sys.executable, "-m", "gunicorn", "tests.slow_stream:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "1"),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_stream_cut_by_the_worker_timeout_is_an_error_for_the_client(slow_server):
    connection = http.client.HTTPConnection("127.0.0.1", slow_server, timeout=20)
    connection.request("GET", "/")
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Transfer-Encoding") == "chunked"
    with pytest.raises(http.client.IncompleteRead):
        response.read()


@pytest.mark.django_db
def test_streamed_csv_downloads_carry_no_content_length(admin_client):
    response = admin_client.get(reverse("audit:audit_log"), {"format": "csv"})
    assert response.streaming
    assert not response.has_header("Content-Length")
