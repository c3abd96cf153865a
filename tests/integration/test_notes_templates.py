"""The notes lists and the compare page's notes panels come from Jinja2 templates (jinja2/notes/list.html,
video_notes.html) fed plain data (notes.templatetags.notes.listed): they read byte for byte as the Django
templates that wrote them (kept below as they were), hostile text, line breaks and former members included."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, engines
from django.test import RequestFactory

from coachportal.notes import services
from coachportal.notes.templatetags import notes as tags
from coachportal.organizations.models import Membership
from tests.factories import make_session

pytestmark = pytest.mark.django_db

NASTY = "Tom &\"'<> Lee"
NASTY_ESCAPED = "Tom &amp;&quot;&#x27;&lt;&gt; Lee"
ARROW = {"type": "arrow", "points": [[0.2, 0.2], [0.4, 0.5]]}

# notes/_list.html and notes/_video_notes.html as the Django templates were (main at a646252).
DJANGO_LIST = """<ol class="notes-list" data-notes-list>
  {% for n in notes %}
  <li id="note-{{ n.pk }}" class="note" data-note="{{ n.pk }}" data-at="{{ n.at_seconds|stringformat:'.3f' }}">
    <div class="note-head">
      <button type="button" class="link-button note-seek" data-seek="{{ n.at_seconds|stringformat:'.3f' }}" aria-label="Go to {{ n.time_label }}">{{ n.time_label }}</button>
      {% if editable %}<small class="muted">{{ n.author.get_short_name|default:"Former member" }}</small>{% endif %}
    </div>
    {% if n.text %}<p class="note-text">{{ n.text|linebreaksbr }}</p>{% endif %}
    {% if n.shapes %}<p class="note-drawing muted"><small>Drawing: {{ n.drawing_summary }}</small></p>{% endif %}
    {% if editable and n.can_edit or editable and n.can_delete %}
    <div class="actions note-actions">
      {% if n.can_edit %}<a class="small" href="{% url 'notes:edit' org.slug s.pk n.pk %}">Edit</a>{% endif %}
      {% if n.can_delete %}
      <form method="post" action="{% url 'notes:delete' org.slug s.pk n.pk %}" class="inline-form">{% csrf_token %}
        <button type="submit" class="link-button note-delete">Delete</button>
      </form>
      {% endif %}
    </div>
    {% endif %}
  </li>
  {% empty %}
  <li class="muted note-empty">No notes yet.{% if editable %} Pause the video where something matters and write one.{% endif %}</li>
  {% endfor %}
</ol>
"""  # noqa: E501
DJANGO_PANEL = """{% load portal %}
<section class="notes-panel notes-panel--video" data-notes data-notes-for="{{ video_id }}" aria-label="Notes on {{ s.title|default:'this session' }}">
  <h2 class="notes-video-h">Notes on {{ s.title|default:"(untitled)"|bdi }} <small class="muted">({{ review.notes|length }})</small></h2>
  LIST
  {{ review.data|json_script }}
  <p class="notes-video-add"><small><a href="{% url 'library:detail' org.slug s.pk %}#notes">Add a note on this session's page</a></small></p>
</section>
"""  # noqa: E501


@pytest.fixture
def noted(org_a, chloe, adam):
    session = make_session(org_a, title=NASTY, analyzed_video_url="https://videos.example/a.mp4")
    services.add_note(
        session, actor=chloe, at_seconds=2.0, text=f"{NASTY}\r\nline two\rthree", shapes=[], aspect=1.7
    )
    services.add_note(session, actor=adam, at_seconds=0.4, text="", shapes=[ARROW], aspect=1.7)
    services.add_note(session, actor=adam, at_seconds=75.5, text=" \n", shapes=[ARROW], aspect=1.0)
    adam.delete()  # his notes stay, by a former member
    return session


def context_for(user, org, session):
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    request.membership = Membership.objects.get(user=user, organization=org) if user else None
    return Context({"request": request, "csrf_token": "a-token", "org": org, "s": session})


def django_list(context, review, editable):
    with context.push(notes=review["notes"], editable=editable):
        return engines["django"].from_string(DJANGO_LIST).template.render(context)


@pytest.mark.parametrize("who", ["chloe", "olivia", None])
@pytest.mark.parametrize("editable", [True, False])
def test_the_list_reads_as_the_django_template_wrote_it(request, org_a, noted, who, editable):
    user = request.getfixturevalue(who) if who else None
    context = context_for(user, org_a, noted)
    review = tags.session_notes(context, noted)
    html = tags.notes_list(context, review["notes"], editable=editable)
    assert html == django_list(context, review, editable)
    assert f'<p class="note-text">{NASTY_ESCAPED}<br>line two<br>three</p>' in html
    assert ("Former member" in html) is editable and ("Delete" in html) is (editable and who is not None)
    assert html.count('class="note"') == 3 and html.index("0:00.4") < html.index("0:02.0") < html.index(
        "1:15.5"
    )


def test_an_empty_list_reads_as_the_django_template_wrote_it(org_a, chloe):
    session = make_session(org_a, title="Nothing noted")
    context = context_for(chloe, org_a, session)
    review = tags.session_notes(context, session)
    for editable in (True, False):
        assert tags.notes_list(context, [], editable=editable) == django_list(context, review, editable)


def test_the_compare_panel_reads_as_the_django_template_wrote_it(org_a, chloe, noted):
    untitled = make_session(org_a, title="")
    context = context_for(chloe, org_a, noted)
    for session, video_id in ((noted, "compare-video-1"), (untitled, 'v"2')):
        html = tags.video_notes(context, session, among=[noted, untitled], video_id=video_id)
        review = tags.session_notes(context, session)
        panel = DJANGO_PANEL.replace("LIST", django_list(context, review, False))
        with context.push(review=review, video_id=video_id, s=session):
            assert html == engines["django"].from_string(panel).template.render(context)
    assert f'aria-label="Notes on {NASTY_ESCAPED}"' in tags.video_notes(context, noted, video_id="x")
    assert f"<bdi>{NASTY_ESCAPED}</bdi>" in tags.video_notes(context, noted, video_id="x")


def test_a_list_without_delete_forms_asks_for_no_csrf_token(org_a, noted):
    context = Context({"org": org_a, "s": noted})  # no token: the list must not need one
    review = tags.session_notes(context, noted)
    assert "csrfmiddlewaretoken" not in tags.notes_list(context, review["notes"], editable=False)


# The session page's "add a note" fields as templates/notes/_panel.html wrote them (main at 58a3e9a).
DJANGO_BLANK_FIELDS = """{% include "forms/field.html" with field=form.text %}
    {% include "forms/field.html" with field=form.at_seconds %}
    {{ form.shapes }}{{ form.aspect }}"""


def test_the_add_a_note_fields_read_as_the_panel_wrote_them_and_are_written_once():
    """The blank note form is the same on every session page: written once per language, byte for byte
    what the panel's includes wrote (labels, number step and input mode, textarea rows, hidden fields)."""
    tags._blank_note_fields.cache_clear()
    expected = engines["django"].from_string(DJANGO_BLANK_FIELDS).render({"form": tags.NoteForm()})
    first = tags.blank_note_fields()
    assert first == expected
    assert 'id="id_at_seconds"' in first and 'step="0.001"' in first and 'name="shapes"' in first
    assert tags.blank_note_fields() is first
    assert tags._blank_note_fields.cache_info().misses == 1
