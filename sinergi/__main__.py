"""The `sinergi` console command: Django's management commands with Sinergi's settings.

sinergi runserver | sinergi demo --persons 500 | sinergi load_regions | sinergi help
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([os.path.basename(sys.argv[0]) or "sinergi", *sys.argv[1:]])


if __name__ == "__main__":
    main()
