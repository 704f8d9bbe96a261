"""The unsubscribe page: one signed link per person, no login (RFC 8058 one-click too)."""

from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import NewsConsentChange
from accounts.services import set_news_consent

from .tokens import read_unsubscribe_token


@csrf_exempt  # mail programs post the one-click request without a form token; the link's
# signature is what authorises it (RFC 8058), and it can only ever withdraw consent.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a confirmation button (link checkers and previews fetch links: a GET never
    changes anything); POST withdraws the consent to news: from the button, or from the mail
    program's one-click request (body ``List-Unsubscribe=One-Click``). A forged or altered
    link is a translated 400 and changes nothing."""
    user_id = read_unsubscribe_token(token)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        return render(
            request,
            "400.html",
            {"reason": _("This unsubscribe link is not valid. Nothing was changed.")},
            status=400,
        )
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        source = (
            NewsConsentChange.Source.ONE_CLICK
            if one_click
            else NewsConsentChange.Source.UNSUBSCRIBE_LINK
        )
        set_news_consent(user, False, source=source)
        return render(request, "mailings/unsubscribed.html", {"email": user.email})
    return render(request, "mailings/unsubscribe.html", {"email": user.email})
