"""The VIP list: members of an event's delegations holding a VIP protocol rank, in rank
precedence, as CSV (UTF-8 with a byte-order mark so Excel reads Cyrillic; cells that a
spreadsheet would run as formulas made inert by `exports.writers.neutralise`)."""

import csv
import io

from django.utils.translation import gettext as _

from exports.writers import neutralise

from . import selectors


def vip_list_csv(event) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("Protocol rank"),
            _("Title"),
            _("First name"),
            _("Last name"),
            _("Job title"),
            _("Organisation"),
            _("Delegation"),
            _("Country"),
            _("Category"),
            _("Reference"),
            _("Status"),
        ]
    )
    for member in selectors.vip_list(event):
        registration = member.registration
        writer.writerow(
            [
                neutralise(str(value))
                for value in (
                    member.rank.name,
                    registration.get_title_display(),
                    registration.first_name,
                    registration.last_name,
                    registration.job_title,
                    registration.organisation,
                    member.delegation.name,
                    registration.country.name if registration.country else "",
                    registration.category_name_in_language,
                    registration.reference,
                    registration.get_status_display(),
                )
            ]
        )
    return buffer.getvalue()
