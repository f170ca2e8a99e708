"""Addresses: the web pages at the root, the REST API under /api/v1/, health checks."""

from django.urls import include, path

from rogatory.core import views as core_views

urlpatterns = [
    path("health/", core_views.health_live, name="health_live"),
    path("health/ready", core_views.health_ready, name="health_ready"),
    path("api/v1/", include("rogatory.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("rogatory.web.urls")),
]

# An error no view caught: 503 when the database is out of reach, else the 500 page.
handler500 = "rogatory.core.views.server_error"
