from django.urls import path

from . import views

app_name = "reports"

# Mounted under /o/<org_slug>/reports/; every view is wrapped in @org_view.
urlpatterns = [path("session/<id:session_id>.pdf", views.session_report, name="session")]
