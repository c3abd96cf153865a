from django.urls import path

from . import views

app_name = "library"

# Mounted under /o/<org_slug>/sessions/; every view is wrapped in @org_view.
urlpatterns = [
    path("", views.session_list, name="list"),
]
