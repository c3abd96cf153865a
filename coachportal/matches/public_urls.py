from django.urls import path

from . import public_views

app_name = "matches_public"

# Mounted at the top level (outside /o/<org_slug>/): AI on the Ball calls these, not a member.
urlpatterns = [
    path("files/<str:token>/match.mp4", public_views.match_file, name="file"),
    path("webhook/<slug:org_slug>/<str:secret>/", public_views.webhook, name="webhook"),
]
