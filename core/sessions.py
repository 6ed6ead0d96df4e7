"""Idle sessions: pushed forward at most once a minute, not written on every request."""

import time

# How often (in seconds) a request in an active session saves it with a new expiry.
TOUCH_EVERY = 60


class SessionTouchMiddleware:
    """Save a signed-in session with a fresh expiry when it was last saved a minute ago or more.

    With SESSION_SAVE_EVERY_REQUEST off, this keeps the idle timeout (SESSION_COOKIE_AGE)
    working while most requests write nothing; the timeout is exact to within a minute.
    Place it after SessionMiddleware, so that its change is saved on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or session.is_empty():
            return response
        now = int(time.time())
        if now - session.get("_touched_at", 0) >= TOUCH_EVERY:
            session["_touched_at"] = now
        return response
