from django.contrib import admin

VIEW_BILLING = "billing.view_billing"


def may_see_billing(request) -> bool:
    return request.user.is_active and request.user.has_perm(VIEW_BILLING)


class BillingAdminMixin:
    """Every billing page needs `billing.view_billing` on top of the model permission."""

    def has_module_permission(self, request):
        return may_see_billing(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return may_see_billing(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return may_see_billing(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return may_see_billing(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return may_see_billing(request) and super().has_delete_permission(request, obj)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
