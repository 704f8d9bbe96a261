from django.core.management.base import BaseCommand

from billing.demo import seed_billing


class Command(BaseCommand):
    help = (
        "Create what is missing of billing's demo: a UK company for EUR, USD and GBP, a Kazakh "
        "company for KZT (12% VAT), their bank accounts, and each event's billing rules and "
        "issuers. Run after seed_demo; never changes a row that exists."
    )

    def handle(self, *args, **options):
        created = seed_billing()
        self.stdout.write(
            self.style.SUCCESS(
                f"Billing demo ready: {created['entities']} issuing entities, "
                f"{created['issuers']} event issuers and {created['invoices']} invoices created; "
                "existing rows left as they are."
            )
        )
