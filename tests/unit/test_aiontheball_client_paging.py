"""How the AI on the Ball client walks a paginated video list it does not fully control."""

import responses

from coachportal.providers.aiontheball import AiOnTheBallClient

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
def test_without_links_the_client_pages_by_meta_until_the_last_page():
    for page in (1, 2):
        responses.get(
            f"{BASE}/videos",
            match=[responses.matchers.query_param_matcher({} if page == 1 else {"page": str(page)})],
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
