"""Build steps that need no secrets (collectstatic in the image): production storage only."""

from .base import *

DEBUG = False
STORAGES = PRODUCTION_STORAGES
