"""`rogatory serve`: run Rogatory under gunicorn, the production WSGI server."""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve Rogatory with gunicorn (a production server, not Django's runserver)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("ROGATORY_WORKERS", 2 * (os.cpu_count() or 1) + 1)),
            help="Worker processes (default: 2 × CPUs + 1, or ROGATORY_WORKERS).",
        )

    def handle(self, *args, host: str, port: int, workers: int, **options) -> None:
        if not settings.DEBUG and settings.SECRET_KEY.startswith("insecure-"):
            raise CommandError(
                "Set ROGATORY_SECRET_KEY before serving: sessions must survive a restart "
                "and be shared by all workers."
            )
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "rogatory.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ]
        self.stdout.write(f"Serving Rogatory on http://{host}:{port}/ with {workers} workers.")
        self.stdout.flush()
        os.execv(sys.executable, argv)
