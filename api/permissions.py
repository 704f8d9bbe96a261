"""What a token may do: its scopes, checked against what its user may still do today."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .models import ApiToken, Scope
from .services import scopes_allowed


class HasScope(permissions.BasePermission):
    """The view's `required_scopes` (per action: `{"list": Scope.READ_REGISTRATIONS, …}`)
    must be among the token's scopes and among those its user may hold now (a secretariat
    member moved to the organisers loses the write scopes of tokens made before)."""

    message = _("This API key does not allow this.")

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        required = view.required_scope()
        return required in token.scopes and required in scopes_allowed(request.user)


def scope_for(action: str) -> str:
    return {
        "check_in": Scope.WRITE_CHECK_INS,
        "create": Scope.WRITE_REGISTRATIONS,
        "approve": Scope.WRITE_REGISTRATIONS,
        "reject": Scope.WRITE_REGISTRATIONS,
        "cancel": Scope.WRITE_REGISTRATIONS,
    }.get(action, Scope.READ_REGISTRATIONS)
