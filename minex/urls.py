from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .favicon import favicon
from .health import healthz

admin.site.site_header = _("MINEX Forum Portal")
admin.site.site_title = _("MINEX Forum Portal")
admin.site.index_title = _("Secretariat")
# Staff log in through allauth's login page (rate-limited, e-mail verified) instead of the
# admin's own form, which has no rate limit; non-staff users get 403 at the admin.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    # Outside the language prefix: Stripe posts to one fixed address.
    path("", include("billing.providers.urls_webhook")),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain")),
    path("", include("visas.urls_public")),
    # The door's page and its endpoints: outside the language prefix, so the service worker's
    # scope (/staff/checkin/) is one fixed path; the language comes from the staff member's
    # cookie or browser (LocaleMiddleware).
    path("", include("checkin.urls")),
    # Outside the language prefix: clients ask for a language with ?lang= or Accept-Language.
    path("api/", include("api.urls")),
]

urlpatterns += i18n_patterns(
    # The secretariat's migration-service lists (admin pages outside a ModelAdmin): before
    # the admin, whose catch-all would take them.
    path("admin/visas/petitions/", include("visas.urls_petition")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("privacy/", include("legal.urls")),
    path("", include("events.urls")),
    path("", include("registrations.urls")),
    path("", include("privacy.urls")),
    path("", include("exports.urls")),
    path("", include("visas.urls")),
    path("", include("visas.urls_letters")),
    path("", include("billing.urls")),
    path("", include("billing.urls_documents")),
    path("", include("billing.providers.urls")),
    path("", include("badges.urls")),
    path("", include("delegations.urls")),
    path("", include("addons.urls")),
    path("", include("mailings.urls")),
    prefix_default_language=True,
)

handler400 = "minex.errors.bad_request"
handler404 = "minex.errors.page_not_found"
handler500 = "minex.errors.server_error"

if settings.DEBUG:
    # Django's own 404/500 handlers are bypassed in DEBUG; keep a way to see our pages.
    urlpatterns += [
        path("__errors__/404", TemplateView.as_view(template_name="404.html")),
        path("__errors__/500", TemplateView.as_view(template_name="500.html")),
    ]
