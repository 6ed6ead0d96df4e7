from .htmx import wants_modal
from .navigation import menu_for


def navigation(request):
    """The left-side menu and the layout a page extends: a full page or a pop-up."""
    context = {
        "modal_or_page": "components/modal.html" if wants_modal(request) else "layouts/app.html"
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.enterprise_id is not None:
        context.update(menu=menu_for(user, request.path), enterprise=user.enterprise)
    return context
