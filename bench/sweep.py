"""Time every list page and the less-trodden ways through the action list, slowest first.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench1m EXECCOORD_DEV=1 \\
        .venv/bin/python bench/sweep.py [--role manager|staff|admin] [--repeat 3] [--over MS]

``bench/run.py`` holds the pages staff use all day to their targets; this finds the page a
user reaches less often that the database answers slowly at the benchmark's size: the list
of every registered model, the action list sorted by each of its columns (both ways),
filtered to each status, deep in its pages and searched for a word found nowhere, global
search, and the benchmark tasker's history and timeline. It prints the median of
``--repeat`` requests after one warm-up (``bench.run.measure``: server time through
Django's test client), the status and the URL, slowest first; ``--over`` prints only pages
slower than that many milliseconds. Found with it at 1M taskers: the status updates list
(1.8 s), the action list of completed work (5 s) and a search for an absent word (1.1 s).
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import setup_django  # noqa: E402


def urls(detail):
    """The URLs to time (``detail``: the benchmark tasker)."""
    from django.urls import NoReverseMatch, reverse

    from actions.choices import ActionStatus
    from execcoord import registry
    from execcoord.utils import viewname

    found = []
    for views in registry.all_registrations():
        try:
            found.append(reverse(viewname(views.model, "list")))
        except NoReverseMatch:
            continue
    model = type(detail)
    actions = reverse(viewname(model, "list"))
    table = registry.get(model).table(model.objects.none())
    for column in table.columns:
        if column.orderable:
            found += [f"{actions}?sort={column.name}", f"{actions}?sort=-{column.name}"]
    found += [f"{actions}?status={status}" for status in ActionStatus.values]
    found += [
        f"{actions}?page=2000",
        f"{actions}?q=zzzqx",
        "/search/?q=zzzqx",
        "/search/?q=budget+oversight",
        reverse(viewname(model, "history"), args=[detail.pk]),
        reverse(viewname(model, "timeline"), args=[detail.pk]),
        "/notifications/",
    ]
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--role", choices=("manager", "staff", "admin"), default="manager")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--over", type=float, default=0, help="only pages slower (ms)")
    args = parser.parse_args(argv)
    setup_django()
    from django.test import Client, override_settings

    from bench import run

    run.keep_connection()
    _, users, detail = run.context()
    user = run.ensure_admin() if args.role == "admin" else users[args.role]
    rows = []
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(user)
        for url in urls(detail):
            row = run.measure(client, url, args.repeat, warmup=1)  # as the runner times
            rows.append((row["median_ms"], row["status"], url))
    print(f"{'median ms':>10}  status  page ({args.role}, load {run.loadavg()[0]:.2f})")
    for ms, status, url in sorted(rows, reverse=True):
        if ms > args.over:
            print(f"{ms:>10.1f}  {status:>6}  {url}")


if __name__ == "__main__":
    main()
