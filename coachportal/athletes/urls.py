from django.urls import path

from . import views

app_name = "athletes"

# Mounted under /o/<org_slug>/athletes/; every view is wrapped in @org_view.
urlpatterns = [
    path("", views.athlete_list, name="list"),
]
