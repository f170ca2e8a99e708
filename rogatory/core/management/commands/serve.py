"""`rogatory serve`: run Rogatory under gunicorn, the production WSGI server.

Static files are served by WhiteNoise from STATIC_ROOT, by the hashed names that
`rogatory collectstatic` lists in its manifest; without that manifest every page would fail,
so the command refuses to start until it exists.
"""

import os
import subprocess
import sys

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rogatory.intake.tasks import tasks_wait_for_worker


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a real string, not a lazy one
        return _("Serve Rogatory with gunicorn (a production server, not Django's runserver).")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help=gettext_lazy("Address to listen on.")
        )
        parser.add_argument(
            "--port", type=int, default=8000, help=gettext_lazy("Port to listen on.")
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("ROGATORY_WORKERS", 2 * (os.cpu_count() or 1) + 1)),
            help=gettext_lazy("Worker processes (default: 2 × CPUs + 1, or ROGATORY_WORKERS)."),
        )
        parser.add_argument(
            "--forwarded-allow-ips",
            default=os.environ.get("ROGATORY_FORWARDED_ALLOW_IPS", ""),
            metavar="ADDRESSES",
            help=gettext_lazy(
                "Comma-separated addresses of the reverse proxies whose X-Forwarded-* headers "
                "are trusted (default: ROGATORY_FORWARDED_ALLOW_IPS, else gunicorn's own: "
                "127.0.0.1)."
            ),
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help=gettext_lazy(
                "Also start one background worker (`rogatory worker`), which stops with the "
                "server: for a server on one machine."
            ),
        )

    def handle(
        self,
        *args,
        host: str,
        port: int,
        workers: int,
        forwarded_allow_ips: str,
        with_worker: bool,
        **options,
    ) -> None:
        if settings.DEBUG:
            raise CommandError(
                _(
                    "ROGATORY_DEBUG is on: a production server would show its settings and the "
                    "data of a failed request to anyone. Unset ROGATORY_DEBUG before serving; "
                    "for development use `rogatory runserver`."
                )
            )
        if settings.SECRET_KEY.startswith("insecure-"):
            raise CommandError(
                _(
                    "Set ROGATORY_SECRET_KEY before serving: sessions must survive a restart "
                    "and be shared by all workers."
                )
            )
        _check_static_files()
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
            # Access lines name the route a request matched, never its query string, the page
            # it came from or its headers: they may hold personal data (rogatory.core.logging).
            "--logger-class",
            "rogatory.core.logging.AccessLogger",
            # Gunicorn's run-time control socket sits at one path per user, so two servers
            # on a machine would contend for it; Rogatory is managed by signals instead.
            "--no-control-socket",
        ]
        if forwarded_allow_ips:
            argv += ["--forwarded-allow-ips", forwarded_allow_ips]
        self.stdout.write(
            _(
                "Serving Rogatory on http://%(host)s:%(port)d/ with %(workers)d workers; Ctrl+C stops it."
            )
            % {"host": host, "port": port, "workers": workers}
        )
        if with_worker and tasks_wait_for_worker():
            _worker_start()
            self.stdout.write(
                _("A background worker runs register imports and exports beside the server.")
            )
        self.stdout.flush()
        os.execv(sys.executable, argv)


def _worker_start() -> None:
    """Start `rogatory worker`; it stops when this process, about to become gunicorn's, ends."""
    subprocess.Popen(
        [sys.executable, "-m", "rogatory.cli", "worker", "--parent-pid", str(os.getpid())]
    )


def _check_static_files() -> None:
    """Refuse to serve pages whose style sheets would be missing."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    if not staticfiles_storage.exists(staticfiles_storage.manifest_name):
        raise CommandError(
            _(
                "The static files are not collected in %(root)s: run "
                "`rogatory collectstatic --noinput` first (ROGATORY_STATIC_ROOT says where)."
            )
            % {"root": settings.STATIC_ROOT}
        )
