#!/usr/bin/env python
"""Django's manage.py for development; installed systems use the `rogatory` command."""

from rogatory.cli import main

if __name__ == "__main__":
    main()
