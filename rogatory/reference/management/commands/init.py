"""`rogatory init`: create or migrate the database and load the reference data."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from rogatory.accounts.services import unit_default_ensure
from rogatory.reference.services import reference_load


class Command(BaseCommand):
    help = "Create or migrate the database and load the reference data. Safe to run again."

    def handle(self, *args, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        # The database cache (the default, ROGATORY_CACHE_URL unset) keeps its own table.
        call_command("createcachetable", verbosity=0)
        counts = reference_load()
        unit_default_ensure()
        self.stdout.write(
            f"Database ready: {counts.countries} countries, {counts.groups} country groups, "
            f"{counts.treaties} legal bases, {counts.refusal_grounds} refusal grounds, "
            f"{counts.offence_categories} offence categories."
        )
