"""App configurations of the admin and of the third-party apps it lists.

The admin's index and sidebar list one section per app, headed by the app's verbose name.
Our `accounts` app (users), allauth's `account` (e-mail addresses) and Django's `auth`
(groups: the Secretariat and Organiser roles) are one subject for the people running the
portal, so they share one name and `MinexAdminSite.get_app_list` lists them as one section
(allauth's own name, "Accounts", was our app's name too: the index showed it twice).
"""

from allauth.account.apps import AccountConfig as AllauthAccountConfigBase
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.auth.apps import AuthConfig as DjangoAuthConfig
from django.utils.translation import gettext_lazy as _

USERS_AND_ROLES = _("Users and roles")


class AdminConfig(DjangoAdminConfig):
    """Django's admin, with `admin.site` being our MinexAdminSite."""

    default_site = "minex.admin_site.MinexAdminSite"


class AuthConfig(DjangoAuthConfig):
    """django.contrib.auth (groups, permissions), named as in the admin's people section."""

    verbose_name = USERS_AND_ROLES


class AllauthAccountConfig(AllauthAccountConfigBase):
    """allauth.account (e-mail addresses), named as in the admin's people section."""

    verbose_name = USERS_AND_ROLES
