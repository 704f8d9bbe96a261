"""Celery tasks for visa letters: thin wrappers around visas.services, given ids, never objects.

The services publish these by registered name (`services.RENDER_LETTER_TASK`); the app
imports this module when Django starts (`VisasConfig.ready`), so the names resolve in web
processes too.
"""
