from django.urls import path

from . import views

app_name = "notifications_public"

# Mounted at /notifications/: the signed token is the proof (its path segment is redacted in every log).
urlpatterns = [path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe")]
