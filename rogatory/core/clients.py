"""The address of the client behind a request, for the audit trail and sign-in lock-outs.

Behind a reverse proxy every request comes from the proxy. With `ROGATORY_PROXY_COUNT` set to
the number of proxies in front of Rogatory, the client is the address that the outermost of them
put into X-Forwarded-For; anything further left was written by the client and cannot be trusted.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """Return the address of the client that sent `request`, or "" if it is unknown."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.ROGATORY_PROXY_COUNT
    if proxies > 0:
        forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [hop for hop in forwarded if hop]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    return address if _is_address(address) else ""


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
