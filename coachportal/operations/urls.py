from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
]
