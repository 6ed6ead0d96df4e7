"""The endpoint the mail server posts reply e-mails to (support.inbound does the work).

POST /support/inbound-mail/ with the raw RFC 822 message as the body and the header
X-Support-Inbound-Secret: SUPPORT_INBOUND_SECRET. No session, no CSRF token: the shared secret
is the proof. The answer's status tells the mail server what to do, the body says why:
200 taken (added, or added already), 406 refused for good (bounce it: staff have a copy),
413 too large (bounce it); anything else (403 a wrong secret, 5xx) is to be tried again later.
"""

import hmac

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import inbound

SHARED_KEY_HEADER = "X-Support-Inbound-Secret"


def _answer(status, text):
    return HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def inbound_mail(request):
    secret = settings.SUPPORT_INBOUND_SECRET
    given = request.headers.get(SHARED_KEY_HEADER, "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return _answer(403, "wrong or missing secret")
    limit = settings.SUPPORT_INBOUND_MAX_BYTES
    # Read from the stream: request.body would stop at the limit of form posts instead.
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return _answer(413, f"refused: the message is larger than {limit} bytes")
    if not raw.strip():
        return _answer(406, "refused: empty message")
    outcome = inbound.receive(raw)
    if outcome.accepted:
        return _answer(200, outcome.reason)
    return _answer(406, f"refused: {outcome.reason}")
