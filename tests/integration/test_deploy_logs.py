"""Production logs hold no secrets: reset and invitation tokens, signed file links and webhook secrets
go through gunicorn with production settings, and none of them is found in what it wrote.
"""

import re
import socketserver
import threading

import pytest
import requests

from .test_deploy import manage, production_env, web_process

pytestmark = pytest.mark.slow


class SmtpSink(socketserver.StreamRequestHandler):
    """Just enough SMTP to take a message and keep it (Django's backend speaks plain SMTP here)."""

    def handle(self):
        self.wfile.write(b"220 sink\r\n")
        while line := self.rfile.readline():
            verb = line.strip().split(b" ")[0].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data)
                self.server.messages.append(b"".join(body).decode(errors="replace"))
                self.wfile.write(b"250 kept\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


class Browser(requests.Session):
    """A browser behind the platform's HTTPS router: it says https, and sends its Secure cookies."""

    def __init__(self, url):
        super().__init__()
        self.headers.update({"X-Forwarded-Proto": "https", "Referer": url.replace("http:", "https:") + "/"})

    def request(self, method, url, **kwargs):
        # requests keeps Secure cookies for https URLs; the router speaks http to us, so pass them on.
        kwargs["cookies"] = {cookie.name: cookie.value for cookie in self.cookies}
        kwargs.setdefault("timeout", 30)
        return super().request(method, url, **kwargs)


def session(url):
    return Browser(url)


def csrf(browser, page_url):
    page = browser.get(page_url, timeout=30)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def mail_text(messages) -> str:
    """The messages as text: quoted-printable soft line breaks joined, so long links are whole."""
    return "".join(messages).replace("=\r\n", "").replace("=3D", "=")


def test_tokens_links_and_secrets_never_reach_the_logs(tmp_path):
    sink = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpSink)
    sink.messages = []
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    env = production_env(
        tmp_path,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.server_address[1]),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        assert manage(env, *step).returncode == 0
    setup = manage(
        env,
        "shell",
        "-c",
        "from coachportal.accounts.models import User; from coachportal.organizations import services;"
        "from coachportal.matches.models import Match, WebhookEndpoint;"
        "from coachportal.matches.files import file_token;"
        "from django.core.files.base import ContentFile;"
        "from django.core.files.storage import default_storage;"
        "u = User.objects.create_user(email='olivia@riverside.example', password='a-long-test-password-42');"
        "org = services.create_organization(name='Riverside', owner=u);"
        "name = default_storage.save('matches/m.mp4', ContentFile(b'x' * 100));"
        "m = Match.objects.create(organization=org, title='Derby', source='upload', file=name);"
        "print('FILE', file_token(m)); print('HOOK', WebhookEndpoint.rotate(org))",
    )
    assert setup.returncode == 0, setup.stderr
    file_token = re.search(r"FILE (\S+)", setup.stdout).group(1)
    hook_secret = re.search(r"HOOK (\S+)", setup.stdout).group(1)
    secrets = [file_token, hook_secret]
    try:
        with web_process(env) as web:
            base = web.url
            browser = session(base)
            # Password reset: the link arrives by mail, and is opened.
            token = csrf(browser, base + "/accounts/password/reset/")
            browser.post(
                base + "/accounts/password/reset/",
                {"csrfmiddlewaretoken": token, "email": "olivia@riverside.example"},
                timeout=30,
            )
            assert sink.messages, web.log()[-3000:]
            reset = re.search(
                r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", mail_text(sink.messages)
            ).group(1)
            secrets.append(reset.rstrip("/").rsplit("/", 1)[1])
            browser.get(base + reset, timeout=30)
            # An invitation: sent by the owner, opened signed out, and its login redirect followed.
            owner = session(base)
            token = csrf(owner, base + "/accounts/login/")
            owner.post(
                base + "/accounts/login/",
                {"csrfmiddlewaretoken": token, "username": "olivia@riverside.example",
                 "password": "a-long-test-password-42"},
                timeout=30,
            )  # fmt: skip
            token = csrf(owner, base + "/o/riverside/members/")
            owner.post(
                base + "/o/riverside/members/invite/",
                {"csrfmiddlewaretoken": token, "email": "nina@riverside.example", "role": "coach"},
                timeout=30,
            )
            invited = mail_text(sink.messages[-1:])
            invite = re.search(r"https?://[^/\s]+(/invitations/[^\s]+/)", invited).group(1)
            secrets.append(invite.rstrip("/").rsplit("/", 1)[1])
            session(base).get(base + invite, timeout=30)
            next_url = requests.utils.quote(invite, safe="")
            session(base).get(base + "/accounts/login/?next=" + next_url, timeout=30)
            # The signed file link (the file itself and a forged one) and the webhook, right and wrong.
            session(base).get(f"{base}/aiontheball/files/{file_token}/match.mp4", timeout=30)
            session(base).get(f"{base}/aiontheball/files/{file_token}x/match.mp4", timeout=30)
            hook = f"{base}/aiontheball/webhook/riverside/{hook_secret}/"
            session(base).post(hook, data="{}", headers={"Content-Type": "application/json"}, timeout=30)
            session(base).post(hook.replace(hook_secret, hook_secret[:-1]), data="{}", timeout=30)
            # A refused request is one line, not a traceback.
            chloe = session(base)
            chloe.get(base + "/o/riverside/settings/", timeout=30)
    finally:
        sink.shutdown()
        sink.server_close()
    log = web.log()
    assert "/aiontheball/webhook/riverside/[redacted]/" in log  # the access log was written
    assert "/invitations/[redacted]/" in log
    for secret in secrets:
        assert secret not in log, f"{secret[:8]}… found in the logs"
        assert secret[:16] not in log
    assert "Traceback" not in log
