from django.urls import path

from . import audit_views, provider_views, views

app_name = "organizations"

# Everything here is mounted under /o/<org_slug>/ and every view is wrapped in @org_view; the
# dashboard (coachportal.dashboard, the top layer) joins this namespace in coachportal/urls.py.
org_urlpatterns = [
    path("members/", views.members, name="members"),
    path("members/invite/", views.invite, name="invite"),
    path("members/<id:member_id>/role/", views.change_role, name="change_role"),
    path("members/<id:member_id>/remove/", views.remove_member, name="remove_member"),
    path("invitations/<id:invitation_id>/revoke/", views.revoke_invitation, name="revoke_invitation"),
    path("settings/", views.org_settings, name="settings"),
    path("audit/", audit_views.audit_log, name="audit"),
    path("settings/providers/", provider_views.providers, name="providers"),
    path("settings/providers/<str:provider>/", provider_views.save_key, name="save_key"),
    path("settings/providers/<str:provider>/test/", provider_views.test_key, name="test_key"),
    path("settings/providers/<str:provider>/remove/", provider_views.remove_key, name="remove_key"),
]
