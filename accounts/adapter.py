"""django-allauth hooks. Its e-mails go through the outbox instead of SMTP inside the request."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext

from mail.services import queue_rendered_email
from minex.client_address import client_ip

# allauth's messages (65.x) that carry a credential: whoever reads one can set the account's
# password, confirm its address or sign in as its owner. Any message whose context holds a
# key, a code, an activation URL or a token counts too, so a template a later allauth adds
# with one of them is kept secret without anyone remembering to list it here.
CREDENTIAL_TEMPLATES = frozenset(
    {
        "account/email/email_confirmation",
        "account/email/email_confirmation_signup",
        "account/email/login_code",
        "account/email/password_reset_code",
        "account/email/password_reset_key",
    }
)
CREDENTIAL_CONTEXT_KEYS = frozenset({"key", "code", "activate_url", "token"})


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """The address allauth's rate limits (failed logins, sign-ups, resets) count by: the
        client behind the trusted proxies, not the proxy (minex/client_address.py)."""
        address = client_ip(request)
        if not address:
            raise PermissionDenied
        return address

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's message in the recipient's language and queue it in the outbox.

        allauth's default sends synchronously, so a slow or unreachable SMTP server would hold
        (or fail) the sign-up or password-reset request. Here the message becomes an outbox row
        and the delivery task sends it after the request's transaction commits. The kind is
        "account." plus the template's name, e.g. "account.password_reset_key". A message that
        carries a credential (a reset link, a confirmation key, a sign-in code) is queued as
        secret: the outbox admin never shows it, and its body is wiped once delivered.
        """
        language = _recipient_language(context) or translation.get_language()
        with translation.override(language):
            # The same context allauth's own send_mail builds, rendered by its own templates.
            request = allauth_context.request
            message = self.render_mail(
                template_prefix,
                email,
                {
                    "request": request,
                    "email": email,
                    "current_site": portal_site(),
                    **context,
                },
            )
        alternatives = getattr(message, "alternatives", [])
        html = next((content for content, mimetype in alternatives if mimetype == "text/html"), "")
        if message.content_subtype == "html":  # allauth found only an HTML template
            body_text, html = "", message.body
        else:
            body_text = message.body
        queue_rendered_email(
            to=email,
            language=language,
            kind="account." + template_prefix.rsplit("/", 1)[-1],
            subject=message.subject,
            body_text=body_text,
            body_html=html,
            related=context.get("user"),
            secret=carries_credential(template_prefix, context),
        )


@dataclass(frozen=True)
class PortalSite:
    """What allauth's templates read from `current_site` (`name`, `domain`)."""

    name: str
    domain: str


def portal_site() -> PortalSite:
    """The portal as allauth's e-mails name it ("Hello from …", "Thank you for using …").

    Without django.contrib.sites, allauth's default is the request's host ("127.0.0.1:8100"
    behind a proxy or in development): the portal's name in the active language and the host
    of SITE_URL say who writes instead.
    """
    return PortalSite(name=gettext("MINEX Forum Portal"), domain=urlsplit(settings.SITE_URL).netloc)


def carries_credential(template_prefix: str, context: dict) -> bool:
    """True for an allauth message that lets its reader act as the account's owner."""
    return template_prefix in CREDENTIAL_TEMPLATES or not CREDENTIAL_CONTEXT_KEYS.isdisjoint(
        context
    )


def _recipient_language(context: dict) -> str:
    # A delegate who chose a language gets account mail in it; otherwise the request's language
    # (allauth sends while handling that person's request). getattr's default also covers a
    # user without a profile: Django's missing-related-object error is an AttributeError.
    profile = getattr(context.get("user"), "delegate_profile", None)
    return getattr(profile, "preferred_language", "") or ""
