from datetime import timedelta

from django.utils import timezone

from coachportal.organizations.templatetags.portal import ago
from coachportal.sessions.models import Session


def test_exercise_codes_read_as_words():
    assert Session(exercise="clean_and_jerk").exercise_label == "Clean and jerk"
    assert Session(exercise="Countermovement Jump").exercise_label == "Countermovement Jump"
    assert Session(exercise="").exercise_label == ""


def test_a_sync_a_few_seconds_ago_reads_just_now():
    assert ago(timezone.now() - timedelta(seconds=20)) == "just now"
    assert ago(timezone.now() - timedelta(minutes=5, seconds=3)) == "5\xa0minutes ago"
