"""The helpers that start processes for tests: port 0 and the announced address, and nothing left behind."""

import sys

from tests.fixtures import processes


def test_a_process_on_port_0_is_found_on_the_port_it_announces_and_stopped_after(tmp_path):
    command = [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"]
    log_path = tmp_path / "server.log"
    log_path.write_text("An earlier run on http://127.0.0.1:9/ must not be taken for this one.\n")
    with processes.running(
        command,
        name="a web server",
        health_url=lambda port: f"http://127.0.0.1:{port}/",
        log_path=log_path,
        cwd=tmp_path,
    ) as process:
        assert process.port not in (0, 9)
        assert process.poll() is None
    assert process.poll() is not None
