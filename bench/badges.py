"""Benchmark: one PDF of 1,000 delegates' badges — seconds and peak memory.

    .venv/bin/python bench/badges.py                # 1,000 badges, A6, one per page
    .venv/bin/python bench/badges.py --count 100    # tiny

`run(count)` is what bench/checkin.py calls; it returns the keys `badge_pdf_seconds_1000` and
`badge_pdf_peak_rss_mb` (the issue's target: ≤ 200 MB) with the baseline beside them.

Each measurement runs in a fresh process, so its peak RSS (ru_maxrss) is its own:
- **badges**: `badges.pdf.render_badges`, the function the print action and the batch task
  call, on COUNT badges with long and short names in Latin, Cyrillic and Kazakh, each with its
  QR, fitted names, organisation, country and a category colour band, into a temporary file.
  The badges are built in memory (unsaved Registration and Badge objects, no database): this
  measures drawing; fetching 1,000 rows is a few milliseconds beside it.
- **baseline**: WeasyPrint drawing the same COUNT names in the same font, one plain page
  each, in one document (no QR, no fitting, no chunks): the least any WeasyPrint badge run
  costs. `badge_pdf_ratio` = badges seconds / baseline seconds (`_cpu_` keys: the same in
  CPU seconds, which a busy machine distorts less than wall-clock seconds).
Progress goes to stderr; the last line on stdout is one JSON object.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # bench/email.py must not shadow the standard library's email

import argparse
import json
import os
import resource
import subprocess
import tempfile
import time

FIRST_NAMES = ["Әйгерім", "Иван", "Anna", "Нұрсұлтан", "Olga", "John", "Ғалым", "Мария"]
LAST_NAMES = [
    "Нұрланқызы",
    "Петров-Водкин",
    "Smith",
    "Жұмабаев Қасымжомартұлы Өтегенұлы",
    "Ivanova",
    "Brown",
    "Өмірзақ",
]
ORGANISATIONS = [
    "Steppe Minerals LLP",
    "ТОО «Қазақмыс» — Ұлттық геологиялық барлау және өңдеу корпорациясы",
    "Rio Tinto",
    "ГМК «Норильский никель»",
]
COUNTRIES = ["KZ", "RU", "GB", "DE", "CN", "UZ"]


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minex.settings.dev")
    os.environ.setdefault("SECRET_KEY", "bench-badges-secret-key-not-used-for-anything-real")
    import django

    django.setup()


def _badges(count: int):
    from badges.models import Badge, BadgeDesign, new_badge_code
    from events.models import Event
    from registrations.models import Registration

    event = Event(title="MINEX Central Asia 2026", slug="bench-badges")
    design = BadgeDesign(event=event)
    badges = []
    for n in range(count):
        registration = Registration(
            pk=n + 1,
            event=event,
            category_id=n % 3 + 1,
            first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
            last_name=LAST_NAMES[n % len(LAST_NAMES)],
            latin_name="Aigerim Nurlanova" if n % 2 else "",
            organisation=ORGANISATIONS[n % len(ORGANISATIONS)],
            country=COUNTRIES[n % len(COUNTRIES)],
            category_name=["Delegate", "Speaker", "Media"][n % 3],
        )
        badges.append(Badge(pk=n + 1, registration=registration, code=new_badge_code()))
    return design, badges


def _child_badges(count: int) -> dict:
    _setup_django()
    from badges import pdf

    design, badges = _badges(count)
    started, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryFile() as target:
        drawn = pdf.render_badges(badges, design, target)
        size = target.tell()
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "badges": drawn,
        "bytes": size,
    }


def _child_baseline(count: int) -> dict:
    _setup_django()
    from weasyprint import HTML

    from badges import fit

    design, badges = _badges(count)
    pages = "".join(
        f'<div class="p">{b.registration.first_name} {b.registration.last_name}</div>'
        for b in badges
    )
    style = (
        f"@font-face{{font-family:B;src:url({fit.BOLD.as_uri()})}}"
        "@page{size:105mm 148mm;margin:0}"
        "body{font-family:B}.p{page-break-after:always;font-size:20pt}"
    )
    html = f"<style>{style}</style>{pages}"
    started, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryFile() as target:
        HTML(string=html).write_pdf(target)
        size = target.tell()
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "badges": count,
        "bytes": size,
    }


def _measure(kind: str, count: int) -> dict:
    """Run one measurement in a fresh process; its result with its peak RSS in MB."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--count", str(count)],
        cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{kind} run failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(count: int = 1000) -> dict:
    """Both measurements; the keys bench/checkin.py reports."""
    print(f"badges: drawing {count} badges …", file=sys.stderr)
    drawn = _measure("badges", count)
    print(f"badges: baseline, {count} plain pages …", file=sys.stderr)
    baseline = _measure("baseline", count)
    return {
        "badge_pdf_count": count,
        "badge_pdf_seconds_1000": round(drawn["seconds"] * 1000 / count, 2),
        "badge_pdf_cpu_seconds_1000": round(drawn["cpu_seconds"] * 1000 / count, 2),
        "badge_pdf_peak_rss_mb": drawn["peak_rss_mb"],
        "badge_pdf_bytes": drawn["bytes"],
        "badge_pdf_baseline_seconds_1000": round(baseline["seconds"] * 1000 / count, 2),
        "badge_pdf_baseline_cpu_seconds_1000": round(baseline["cpu_seconds"] * 1000 / count, 2),
        "badge_pdf_baseline_peak_rss_mb": baseline["peak_rss_mb"],
        "badge_pdf_ratio": round(drawn["seconds"] / baseline["seconds"], 2),
        "badge_pdf_cpu_ratio": round(drawn["cpu_seconds"] / baseline["cpu_seconds"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--child", choices=["badges", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        outcome = (_child_badges if args.child == "badges" else _child_baseline)(args.count)
        # ru_maxrss is in KiB on Linux.
        outcome["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        print(json.dumps(outcome))
        return
    print(json.dumps(run(args.count)))


if __name__ == "__main__":
    main()
