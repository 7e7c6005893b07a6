"""Run the webhook receiver: `python -m pipelines.receiver --host 127.0.0.1 --port 8600`.

Settings come from the environment (see `config.py`): THREADLINE_HOME,
THREADLINE_META_APP_SECRET, THREADLINE_WEBHOOK_VERIFY_TOKEN,
THREADLINE_CHATWOOT_WEBHOOK_TOKEN and THREADLINE_RECEIVER_* limits. SIGTERM or Ctrl-C
finishes the requests in flight, fsyncs and renames every open file, then exits.
"""

from __future__ import annotations

import argparse
import logging
import sys

import uvicorn
from pydantic import ValidationError

from pipelines.receiver.app import ReceiverApp
from pipelines.receiver.bodies import SOURCES
from pipelines.receiver.config import ReceiverSettings


def _describe(settings: ReceiverSettings, host: str, port: int) -> str:
    def state(secret: object) -> str:
        return "set" if secret is not None else "UNSET (refused)"

    return "\n".join([
        f"Threadline receiver on http://{host}:{port}",
        f"  writes  {settings.landing}/{{{','.join(SOURCES)}}}/<YYYY-MM-DD>/recv-*.jsonl",
        f"  rotate  every {settings.rotate_seconds:g} s or {settings.rotate_bytes} bytes; "
        f"bodies up to {settings.max_body_bytes} bytes",
        f"  POST /webhooks/meta      app secret {state(settings.meta_app_secret)}",
        f"  GET  /webhooks/meta      verify token {state(settings.verify_token)}",
        f"  POST /webhooks/chatwoot  token {state(settings.chatwoot_token)}",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.receiver", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8600)
    parser.add_argument("--log-level", default="info",
                        choices=["critical", "error", "warning", "info", "debug"])
    args = parser.parse_args(argv)

    try:
        settings = ReceiverSettings.from_env()
    except ValidationError as exc:  # report fields and messages only: never the values
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        print(f"invalid receiver settings: {problems}", file=sys.stderr)
        return 2

    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(_describe(settings, args.host, args.port), flush=True)
    config = uvicorn.Config(
        ReceiverApp(settings),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,  # an access line would carry the query string, i.e. tokens
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
    )
    # The landing writer thread needs the GIL back right after each fsync; with the
    # default 5 ms switch interval it can wait behind a busy event loop for that long.
    sys.setswitchinterval(0.001)
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 3


if __name__ == "__main__":
    sys.exit(main())
