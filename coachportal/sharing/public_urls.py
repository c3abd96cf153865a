from django.urls import path

from . import views

app_name = "share"

# Mounted at /share/: no login; the token is the proof (its path segment is redacted in every log).
urlpatterns = [path("<str:token>/", views.page, name="page")]
