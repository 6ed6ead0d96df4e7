from tests.url_cases import ADMIN_ONLY, Case


def objects(enterprise, admin_user, general_user):
    return {}


CASES = {
    "audit:audit_log": Case(allowed=ADMIN_ONLY),
}
