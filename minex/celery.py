"""The Celery application: Redis broker from REDIS_URL, configured from Django settings.

Without REDIS_URL (the embedded default) settings make tasks run in-process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minex.settings.dev")

app = Celery("minex")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
