from django.urls import path

from . import views

app_name = "matches"

# Mounted under /o/<org_slug>/matches/; every view is wrapped in @org_view.
urlpatterns = [
    path("", views.match_list, name="list"),
    path("new/", views.new_match, name="new"),
    path("new/presign/", views.presign, name="presign"),
    path("new/finish/", views.finish, name="finish"),
    path("webhook/rotate/", views.rotate_webhook, name="rotate_webhook"),
    path("<id:pk>/", views.match_detail, name="detail"),
    path("<id:pk>/status/", views.match_status, name="status"),
    path("<id:pk>/check/", views.check_now, name="check"),
    path("<id:pk>/retry/", views.retry, name="retry"),
    path("<id:pk>/edit/", views.edit_match, name="edit"),
    path("<id:pk>/delete/", views.delete_match, name="delete"),
]
