"""A video of several hundred MB streams through the client with flat memory."""

import tracemalloc

import pytest

SIZE_MB = 300


@pytest.mark.slow
def test_a_300_mb_upload_streams_with_flat_memory(aikynetix_sandbox, tmp_path):
    org = aikynetix_sandbox.create_key_holder(processing_seconds=3600)
    client = aikynetix_sandbox.client(org.key, upload_timeout=(5.0, 120.0))
    video = tmp_path / "big.mp4"
    block = bytes(range(256)) * 4096  # 1 MiB
    with video.open("wb") as handle:
        for _ in range(SIZE_MB):
            handle.write(block)

    tracemalloc.start()
    try:
        result = client.upload_running(video, user_id=org.user_ids[0], session_name="big")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    stored = aikynetix_sandbox.data_dir / "media" / result.session_id / "original.mp4"
    assert stored.stat().st_size == SIZE_MB * 1024 * 1024
    assert peak < 30 * 1024 * 1024, f"peak traced memory {peak / 2**20:.1f} MiB"
    client.delete_session(result.session_id)
