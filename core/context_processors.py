from .htmx import wants_modal
from .navigation import menu_for, sidebar_html


def navigation(request):
    """The left-side menu and the layout a page extends: a full page or a pop-up."""
    context = {
        "modal_or_page": "components/modal.html" if wants_modal(request) else "layouts/app.html"
    }
    enterprise = getattr(request, "enterprise", None)
    if enterprise is not None:
        menu = menu_for(request.user, request.path, getattr(request, "menu_entry", None))
        context.update(menu=menu, sidebar=sidebar_html(menu), enterprise=enterprise)
    return context
