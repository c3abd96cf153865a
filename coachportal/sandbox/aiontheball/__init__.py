"""AI on the Ball sandbox: a werkzeug server emulating the documented v1 API (dev, demo, tests only).

Fate of a registered video URL:
- on localhost / 127.0.0.1 / ::1: really downloaded; an HTTP error or an unreadable file gives
  status "error", and the probed length is the video's duration;
- any other http(s) URL: never fetched; "available" after the steps, unless the URL contains
  "unreachable" (→ "error") or "no-match"/"no_match" (→ "no_match_detected");
- "analysis-error"/"analysis_error" in the URL makes every analysis of the video end in "error".
"""
