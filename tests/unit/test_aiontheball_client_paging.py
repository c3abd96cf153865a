"""How the AI on the Ball client walks a paginated video list it does not fully control."""

import pytest
import responses

from coachportal.providers.aiontheball import AiOnTheBallClient, UnexpectedResponse
from coachportal.providers.aiontheball import client as client_module

BASE = "https://aiontheball.nl/api/v1"


def video(video_id):
    return {"id": video_id, "status": "available"}


@responses.activate
def test_a_next_link_on_another_host_is_followed_on_the_base_url_so_the_token_stays_home():
    responses.get(
        f"{BASE}/videos",
        match=[responses.matchers.query_param_matcher({})],
        json={
            "data": [video(1)],
            "links": {"next": "https://elsewhere.example/api/v1/videos?page=2"},
            "meta": {},
        },
    )
    responses.get(
        f"{BASE}/videos",
        match=[responses.matchers.query_param_matcher({"page": "2"})],
        json={"data": [video(2)], "links": {"next": None}, "meta": {}},
    )

    ids = [item.id for item in AiOnTheBallClient("token", base_url=BASE).iter_videos()]

    assert ids == [1, 2]
    assert all(call.request.url.startswith(BASE) for call in responses.calls)
    assert all(call.request.headers["Authorization"] == "Bearer token" for call in responses.calls)


@responses.activate
def test_checking_a_token_and_listing_send_no_query_parameter():
    responses.get(
        f"{BASE}/videos",
        json={"data": [video(1)], "links": {"next": f"{BASE}/videos?page=2"}, "meta": {}},
    )
    responses.get(f"{BASE}/videos?page=2", json={"data": [video(2)], "links": {"next": None}})
    client = AiOnTheBallClient("token", base_url=BASE)

    client.check_token()
    ids = [item.id for item in client.iter_videos()]

    assert ids == [1, 2]
    # Only the provider's own next link carries a query; the client never adds one (no per_page).
    assert [call.request.url for call in responses.calls] == [
        f"{BASE}/videos",
        f"{BASE}/videos",
        f"{BASE}/videos?page=2",
    ]


@responses.activate
def test_a_list_that_says_more_pages_exist_without_a_link_is_an_error_not_a_short_list():
    responses.get(
        f"{BASE}/videos",
        match=[responses.matchers.query_param_matcher({})],
        json={"data": [video(1)], "meta": {"current_page": 1, "last_page": 2}},
    )

    with pytest.raises(UnexpectedResponse):
        list(AiOnTheBallClient("token", base_url=BASE).iter_videos())

    assert len(responses.calls) == 1


@responses.activate
def test_page_numbers_and_a_page_size_are_sent_only_when_their_constants_are_switched_on(monkeypatch):
    monkeypatch.setattr(client_module, "UNDOCUMENTED_PAGE_NUMBERS", True)
    monkeypatch.setattr(client_module, "UNDOCUMENTED_PAGE_SIZE", 50)
    for page in (1, 2):
        expected = {"per_page": "50"} if page == 1 else {"page": str(page), "per_page": "50"}
        responses.get(
            f"{BASE}/videos",
            match=[responses.matchers.query_param_matcher(expected)],
            json={"data": [video(page)], "meta": {"current_page": page, "last_page": 2}},
        )

    ids = [item.id for item in AiOnTheBallClient("token", base_url=BASE).iter_videos()]

    assert ids == [1, 2]


@responses.activate
def test_a_next_link_that_repeats_itself_does_not_loop_forever():
    loop = f"{BASE}/videos?page=2"
    responses.get(
        f"{BASE}/videos",
        json={"data": [video(1)], "links": {"next": loop}, "meta": {}},
    )

    ids = [item.id for item in AiOnTheBallClient("token", base_url=BASE).iter_videos()]

    assert ids == [1, 1]


@responses.activate
def test_creates_send_only_the_fields_given_and_reads_the_data_envelope():
    responses.post(f"{BASE}/videos", status=201, json={"data": {"id": 790, "status": "init"}})

    created = AiOnTheBallClient("token", base_url=BASE).create_video(
        "https://example.com/match.mp4", title="Team A vs Team B"
    )

    assert created.id == 790
    assert (
        responses.calls[0].request.body
        == b'{"video_file_url": "https://example.com/match.mp4", "title": "Team A vs Team B"}'
    )
