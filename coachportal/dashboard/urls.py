from django.urls import path

from . import views

# Mounted under /o/<org_slug>/ inside the "organizations" namespace, so the page keeps its name
# "organizations:dashboard" (see coachportal/urls.py).
org_urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
