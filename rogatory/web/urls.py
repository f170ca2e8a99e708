"""Addresses of the web pages; each area's views module lists its own."""

from .views import account, analytics, dashboard, reference, requests, users

app_name = "web"
urlpatterns = [
    *account.urlpatterns,
    *dashboard.urlpatterns,
    *requests.urlpatterns,
    *analytics.urlpatterns,
    *users.urlpatterns,
    *reference.urlpatterns,
]
