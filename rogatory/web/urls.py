"""Addresses of the web pages; each area's views module lists its own."""

from .views import account, analytics, dashboard, exports, reference, requests, users
from .views.publication import urlpatterns as publication_urlpatterns

app_name = "web"
urlpatterns = [
    *account.urlpatterns,
    *dashboard.urlpatterns,
    *requests.urlpatterns,
    *analytics.urlpatterns,
    *exports.urlpatterns,
    *users.urlpatterns,
    *reference.urlpatterns,
    *publication_urlpatterns,
]
