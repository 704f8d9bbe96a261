"""Local development: the embedded default (SQLite, tasks in-process, mail to the console)."""

from .base import *

DEBUG = env.bool("DEBUG", default=True)
