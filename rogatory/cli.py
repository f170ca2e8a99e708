"""The `rogatory` command: Django's management commands under one entry point."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a Rogatory command, such as `rogatory report --year 2023`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rogatory.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rogatory", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
