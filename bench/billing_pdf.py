"""Benchmark: invoice PDFs made by a real Celery worker, and its memory from 100 to 1,000.

    .venv/bin/python bench/billing_pdf.py --count 1000

Starts its own PostgreSQL database (minex_bench_billing_pdf, dropped and migrated), a private
redis-server as the broker and a Celery worker (prefork, --concurrency processes, the
production settings driven by the environment, nothing recycled: no max-tasks-per-child).
Makes two real invoices through billing's services — one from a UK entity (English, one
page), one from a Kazakh entity (Russian and English, two pages) — and COUNT issued copies
of them, half each, with their render jobs; then hands the jobs to the worker and times them
until every PDF is stored. The worker's resident memory peak (VmHWM of each worker process)
is read when 10 % of the PDFs are stored and again at the end: flat memory is a ratio near 1.

The baseline, measured in the same run before the worker starts: the same documents rendered
in this one process with WeasyPrint alone (no job, no storage, no broker).

Progress goes to stderr; the last line on stdout is one JSON object. `measure_pdf_rendering`
runs all this in a subprocess and returns that object, for bench/billing.py to merge.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # the project, not bench/, first on the module path (bench/harness.py)

from bench.harness import Processes, free_port, recreate_database, say, wait_for_port

PG = os.environ.get("BENCH_PG", "postgres://minex@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "minex_bench_billing_pdf")
BASELINE_DOCUMENTS = 20


def measure_pdf_rendering(count: int = 1000, concurrency: int = 2, timeout: float = 3600) -> dict:
    """Run this benchmark in a subprocess (its own Django settings and database) and return
    its JSON result: `invoices_per_second`, `peak_rss_mb_100`, `peak_rss_mb_1000`, …"""
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--count", str(count),
         "--concurrency", str(concurrency), "--timeout", str(timeout)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True,
    )  # fmt: skip
    return json.loads(completed.stdout.strip().splitlines()[-1])


def worker_peak_rss_mb(worker: subprocess.Popen) -> float:
    """The largest resident-memory peak (VmHWM) among the worker's processes, in MB."""
    pids = [worker.pid]
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    peak_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))
        except FileNotFoundError:
            continue
    return peak_kb / 1024


def prepare(count: int) -> list[int]:
    """Two real invoices through billing's services, then `count` issued copies of them (half
    English, half Russian and English) with queued render jobs; return the copies' ids."""
    import django

    django.setup()
    from celery import current_app
    from django.db import transaction
    from django.utils import timezone

    from billing.models import DocumentRender, Invoice, InvoiceLine
    from billing.references import new_payment_reference
    from tests.billing.document_factories import make_invoice, make_kz_entity, make_uk_entity

    with transaction.atomic():
        templates = [
            make_invoice(make_uk_entity(), price="600.00", currency="EUR"),
            make_invoice(make_kz_entity(), price="350000.00", currency="KZT", language="ru"),
        ]
    current_app.control.purge()  # the templates' own render tasks: not part of the run
    DocumentRender.objects.all().delete()
    year = timezone.localdate().year
    references: set[str] = {template.payment_reference for template in templates}
    drafts = []
    for n in range(count):
        template = templates[n % 2]
        reference = new_payment_reference(year)
        while reference in references:
            reference = new_payment_reference(year)
        references.add(reference)
        draft = Invoice(
            **{
                field.attname: getattr(template, field.attname)
                for field in Invoice._meta.concrete_fields
                if field.attname not in {"id", "pdf", "created_at"}
            }
        )
        draft.status, draft.number, draft.sequence_number = Invoice.Status.DRAFT, "", None
        draft.issued_on = draft.due_on = None
        draft.payment_reference = reference
        drafts.append(draft)
    say(f"Inserting {count} invoices with their lines...")
    template_lines = {template.pk: list(template.lines.all()) for template in templates}
    issued_on = timezone.localdate()
    with transaction.atomic():
        # One at a time: a registration has one draft at most, and an issued document's lines
        # are frozen (the database refuses them), so each is drafted, lined, then issued.
        for n, draft in enumerate(drafts):
            template = templates[n % 2]
            draft.save(force_insert=True)
            InvoiceLine.objects.bulk_create(
                [
                    InvoiceLine(
                        invoice=draft,
                        **{
                            field.attname: getattr(line, field.attname)
                            for field in InvoiceLine._meta.concrete_fields
                            if field.attname not in {"id", "invoice_id"}
                        },
                    )
                    for line in template_lines[template.pk]
                ]
            )
            Invoice.objects.filter(pk=draft.pk).update(
                status=Invoice.Status.ISSUED,
                sequence_number=draft.pk,
                number=f"{template.entity.invoice_prefix}-{year}-{draft.pk:06d}",
                issued_on=issued_on,
                due_on=template.due_on,
            )
        ids = [draft.pk for draft in drafts]
        DocumentRender.objects.bulk_create(
            [DocumentRender(invoice_id=pk, send_to_buyer=False) for pk in ids], batch_size=1000
        )
    return ids


