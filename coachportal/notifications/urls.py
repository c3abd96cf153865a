from django.urls import path

from . import views

app_name = "notifications"

# Mounted under /o/<org_slug>/notifications/; every view is wrapped in @org_view.
urlpatterns = [
    path("", views.inbox, name="list"),
    path("bell/", views.bell, name="bell"),
    path("read-all/", views.read_all, name="read_all"),
    path("choices/", views.preferences, name="preferences"),
    path("<id:pk>/read/", views.read, name="read"),
]
