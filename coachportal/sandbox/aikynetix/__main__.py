"""Start the AiKYNETIX sandbox without Django: `python -m coachportal.sandbox.aikynetix --port 8765`."""

from .server import main

main()
