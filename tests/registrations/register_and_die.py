"""A process that registers a delegate and is killed right after the commit, for the outbox test.

Run as `python -m tests.registrations.register_and_die <delegate id> <category id> <language>`
with DATABASE_URL pointing at the test database. It registers through `register_delegate`
inside a transaction whose first after-commit callback SIGKILLs the process: the registration
and its outbox rows are committed, and nothing this process would do after the commit (render
the e-mails, hand them to the delivery task) happens.
"""

import os
import signal
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minex.settings.test")
    import django

    django.setup()

    from django.db import transaction

    from accounts.models import User
    from registrations.models import DelegateCategory
    from registrations.services import register_delegate

    delegate_id, category_id, language = sys.argv[1:4]
    delegate = User.objects.select_related("delegate_profile").get(pk=delegate_id)
    category = DelegateCategory.objects.select_related("event").get(pk=category_id)
    with transaction.atomic():
        # Registered first, so it runs first once the transaction has committed.
        transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
        register_delegate(
            category.event,
            delegate=delegate,
            category=category,
            consent_privacy=True,
            language=language,
        )


if __name__ == "__main__":
    main()
