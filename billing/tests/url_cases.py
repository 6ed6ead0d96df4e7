from tests.url_cases import Case


def objects(enterprise, admin_user, general_user):
    return {}


CASES = {
    "billing:analytics": Case(),
    # The records themselves are for Billing, Administrators and Read Only users.
    "billing:records": Case(allowed={"general": 403}),
}
