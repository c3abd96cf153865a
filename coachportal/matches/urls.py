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
    path("<int:pk>/", views.match_detail, name="detail"),
    path("<int:pk>/status/", views.match_status, name="status"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/edit/", views.edit_match, name="edit"),
    path("<int:pk>/delete/", views.delete_match, name="delete"),
]
