"""The back-office roles: which permissions each staff group holds.

Permissions are created by Django after `migrate` (post_migrate), not inside a migration, so
the groups are set up by a command run after it (`manage.py setup_roles`, idempotent). The
definitions live here, beside the registrations they are about (permissions are named by
string, so no app is imported; exports' log permission included).

Which forums a member sees is not a permission: superusers and holders of
`events.view_all_forums` (the Secretariat) see all; everyone else sees the forums they are an
organiser of (`Forum.organisers`, see `events.selectors.events_visible_to`).
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SECRETARIAT = "Secretariat"
ORGANISER = "Organiser"
CHECKIN_STAFF = "Check-in staff"

ROLE_DESCRIPTIONS = {
    SECRETARIAT: _(
        "Runs every forum: events, categories and capacity; all registrations (approve, "
        "reject, promote, cancel, check in, resend e-mails, register on a delegate's behalf, "
        "correct details); the outbox."
    ),
    ORGANISER: _(
        "Reads the registrations, dashboards and exports of the forums they are an organiser "
        "of; changes nothing."
    ),
    CHECKIN_STAFF: _(
        "Checks badges at the doors of the forums they are assigned to (as organisers): the "
        "check-in page only, no admin, no exports."
    ),
}

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    SECRETARIAT: (
        "events.view_all_forums",
        "events.view_forum",
        "events.add_forum",
        "events.change_forum",
        "events.view_event",
        "events.add_event",
        "events.change_event",
        "registrations.view_delegatecategory",
        "registrations.add_delegatecategory",
        "registrations.change_delegatecategory",
        "registrations.view_registration",
        "registrations.add_registration",
        "registrations.change_registration",
        "registrations.view_registrationhistory",
        "mail.view_outgoingemail",
        "mail.change_outgoingemail",
        "exports.view_exportlog",
        # Invoices, credit notes and payments (billing/): organisers see totals only, on the
        # dashboard.
        "billing.view_billing",
        "billing.view_issuingentity",
        "billing.add_issuingentity",
        "billing.change_issuingentity",
        "billing.view_bankaccount",
        "billing.add_bankaccount",
        "billing.change_bankaccount",
        "billing.delete_bankaccount",
        "billing.view_eventbilling",
        "billing.add_eventbilling",
        "billing.change_eventbilling",
        "billing.view_eventissuer",
        "billing.add_eventissuer",
        "billing.change_eventissuer",
        "billing.delete_eventissuer",
        "billing.view_invoice",
        "billing.view_payment",
        "billing.add_payment",
        # Invitation and discount codes, their batches and uses, sector rates and group
        # discounts (pricing/); organisers see only the prices on registrations.
        "pricing.view_code",
        "pricing.add_code",
        "pricing.change_code",
        "pricing.view_codebatch",
        "pricing.add_codebatch",
        "pricing.view_codeuse",
        "pricing.view_sectorrate",
        "pricing.add_sectorrate",
        "pricing.change_sectorrate",
        "pricing.delete_sectorrate",
        "pricing.view_groupdiscount",
        "pricing.add_groupdiscount",
        "pricing.change_groupdiscount",
        "pricing.delete_groupdiscount",
        "pricing.view_eventpricing",
        "pricing.add_eventpricing",
        "pricing.change_eventpricing",
        # Badges: designs, printing (and reissuing lost ones), the print log and batches.
        "badges.view_badge",
        "badges.print_badges",
        "badges.view_badgedesign",
        "badges.add_badgedesign",
        "badges.change_badgedesign",
        "badges.view_badgecategorycolour",
        "badges.add_badgecategorycolour",
        "badges.change_badgecategorycolour",
        "badges.delete_badgecategorycolour",
        "badges.view_badgeprint",
        "badges.view_badgebatch",
        # Passport names, nationality, phone, dietary and accessibility needs: organisers
        # do not see them in exports or the admin.
        "accounts.view_special_personal_data",
        # Visa invitation letters: the requests (changed only through their buttons), the
        # passport data in them (every view logged), the log itself, each event's policy.
        "visas.view_visarequest",
        "visas.change_visarequest",
        "visas.view_passport_data",
        "visas.view_passportdataaccess",
        "visas.view_visapolicy",
        "visas.add_visapolicy",
        "visas.change_visapolicy",
        "delegations.view_protocolrank",
        "delegations.add_protocolrank",
        "delegations.change_protocolrank",
        "delegations.view_delegation",
        "delegations.view_delegationmember",
        "delegations.view_package",
        "delegations.add_package",
        "delegations.change_package",
        "delegations.view_packagepasses",
        "delegations.add_packagepasses",
        "delegations.change_packagepasses",
        "delegations.delete_packagepasses",
        "delegations.view_packageaddon",
        "delegations.add_packageaddon",
        "delegations.change_packageaddon",
        "delegations.delete_packageaddon",
        "delegations.view_packageslot",
        # Add-ons (gala dinner, site visit, …): their places, bookings and manifests.
        "addons.view_addon",
        "addons.add_addon",
        "addons.change_addon",
        "addons.view_addonbooking",
        "addons.change_addonbooking",
        # The doors (checkin/): the check-in page, its zones and the scans' record.
        "checkin.scan_badges",
        "checkin.view_zone",
        "checkin.add_zone",
        "checkin.change_zone",
        "checkin.view_scan",
        # Mailings (write, test, send) and each event's reminders; the addresses the mail
        # server refused (deleting one makes it deliverable again).
        "mailings.view_mailing",
        "mailings.add_mailing",
        "mailings.change_mailing",
        "mailings.delete_mailing",
        "mailings.send_mailing",
        "mailings.view_eventreminder",
        "mailings.add_eventreminder",
        "mailings.change_eventreminder",
        "mailings.delete_eventreminder",
        "mail.view_undeliverableaddress",
        "mail.delete_undeliverableaddress",
    ),
    ORGANISER: (
        "events.view_forum",
        "events.view_event",
        "registrations.view_delegatecategory",
        # Also what the staff dashboard and exports ask for (exports.selectors).
        "registrations.view_registration",
        "registrations.view_registrationhistory",
        # The export log in the admin, scoped to their forums like everything else.
        "exports.view_exportlog",
        # Who asked for a visa letter and its status; never the passport data.
        "visas.view_visarequest",
        # Who comes in which delegation, and the VIP list by protocol rank.
        "delegations.view_delegation",
        "delegations.view_delegationmember",
        # Add-ons with their used/left/waitlist counts and the manifests (without the
        # passport names and nationalities).
        "addons.view_addon",
        "addons.view_addonbooking",
    ),
    # The door: scanning badges and nothing else (not even the admin's lists). Which events
    # they see is their forum assignment (`Forum.organisers`), as for organisers.
    CHECKIN_STAFF: ("checkin.scan_badges",),
}


def _permissions(names: tuple[str, ...]) -> list[Permission]:
    query = Q()
    for name in names:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query).select_related("content_type"))
    missing = set(names) - {f"{p.content_type.app_label}.{p.codename}" for p in found}
    if missing:
        raise LookupError(
            f"Permissions not found (run migrate first): {', '.join(sorted(missing))}"
        )
    return found


@transaction.atomic
def set_up_roles() -> dict[str, bool]:
    """Create the groups if needed and give each exactly its permissions (ones added by hand
    are removed, so the definition above is the truth). Returns {group name: created}."""
    created = {}
    for name, permission_names in ROLE_PERMISSIONS.items():
        group, created[name] = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(permission_names))
    return created