def baseline_per_second(ids: list[int]) -> float:
    """The same documents rendered here, one after another, with WeasyPrint alone."""
    from billing.documents.pdf import document_queryset, render_pdf

    documents = list(document_queryset().filter(pk__in=ids[:BASELINE_DOCUMENTS]))
    render_pdf(documents[0])  # fonts and templates loaded once, as in a warm worker
    started = time.monotonic()
    for document in documents:
        render_pdf(document)
    return len(documents) / (time.monotonic() - started)


def run(args, environment: dict, processes: Processes, workdir: Path) -> dict:
    ids = prepare(args.count)
    say(f"Baseline: rendering {BASELINE_DOCUMENTS} of them in this process...")
    baseline = baseline_per_second(ids)
    say(f"  {baseline:.2f} PDFs/s")

    say(f"Starting a Celery worker ({args.concurrency} processes)...")
    worker_log = workdir / "worker.log"
    with worker_log.open("wb") as log:
        worker = processes.start(
            [sys.executable, "-m", "celery", "--app", "minex", "worker", "--pool", "prefork",
             "--concurrency", str(args.concurrency), "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--hostname", f"bench-pdf-{os.getpid()}@%h"],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while b"ready." not in worker_log.read_bytes():
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("The Celery worker did not start; see " + str(worker_log))
        time.sleep(0.1)

    from billing.documents.rendering import hand_off
    from billing.models import DocumentRender

    jobs = DocumentRender.objects.filter(invoice_id__in=ids)
    checkpoint = max(1, args.count // 10)
    say(f"Handing {args.count} PDF jobs to the worker...")
    started = time.monotonic()
    hand_off(ids)
    peak_at_checkpoint = None
    last_report = 0.0
    while True:
        done = jobs.filter(status=DocumentRender.Status.DONE).count()
        if peak_at_checkpoint is None and done >= checkpoint:
            peak_at_checkpoint = worker_peak_rss_mb(worker)
            say(f"  {done} stored; worker peak RSS {peak_at_checkpoint:.1f} MB")
        if done >= args.count:
            break
        if time.monotonic() - started > args.timeout or worker.poll() is not None:
            raise RuntimeError(f"Only {done}/{args.count} PDFs stored; see {worker_log}")
        if time.monotonic() - last_report >= 10:
            say(f"  {done}/{args.count} stored")
            last_report = time.monotonic()
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    peak_at_end = worker_peak_rss_mb(worker)
    failed = jobs.exclude(status=DocumentRender.Status.DONE).count()
    per_second = args.count / elapsed
    say(f"  {args.count} PDFs in {elapsed:.1f} s; worker peak RSS {peak_at_end:.1f} MB")
    return {
        "invoices": args.count,
        "worker_processes": args.concurrency,
        "invoices_per_second": round(per_second, 2),
        "baseline_weasyprint_per_second": round(baseline, 2),
        "ratio_to_baseline": round(per_second / baseline, 3),
        "peak_rss_mb_100": round(peak_at_checkpoint, 1),
        "peak_rss_mb_1000": round(peak_at_end, 1),
        "rss_growth_ratio": round(peak_at_end / peak_at_checkpoint, 3),
        "not_done": failed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="PDFs to make (default 1000)")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait")
    args = parser.parse_args()

    workdir = ROOT / "bench" / "results" / DATABASE
    workdir.mkdir(parents=True, exist_ok=True)
    media = Path(tempfile.mkdtemp(prefix="minex-bench-pdf-media-"))
    redis_port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "minex.settings.dev",
        "DEBUG": "false",  # DEBUG keeps every query in memory: the RSS would grow with it
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "MEDIA_ROOT": str(media),
        "LOG_LEVEL": "WARNING",
        # No sweep in this run: every job must be done by its own hand-off.
        "BILLING_PDF_SWEEP_INTERVAL": "3600",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update({key: value for key, value in environment.items() if key != "PATH"})

    processes = Processes()
    try:
        say(f"Creating and migrating database {DATABASE}...")
        recreate_database(PG, DATABASE, environment)
        processes.start(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--logfile", str(workdir / "redis.log")]
        )  # fmt: skip
        wait_for_port(redis_port, 10)
        result = run(args, environment, processes, workdir)
    finally:
        processes.stop_all()
        shutil.rmtree(media, ignore_errors=True)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
