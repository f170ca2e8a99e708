"""Addresses of the web pages; each area's views module lists its own."""

from .views import account, analytics, dashboard, exports, reference, requests, users
from .views.assurances import urlpatterns as assurances_urlpatterns
from .views.deadline_rules import urlpatterns as deadline_rules_urlpatterns
from .views.drafting import urlpatterns as drafting_urlpatterns
from .views.engagements import urlpatterns as engagements_urlpatterns
from .views.links import urlpatterns as links_urlpatterns
from .views.publication import urlpatterns as publication_urlpatterns
from .views.worklists import urlpatterns as worklists_urlpatterns

app_name = "web"
urlpatterns = [
    *account.urlpatterns,
    *dashboard.urlpatterns,
    *requests.urlpatterns,
    *analytics.urlpatterns,
    *exports.urlpatterns,
    *users.urlpatterns,
    *reference.urlpatterns,
    *deadline_rules_urlpatterns,
    *publication_urlpatterns,
    *drafting_urlpatterns,
    *links_urlpatterns,
    *assurances_urlpatterns,
    *engagements_urlpatterns,
    *worklists_urlpatterns,
]
