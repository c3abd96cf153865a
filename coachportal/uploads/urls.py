from django.urls import path

from . import views

app_name = "uploads"

# Mounted under /o/<org_slug>/uploads/; every view is wrapped in @org_view.
urlpatterns = [
    path("", views.upload_list, name="list"),
    path("new/", views.new_upload, name="new"),
    path("new/check/", views.check, name="check"),
    path("new/presign/", views.presign, name="presign"),
    path("new/finish/", views.finish, name="finish"),
    path("<id:pk>/status/", views.upload_status, name="status"),
    path("<id:pk>/retry/", views.retry, name="retry"),
    path("<id:pk>/discard/", views.discard, name="discard"),
]
