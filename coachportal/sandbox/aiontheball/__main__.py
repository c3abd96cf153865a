"""Start the AI on the Ball sandbox without Django: python -m coachportal.sandbox.aiontheball --port N."""

from __future__ import annotations

import argparse
from pathlib import Path

from .server import serve


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Local, contract-faithful AI on the Ball API sandbox.")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--data-dir", type=Path, default=Path(".sandbox/aiontheball"))
    parser.add_argument(
        "--step-seconds", type=float, default=2.0, help="seconds per video/analysis status step (default 2)"
    )
    parser.add_argument(
        "--demo", action="store_true", help="seed the demo key-holder and two analysed matches"
    )
    parser.add_argument("--quiet", action="store_true", help="do not log every request")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    serve(
        port=args.port,
        data_dir=args.data_dir,
        step_seconds=args.step_seconds,
        demo=args.demo,
        host=args.host,
        quiet=args.quiet,
    )


if __name__ == "__main__":
    main()
