"""The person's zone is read only when a request converts a time (coachportal.accounts.zones.PersonZone).

Requests that show no time (the health check above all) read neither the session nor the user; pages and
exports still show every time in the person's own zone.
"""

import csv
import io
import pickle
import zoneinfo
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from coachportal.accounts.nostore import PRIVATE
from coachportal.accounts.zones import PersonZone, TimeZoneMiddleware
from tests.factories import make_athlete, make_session

pytestmark = pytest.mark.django_db

MARCH_10_0900_UTC = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def new_yorker(chloe):
    chloe.time_zone = "America/New_York"
    chloe.save(update_fields=["time_zone"])
    return chloe


def request_of(user):
    """A request whose user is read only when asked for, as AuthenticationMiddleware leaves it."""
    request = RequestFactory().get("/")
    request.reads = 0

    def read():
        request.reads += 1
        return user

    request.user = SimpleLazyObject(read)
    return request


def through_middleware(request, view):
    return TimeZoneMiddleware(view)(request)


def test_a_request_that_converts_no_time_never_reads_the_person(new_yorker):
    request = request_of(new_yorker)
    response = through_middleware(request, lambda r: HttpResponse("ok"))
    assert response.content == b"ok" and request.reads == 0
    assert timezone.get_current_timezone() == zoneinfo.ZoneInfo("UTC")  # reset after the request


def test_a_time_converted_in_a_request_is_in_the_persons_own_zone(new_yorker):
    request = request_of(new_yorker)

    def view(request):
        local = timezone.localtime(MARCH_10_0900_UTC)
        assert local.tzinfo == zoneinfo.ZoneInfo("America/New_York")  # the real zone, not the stand-in
        assert timezone.now().astimezone(timezone.get_current_timezone()).tzinfo is local.tzinfo
        return HttpResponse(f"{local:%H:%M} {local.tzname()} {timezone.get_current_timezone_name()}")

    response = through_middleware(request, view)
    assert response.content == b"05:00 EDT America/New_York" and request.reads == 1


def test_a_visitor_and_a_person_without_their_own_zone_get_utc(chloe):
    for user in (AnonymousUser(), chloe):
        request = request_of(user)
        response = through_middleware(
            request, lambda r: HttpResponse(timezone.localtime(MARCH_10_0900_UTC).isoformat())
        )
        assert response.content == b"2025-03-10T09:00:00+00:00"


def test_the_stand_in_answers_as_the_zone_it_stands_for(new_yorker):
    zone = PersonZone(request_of(new_yorker))
    real = zoneinfo.ZoneInfo("America/New_York")
    summer, winter = datetime(2025, 7, 1, 12), datetime(2025, 1, 1, 12)
    for moment in (summer, winter):
        assert zone.utcoffset(moment) == real.utcoffset(moment) and zone.dst(moment) == real.dst(moment)
        assert zone.tzname(moment) == real.tzname(moment)
        aware = timezone.make_aware(moment, zone)  # keeps the stand-in as its tzinfo
        assert aware.astimezone(UTC) == timezone.make_aware(moment, real).astimezone(UTC)
        assert pickle.loads(pickle.dumps(aware)) == aware  # noqa: S301 (our own bytes)
    assert zone.key == "America/New_York" and str(zone) == "America/New_York"
    assert pickle.loads(pickle.dumps(zone)) is real  # noqa: S301 (ZoneInfo keeps one instance per name)


def test_the_health_check_of_a_signed_in_person_runs_only_its_own_query(
    client_for, chloe, django_assert_num_queries
):
    client = client_for(chloe)
    with django_assert_num_queries(1):  # SELECT 1: no session, no user
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE  # a signed-in person's answer, as before


def test_a_visitors_health_check_is_not_marked_private(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200 and response["Cache-Control"] != PRIVATE


def test_signing_in_and_out_are_private_answers(client, chloe):
    chloe.set_password("a-long-password-1")
    chloe.save()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    signed_in = client.post("/accounts/login/", {"username": chloe.email, "password": "a-long-password-1"})
    assert signed_in.status_code == 302 and signed_in["Cache-Control"] == PRIVATE
    signed_out = client.post("/accounts/logout/")
    assert signed_out.status_code == 302 and signed_out["Cache-Control"] == PRIVATE


def test_pages_and_exports_show_times_in_the_persons_own_zone(client_for, new_yorker, org_a):
    org_a.time_zone = "Europe/Amsterdam"
    org_a.save(update_fields=["time_zone"])
    make_session(org_a, athlete=make_athlete(org_a, "Ana"), title="Hill reps", recorded_at=MARCH_10_0900_UTC)
    client = client_for(new_yorker)
    assert ">10 Mar 2025, 05:00 EDT</time>" in client.get(f"/o/{org_a.slug}/sessions/").text
    response = client.get(f"/o/{org_a.slug}/sessions/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Date (America/New_York)" and rows[1][0] == "2025-03-10 05:00"
