"""Scopes in tests: what runs as a server or a worker runs starts with no scope at all.

A request, the iteration of a streamed body and a job start in production with no scope
active; each must enter its own. Tests wrap them in `as_a_server()`, which hides whatever scope
the test itself is in (`scopes_disabled()` for setting up rows, or `acme_scope`), so a view,
a streamed body or a job that forgets its scope fails its test instead of borrowing the test's.
"""

from core.tenancy import no_enterprise_scope as as_a_server

__all__ = ["as_a_server"]
