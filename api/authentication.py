"""Who calls the API: `Authorization: Bearer mx_…`, a token made in the admin."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import services


class TokenAuthentication(authentication.BaseAuthentication):
    """A live token of an active staff member; `request.auth` is the `ApiToken`.

    No header: anonymous (public endpoints answer, the rest say 401). A header with an
    unknown, revoked or malformed key: 401 at once, never anonymous, so a partner whose key
    was revoked learns it from the first request.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give one API key after “Bearer”."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from None
        token = services.token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid or was revoked."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This API key's user is deactivated."))
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the schema (and Swagger UI's "Authorize") describes the token."""

    target_class = "api.authentication.TokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key made in the admin (mx_…).",
        }
