"""The admin site every ModelAdmin is registered on (Django's `admin.site` points here through
minex.apps.AdminConfig), with the rules that hold for all of them."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


class ValidSelectionMixin:
    """Refuse an action whose selected ids are not ids of this model with a translated 400.

    Django filters the changelist by `pk__in=<the posted ids>`, so "abc" (a tampered form, a
    scanner) would otherwise end as a 500 when the action runs. Nothing is changed.
    """

    def response_action(self, request, queryset):
        pk_field = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                if pk_field.to_python(value) is None:  # "" for an integer key
                    raise ValidationError("empty")
        except ValidationError:
            reason = _(
                "The items chosen for this action are not valid, so nothing was changed. "
                "Go back to the list and choose them again."
            )
            return render(request, "400.html", {"reason": reason}, status=400)
        return super().response_action(request, queryset)


# Apps listed under another app's section on the index, in the sidebar and on the app's
# page: the people side (users, their e-mail addresses, the groups that are the roles) is
# one section, named alike in minex/apps.py.
SECTION_OF = {"auth": "accounts", "account": "accounts"}


class MinexAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        """Django's list with the apps of `SECTION_OF` merged into their section's entry."""
        if app_label is None:
            app_dict = self._build_app_dict(request)
        else:
            section = SECTION_OF.get(app_label, app_label)
            labels = [section, *(label for label, to in SECTION_OF.items() if to == section)]
            app_dict = {}
            for label in labels:
                app_dict.update(self._build_app_dict(request, label))
        sections = {}
        # The section's own app first, so its entry (name, URL) heads the merged one.
        for label, app in sorted(app_dict.items(), key=lambda item: item[0] in SECTION_OF):
            section = SECTION_OF.get(label, label)
            if section in sections:
                sections[section]["models"].extend(app["models"])
            else:
                sections[section] = app
        app_list = sorted(sections.values(), key=lambda app: str(app["name"]).lower())
        for app in app_list:
            app["models"].sort(key=lambda model: str(model["name"]))
        return app_list

    def register(self, model_or_iterable, admin_class=None, **options):
        """Register as Django does, with ValidSelectionMixin added to the ModelAdmin class, so
        the rule also holds for third-party admins (auth's groups, allauth's addresses)."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ValidSelectionMixin):
            admin_class = type(
                admin_class.__name__,
                (ValidSelectionMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
