"""The secretariat's view of delegations (read-only: changes go through the registrations'
own admin and services), the protocol-rank list, sponsor packages with used and unused
places, and the VIP list export. Everything scoped by `events_visible_to`."""

from django.contrib import admin
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from addons.models import AddOn
from events.selectors import events_visible_to
from registrations.models import DelegateCategory

from . import exports, services
from .models import (
    Delegation,
    DelegationMember,
    Package,
    PackageAddOn,
    PackagePasses,
    PackageSlot,
    ProtocolRank,
)


@admin.register(ProtocolRank)
class ProtocolRankAdmin(TranslationAdmin):
    list_display = ("name", "order", "is_vip")
    list_editable = ("order", "is_vip")
    ordering = ("order", "pk")

    def has_delete_permission(self, request, obj=None):
        return False


class DelegationMemberInline(admin.TabularInline):
    model = DelegationMember
    fields = ("position", "rank", "registration", "person", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("position", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("registration", "rank")

    @admin.display(description=_("name"))
    def person(self, member):
        return member.registration.full_name

    @admin.display(description=_("status"))
    def status(self, member):
        return member.registration.get_status_display()

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("name", "event", "focal_point", "member_count", "created_at")
    list_select_related = ("event", "focal_point")
    list_filter = (("event", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "focal_point__email")
    readonly_fields = ("event", "name", "focal_point", "created_at", "vip_list_link")
    inlines = [DelegationMemberInline]
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(event__in=events_visible_to(request.user))
            .annotate(member_count=Count("members"))
        )

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, delegation):
        return delegation.member_count

    @admin.display(description=_("VIP list"))
    def vip_list_link(self, delegation):
        url = reverse("admin:delegations_vip_list", args=[delegation.event_id])
        return format_html('<a href="{}">{}</a>', url, _("VIP list of this event (CSV)"))

    def get_urls(self):
        return [
            path(
                "vip-list/<int:event_id>/",
                self.admin_site.admin_view(self.vip_list_view),
                name="delegations_vip_list",
            ),
            *super().get_urls(),
        ]

    def vip_list_view(self, request, event_id):
        if not self.has_view_permission(request):
            raise Http404
        event = get_object_or_404(events_visible_to(request.user), pk=event_id)
        response = HttpResponse(exports.vip_list_csv(event), content_type="text/csv")
        filename = f"vip-list-{slugify(event.slug)}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PackagePassesInline(admin.TabularInline):
    model = PackagePasses
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = DelegateCategory.objects.filter(
                event__in=events_visible_to(request.user)
            ).select_related("event")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PackageAddOnInline(admin.TabularInline):
    """The package's add-on places (Gold: 2 gala places), each with how many its contact
    has given (`PackageSlot.add_on`) and how many are left."""

    model = PackageAddOn
    fields = ("add_on", "count", "used", "unused")
    readonly_fields = ("used", "unused")
    extra = 1

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("add_on")
            .annotate(
                used_count=Count("package__slots", filter=Q(package__slots__add_on=F("add_on")))
            )
        )

    @admin.display(description=_("used"))
    def used(self, place):
        return getattr(place, "used_count", 0) if place.pk else "—"

    @admin.display(description=_("unused"))
    def unused(self, place):
        return max(place.count - getattr(place, "used_count", 0), 0) if place.pk else "—"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "add_on":
            kwargs["queryset"] = AddOn.objects.filter(
                event__in=events_visible_to(request.user)
            ).select_related("event")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PackageSlotInline(admin.TabularInline):
    model = PackageSlot
    fields = ("position", "category", "registration", "add_on", "filled_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = ("sponsor", "name", "event", "contact", "cutoff", "used", "unused",
                    "add_on_places_used", "add_on_places_unused", "code")  # fmt: skip
    readonly_fields = ("code",)
    list_select_related = ("event", "contact", "code")
    list_filter = (("event", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("sponsor", "name", "contact__email")
    raw_id_fields = ("contact",)
    inlines = [PackagePassesInline, PackageAddOnInline, PackageSlotInline]
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(event__in=events_visible_to(request.user))
            .annotate(
                slot_count=Count("slots"),
                used_count=Count("slots", filter=Q(slots__registration__isnull=False)),
                # Subqueries: joining the add-on places next to the slots would multiply rows.
                add_on_place_total=Subquery(
                    PackageAddOn.objects.filter(package=OuterRef("pk"))
                    .values("package")
                    .annotate(total=Sum("count"))
                    .values("total")
                ),
                add_on_places_given=Subquery(
                    PackageSlot.objects.filter(package=OuterRef("pk"), add_on__isnull=False)
                    .values("package")
                    .annotate(given=Count("pk"))
                    .values("given")
                ),
            )
        )

    @admin.display(description=_("add-on places used"))
    def add_on_places_used(self, package):
        return package.add_on_places_given or 0

    @admin.display(description=_("add-on places unused"))
    def add_on_places_unused(self, package):
        return (package.add_on_place_total or 0) - (package.add_on_places_given or 0)

    @admin.display(description=_("used"))
    def used(self, package):
        return package.used_count

    @admin.display(description=_("unused"))
    def unused(self, package):
        return package.slot_count - package.used_count

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = events_visible_to(request.user).order_by("-start_date")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.sync_package_slots(form.instance, acting_user=request.user)

    def has_delete_permission(self, request, obj=None):
        return False
