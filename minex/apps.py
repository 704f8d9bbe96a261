from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin, with `admin.site` being our MinexAdminSite."""

    default_site = "minex.admin_site.MinexAdminSite"
