def objects(enterprise, admin_user, general_user):
    return {}


CASES = {}
