import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from minex.ratelimit import limit_posts_per_user

from . import selectors, services
from .forms import DeleteAccountForm


@login_required
def my_data(request):
    """Everything the portal holds about the delegate, readable."""
    return render(
        request,
        "privacy/my_data.html",
        {"sections": selectors.personal_data_sections(request.user)},
    )


@login_required
def my_data_download(request):
    """The same as a JSON file (the portable copy)."""
    body = json.dumps(
        selectors.personal_data(request.user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"minex-my-data-{timezone.now():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts_per_user("delegate_forms")
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.delete_account(request.user)
            except services.PrivacyError as refusal:
                form.add_error(None, refusal.message)
            else:
                logout(request)
                messages.success(request, _("Your account has been deleted."))
                return redirect("account_deleted")
    return render(request, "privacy/delete_account.html", {"form": form}, status=status)


def account_deleted(request):
    return render(request, "privacy/account_deleted.html")
