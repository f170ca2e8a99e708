"""Keep personal data out of the logs: no query strings, bodies, free-text paths or error texts.

A path like /requests/?q=IVANOV, a form's body or an exception's message ("duplicate key
(reference)=(…)") may name a person sought. `PersonalDataFilter` rewrites every record that
reaches Rogatory's log handlers: an address becomes the route it matched
("requests/<int:request_id>/"), never what the user typed, and a traceback keeps its frames and
the exception's class but not its message. `AccessLogger` does the same for gunicorn's access
log, which `rogatory serve` uses.
"""

import logging
import re
import traceback
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

# What stands for an address that matches no page: it may be anything a user typed.
UNKNOWN_PATH = "[an address that matches no page]"
WITHHELD = "[message withheld: it may hold personal data]"
# The request line of Django's development server: method, address, protocol.
_REQUEST_LINE = re.compile(r"^(?P<method>[A-Z]+) (?P<path>.+) (?P<protocol>HTTP/[\d.]+)$")
# Request headers and environment entries gunicorn offers its log format; none is needed and
# some hold secrets (cookies, tokens) or query strings.
_PRIVATE_ATOM = re.compile(r"^\{.*\}[ie]$")


def safe_path(path: str) -> str:
    """Return `path` as the route it matches, or a placeholder: never the text of the address."""
    from django.conf import settings
    from django.urls import Resolver404, resolve

    path = path.split("?", 1)[0]
    static = "/" + settings.STATIC_URL.lstrip("/")
    if path.startswith(static):
        return path
    try:
        match = resolve(path)
    except Resolver404:
        return UNKNOWN_PATH
    except Exception:  # a broken URL configuration must not stop logging
        return UNKNOWN_PATH
    return "/" + (match.route or "")


def withheld_traceback(exception: BaseException) -> str:
    """Return the traceback of `exception` and its causes, their messages left out."""
    chain: list[BaseException] = []
    current: BaseException | None = exception
    while current is not None and not any(current is seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts = []
    for index, error in enumerate(reversed(chain)):
        if index:
            parts.append("\nThe above exception led to the following one:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(error.__traceback__))
        kind = type(error)
        parts.append(f"{kind.__module__}.{kind.__qualname__}: {WITHHELD}\n")
    return "".join(parts).rstrip("\n")


class PersonalDataFilter(logging.Filter):
    """Rewrite a record so that it names routes, not addresses, and withholds error messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_personal_data_removed", False):
            return True
        record._personal_data_removed = True
        request = getattr(record, "request", None)
        if request is not None:
            record.args = _args_without_addresses(record, request)
            # Handlers such as Django's AdminEmailHandler would dump the request: body, cookies.
            del record.request
        elif record.name == "django.server":
            record.args = _args_without_addresses(record, None)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = withheld_traceback(record.exc_info[1])
        return True


def _args_without_addresses(record: logging.LogRecord, request: Any) -> Any:
    args = record.args
    if not isinstance(args, tuple):
        return args
    addresses = set()
    for attribute in ("path", "path_info"):
        value = getattr(request, attribute, None)
        if isinstance(value, str):
            addresses.add(value)
    if hasattr(request, "get_full_path"):
        addresses.add(request.get_full_path())
    cleaned = []
    for arg in args:
        if isinstance(arg, str) and arg in addresses:
            cleaned.append(safe_path(arg))
        elif isinstance(arg, str) and (line := _REQUEST_LINE.match(arg)):
            cleaned.append(f"{line['method']} {safe_path(line['path'])} {line['protocol']}")
        else:
            cleaned.append(arg)
    return tuple(cleaned)


class AccessLogger(GunicornLogger):
    """Gunicorn's logger, its access log naming routes without query strings or referrers."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        path = safe_path(environ.get("PATH_INFO") or "/")
        atoms["U"] = path
        atoms["q"] = ""
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        # The page the request came from carries that page's query string.
        atoms["f"] = "-"
        return {name: value for name, value in atoms.items() if not _PRIVATE_ATOM.match(name)}
