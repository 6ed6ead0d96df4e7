from tests.url_cases import Case


def objects(enterprise, admin_user, general_user):
    return {}


CASES = {
    "support:help": Case(),
    "support:contact": Case(),
}
