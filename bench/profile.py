"""Where a benchmark page's time goes: a sampling profiler over repeated requests.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench EXECCOORD_DEV=1 \\
        .venv/bin/python bench/profile.py --page detail [--role staff] [--requests 200]

Requests the page (a name from ``bench/run.py``'s pages) through the test client, as the
runner does, while a ``SIGPROF`` timer samples the Python stack every ``--interval`` ms of CPU
time. It prints, as shares of all samples:

- **inclusive**: the functions a sample was inside (any depth), the project's own first;
- **self**: the function running when the sample was taken.

Samples are CPU time of this process: the database's own time is not in them (``bench/run.py``
measures it as the page's SQL floor). cProfile would slow the many small calls of template
rendering and query compiling several times over and so mislead; sampling does not.
"""

import argparse
import collections
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import setup_django  # noqa: E402


class Sampler:
    def __init__(self, interval_ms):
        self.interval = interval_ms / 1000
        self.samples = 0
        self.inclusive = collections.Counter()
        self.own = collections.Counter()

    def _sample(self, signum, frame):
        self.samples += 1
        seen = set()
        first = True
        while frame is not None:
            code = frame.f_code
            key = (code.co_filename, code.co_firstlineno, code.co_name)
            if first:
                self.own[key] += 1
                first = False
            if key not in seen:
                seen.add(key)
                self.inclusive[key] += 1
            frame = frame.f_back

    def __enter__(self):
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        return self

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_DFL)


def label(key):
    filename, line, name = key
    path = Path(filename)
    try:
        shown = str(path.relative_to(ROOT))
    except ValueError:
        parts = path.parts
        shown = (
            "/".join(parts[parts.index("site-packages") + 1 :])
            if "site-packages" in parts
            else filename
        )
    return f"{shown}:{line} {name}"


def area(filename):
    """The package and module of a file: ``django/db/models/sql``, ``actions/panels``."""
    parts = Path(filename).with_suffix("").parts
    if "site-packages" in parts:
        parts = parts[parts.index("site-packages") + 1 :]
        return "/".join(parts[:4] if parts[0] == "django" else parts[:2])
    if filename.startswith(str(ROOT)):
        return "/".join(Path(filename).relative_to(ROOT).with_suffix("").parts)
    return "python/" + Path(filename).stem


def own_code(key):
    filename = key[0]
    return (
        filename.startswith(str(ROOT)) and "/.venv/" not in filename and "/bench/" not in filename
    )


def report(sampler, top, out=sys.stdout):
    total = max(sampler.samples, 1)
    out.write(f"{sampler.samples} samples\n\n## inclusive, the project's code\n")
    mine = [(k, n) for k, n in sampler.inclusive.most_common() if own_code(k)]
    for key, n in mine[:top]:
        out.write(f"{100 * n / total:5.1f}%  {label(key)}\n")
    out.write("\n## inclusive, everything\n")
    for key, n in sampler.inclusive.most_common(top):
        out.write(f"{100 * n / total:5.1f}%  {label(key)}\n")
    out.write("\n## self, by module\n")
    modules = collections.Counter()
    for key, n in sampler.own.items():
        modules[area(key[0])] += n
    for name, n in modules.most_common(top):
        out.write(f"{100 * n / total:5.1f}%  {name}\n")
    out.write("\n## self\n")
    for key, n in sampler.own.most_common(top):
        out.write(f"{100 * n / total:5.1f}%  {label(key)}\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", required=True, help="a page name of bench/run.py")
    parser.add_argument("--role", default="staff", choices=["manager", "staff", "admin"])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.5, help="ms of CPU between samples")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)

    setup_django()
    from django.test import Client, override_settings

    import execcoord.wsgi  # noqa: F401  (the server's garbage collection, as bench/run.py)
    from bench.run import context, ensure_admin, fetch, keep_connection

    keep_connection()
    pages, users, _ = context()
    users["admin"] = ensure_admin()
    url = pages[args.page]
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(users[args.role])
        for _ in range(5):
            fetch(client, url)
        started = time.process_time()
        with Sampler(args.interval) as sampler:
            for _ in range(args.requests):
                fetch(client, url)
        cpu_ms = (time.process_time() - started) * 1000 / args.requests
    sys.stdout.write(f"{args.page} as {args.role}, {args.requests} requests: {url}\n")
    # CPU time steadier than wall time on a shared machine: compare changes by it
    sys.stdout.write(f"{cpu_ms:.1f} ms of this process's CPU a request (sampling included)\n")
    report(sampler, args.top)


if __name__ == "__main__":
    main()
