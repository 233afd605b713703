"""The separate publisher process: ``python -m bench.publisher --slug S --count N --rate R``.

Runs Django with the same environment as the servers (DATABASE_URL, REDIS_URL) and calls
``liveblog.commands.entry_publish`` on a fixed schedule, as an editor's process would; on
Redis its broadcasts reach the readers of every server process. Writes the run (see
``publishing.Run``) as JSON to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from bench import payload, publishing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--size", type=int, default=payload.BODY_SIZE)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    blog = publishing.find_blog(args.slug)
    publishing.warm_up(blog)
    run = publishing.Run(count=args.count, rate=args.rate)
    start = run.started = time.monotonic()
    for index in range(args.count):
        delay = publishing.due(start, index, args.rate) - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            seq, seconds = publishing.publish_one(blog, index, args.size)
        except Exception as exc:  # reported by the orchestrator
            run.errors.append(repr(exc))
            continue
        run.record(seq, seconds)
    run.finished = time.monotonic()
    run.done = True
    with open(args.out, "w") as out:
        json.dump(run.as_dict(), out)


if __name__ == "__main__":
    main()
