#!/usr/bin/env python
"""Django's command-line utility for the MINEX Forum Portal."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minex.settings.dev")
    from django.core.management import execute_from_command_line

    from minex.settings.environment import ConfigurationError

    try:
        execute_from_command_line(sys.argv)
    except ConfigurationError as error:
        # A wrong environment variable is the operator's mistake, not a bug: one line, no traceback.
        sys.exit(f"Configuration error: {error}")


if __name__ == "__main__":
    main()
