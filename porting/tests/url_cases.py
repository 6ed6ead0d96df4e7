from porting.tests.factories import draft_order, port_list
from tests.url_cases import Case


def objects(enterprise, admin_user, general_user):
    draft = draft_order(general_user)
    numbers = port_list(general_user, ["+13037474100", "3037474101"])
    return {
        "draft": {"public_id": draft.public_id},
        "list": {"public_id": numbers.public_id},
    }


# Read Only users see port orders (View Orders) but place none.
CASES = {
    "porting:add": Case(allowed={"read_only": 403}),
    "porting:edit": Case(kwargs="draft", allowed={"read_only": 403}),
    "porting:review": Case(kwargs="list", allowed={"read_only": 403}),
    "porting:review_download": Case(kwargs="list", allowed={"read_only": 403}),
}
