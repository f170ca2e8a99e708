"""The REST API v1 (django-ninja); its OpenAPI document is at /api/v1/openapi.json.

Included under /api/v1/ by the project's urls. Two things ninja answers in HTML are answered
here in the API's error shape: an address that is no operation (404) and a method an address
does not take (405).
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .api import api
from .errors import error_response

_patterns, _ninja_app, app_name = api.urls


def _json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        refused = error_response(
            api,
            request,
            status=405,
            detail=_("This address does not take %(method)s.") % {"method": request.method},
        )
        refused["Allow"] = response["Allow"]
        return refused

    return wrapped


@csrf_exempt
def _no_such_operation(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    return error_response(api, request, status=404, detail=_("There is no such API address."))


def _wrapped(pattern: URLPattern) -> URLPattern:
    pattern.callback = _json_method_not_allowed(pattern.callback)
    return pattern


urlpatterns = [
    *(_wrapped(pattern) for pattern in _patterns),
    re_path(r"", _no_such_operation),
]
