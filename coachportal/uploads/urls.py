from django.urls import path

from . import views

app_name = "uploads"

# Mounted under /o/<org_slug>/uploads/; every view is wrapped in @org_view.
urlpatterns = [
    path("", views.upload_list, name="list"),
]
