"""URL configuration; the web pages and the API arrive with their own apps."""

urlpatterns: list = []
