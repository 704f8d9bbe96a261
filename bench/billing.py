"""Benchmark: billing — matching a bank statement to invoices, and (bdocs' half) rendering
invoice PDFs.

    .venv/bin/python bench/billing.py                  # a 5,000-line statement
    .venv/bin/python bench/billing.py --lines 300      # tiny

Creates its own database (minex_bench_billing: dropped, created, migrated), an issuing
entity with a bank account, one event and as many issued invoices as the statement has
lines. Registrations and invoices are inserted in bulk, not through the services: those
lock, number one invoice at a time and queue e-mails, and this measures matching, not
invoicing.

The statement (CAMT.053) has the noise real ones have, drawn from a seeded random source:
payment references typed with and without spaces, in lower case, with dashes, with a
mistyped digit; invoice numbers written "MXUK/2026/42" or "inv mxuk 2026 00042"; transfers
with only the payer's name (a letter missing, extra, changed or swapped) and the amount; two
invoices paid in one transfer; bank fees taken off the amount; companies paying for their
delegate; payers named nowhere on the invoice (an agency, a colleague) and intermediary
fees above the tolerance, which no matcher should book without a person; and lines that pay
no invoice (interest, refunds from suppliers, bank charges).

In one run:
- `parse_seconds`: reading the file alone (the baseline);
- `match_seconds`: the whole import as the secretariat's upload runs it
  (`billing.statements.services.import_statement`: read, load the entity's invoices, match,
  store lines and proposals), and `match_ratio_to_parse` against the baseline;
- `auto_matched_share`: of the lines that pay invoices, those matched automatically to
  exactly the right invoices; `wrong_matches`: lines matched to a wrong invoice (or an
  unrelated line matched at all) — this must stay 0.
- the PDF half (`invoices_per_second`, `peak_rss_mb_100`, `peak_rss_mb_1000`): bdocs'
  bench/billing_pdf.py, called from `pdf_figures` (`--skip-pdf` leaves it out).
Progress goes to stderr; the last line on stdout is one JSON object.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on the path; the project root takes its place, so
# `bench.…` and the apps import the same way as from the test suite.
sys.path[0] = str(ROOT)

import argparse
import datetime
import importlib.util
import json
import os
import random
import statistics
import tempfile
import time
from decimal import Decimal
from xml.sax.saxutils import escape

PG = os.environ.get("BENCH_PG", "postgres://minex@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "minex_bench_billing")
IBAN = "GB33BUKB20201555555555"
PRICES = [Decimal("600.00"), Decimal("250.00"), Decimal("720.00"), Decimal("300.00")]
FIRST_NAMES = [
    "Aigerim",
    "Yerlan",
    "Daniyar",
    "Madina",
    "Askar",
    "Saule",
    "Nurlan",
    "Gulnara",
    "Timur",
    "Aliya",
    "Ivan",
    "Olga",
    "Sergei",
    "Anna",
    "Dmitry",
    "Elena",
    "John",
    "Sarah",
    "Michael",
    "Emma",
    "David",
    "Laura",
    "Peter",
    "Maria",
    "Chen",
    "Wei",
    "Li",
    "Ahmed",
    "Fatima",
    "Mehmet",
    "Ayse",
    "Kenji",
    "Yuki",
    "Arman",
    "Dana",
    "Bolat",
    "Zhanna",
    "Ruslan",
    "Kamila",
]
SYLLABLES = [
    "ka",
    "ra",
    "bek",
    "sa",
    "mu",
    "zhan",
    "tay",
    "nur",
    "gal",
    "ol",
    "ser",
    "ik",
    "an",
    "bay",
    "tur",
    "mir",
    "zak",
    "u",
    "le",
    "da",
    "ko",
    "vin",
    "pet",
]
ENDINGS = ["ov", "ova", "enko", "uly", "kyzy", "son", "ev", "eva", "in", "ina", "er", "ski"]
COMPANIES = "Steppe Minerals|Altai Gold|Kazakh Copper|Nordic Nickel|Aral Lithium|Caspian Iron"
UNRELATED = [
    "Interest November",
    "Refund from venue deposit",
    "VAT refund Q3",
    "Sponsor contribution",
    "Transfer between own accounts",
    "Exhibitor stand fee",
]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def environment() -> dict:
    return {
        **{k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")},
        "DJANGO_SETTINGS_MODULE": "minex.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "ALLOWED_HOSTS": "testserver",
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="minex-bench-billing-media-"),
        "STATIC_ROOT": tempfile.mkdtemp(prefix="minex-bench-billing-static-"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }  # fmt: skip


def fresh_database(env: dict) -> None:

    from bench.harness import recreate_database

    recreate_database(PG, DATABASE, env)


# Synthetic invoices -----------------------------------------------------------------------


def surname(rng: random.Random) -> str:
    body = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return (body + rng.choice(ENDINGS)).capitalize()


def prepare(count: int, rng: random.Random):
    """An entity, its account, an event and `count` issued invoices; returns the account."""
    import django

    django.setup()
    from django.utils import timezone

    from accounts.models import User
    from bench.export import copy_rows, registration_rows
    from billing.models import EventIssuer, Invoice, IssuingEntity
    from billing.references import new_payment_reference
    from registrations.models import Registration
    from tests.billing.bank import make_account
    from tests.factories import make_category, make_event, make_forum

    entity = IssuingEntity.objects.create(
        legal_name="MINEX Bench Ltd", address="London", country="GB", invoice_prefix="MXUK",
        vat_mode=IssuingEntity.VatMode.EXEMPT,
    )  # fmt: skip
    account = make_account(entity, iban=IBAN, is_default=True)
    event = make_event(make_forum(name_en="MINEX Bench", code="BEN"), capacity=count * 2)
    EventIssuer.objects.create(event=event, currency="EUR", entity=entity)
    now = timezone.now()
    copy_rows(
        User,
        (
            {"password": "!", "last_login": None, "is_superuser": False, "is_staff": False,
             "email": f"payer{n}@bench.minexforum.com", "is_active": True, "date_joined": now}
            for n in range(count)
        ),
    )  # fmt: skip
    user_ids = list(
        User.objects.filter(email__endswith="@bench.minexforum.com")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    copy_rows(Registration, registration_rows(event, [make_category(event)], user_ids, now))
    registrations = list(Registration.objects.filter(event=event).order_by("pk"))
    references, invoices = set(), []
    today = timezone.localdate()
    for n, registration in enumerate(registrations, start=1):
        reference = new_payment_reference(today.year)
        while reference in references:
            reference = new_payment_reference(today.year)
        references.add(reference)
        gross = rng.choice(PRICES)
        company = rng.random() < 0.3
        invoices.append(
            Invoice(
                kind=Invoice.Kind.INVOICE, entity=entity, registration=registration,
                status=Invoice.Status.ISSUED, number=f"MXUK-{today.year}-{n:05d}",
                sequence_number=n, year=today.year,
                buyer_name=f"{rng.choice(FIRST_NAMES)} {surname(rng)}",
                buyer_organisation=(
                    f"{rng.choice(COMPANIES.split('|'))} {surname(rng)} LLP" if company else ""
                ),
                buyer_email=registration.email, currency="EUR", net=gross,
                vat_rate=Decimal("0"), vat=Decimal("0"), gross=gross, vat_exempt=True,
                issued_on=today, due_on=today + datetime.timedelta(days=14),
                payment_reference=reference, languages=["en"],
            )
        )  # fmt: skip
    Invoice.objects.bulk_create(invoices, batch_size=1000)
    return account, list(Invoice.objects.filter(entity=entity).order_by("pk"))


# A noisy statement ------------------------------------------------------------------------


def typo(word: str, rng: random.Random) -> str:
    """One slip of the finger: a letter missing, extra, changed, or two swapped."""
    if len(word) < 5:
        return word
    i = rng.randint(1, len(word) - 2)
    kind = rng.choice(["delete", "insert", "replace", "swap"])
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "insert":
        return word[:i] + rng.choice("aeiou") + word[i:]
    if kind == "replace":
        return word[:i] + rng.choice("aeiouy") + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def written_reference(compact: str, rng: random.Random) -> str:
    style = rng.randrange(4)
    if style == 0:
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    if style == 1:
        return compact.lower()
    if style == 2:
        return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"
    return compact


def written_number(invoice, rng: random.Random) -> str:
    prefix, year, serial = invoice.number.split("-")
    return rng.choice(
        [invoice.number, f"{prefix}/{year}/{int(serial)}", f"inv {prefix.lower()} {year} {serial}"]
    )


def mistyped_reference(compact: str, rng: random.Random) -> str:
    i = rng.randint(4, len(compact) - 1)
    digit = str((int(compact[i]) + rng.randint(1, 9)) % 10)
    return compact[:i] + digit + compact[i + 1 :]


def payer_of(invoice, rng: random.Random, *, with_typo: bool) -> str:
    name = invoice.buyer_organisation or invoice.buyer_name
    words = name.split()
    if with_typo:
        i = rng.randrange(len(words))
        words[i] = typo(words[i], rng)
    if rng.random() < 0.5:
        words = list(reversed(words))
    text = " ".join(words)
    return text.upper() if rng.random() < 0.4 else text


def statement_lines(invoices, count: int, rng: random.Random):
    """(amount, text, payer, expected invoice pks or None) for `count` lines."""
    pool = list(invoices)
    rng.shuffle(pool)
    lines = []
    while len(lines) < count:
        roll = rng.random()
        if roll < 0.10 or len(pool) < 2:  # pays no invoice
            if rng.random() < 0.4:
                lines.append((-Decimal(rng.randint(5, 40)), "Bank charges", "", None))
            else:
                amount = Decimal(rng.randint(1000, 900000)) / 100
                lines.append((amount, rng.choice(UNRELATED), surname(rng) + " Ltd", None))
            continue
        fee = Decimal(rng.randint(5, 20)) if rng.random() < 0.12 else Decimal("0")
        if rng.random() < 0.02:  # an intermediary bank took more than the tolerance
            fee = Decimal(rng.randint(30, 60))
        if roll < 0.15:  # two invoices, one transfer
            first, second = pool.pop(), pool.pop()
            text = (
                f"{written_reference(first.payment_reference, rng)} {written_number(second, rng)}"
            )
            lines.append((first.gross + second.gross - fee, text, "", {first.pk, second.pk}))
            continue
        invoice = pool.pop()
        payer = payer_of(invoice, rng, with_typo=rng.random() < 0.5)
        if roll < 0.62:
            text = f"Payment {written_reference(invoice.payment_reference, rng)} MINEX"
        elif roll < 0.77:
            text = f"Registration fee {written_number(invoice, rng)}"
        elif roll < 0.82:  # the reference mistyped: only the name and amount are left
            text = f"MINEX {mistyped_reference(invoice.payment_reference, rng)}"
        elif roll < 0.85:  # a colleague or an agency paid, naming nothing we know
            text, payer = "conference", f"{rng.choice(FIRST_NAMES)} {surname(rng)} Travel"
        else:
            text = rng.choice(["conference fee", "MINEX forum", "registration", ""])
        lines.append((invoice.gross - fee, text, payer, {invoice.pk}))
    return lines


def camt(lines) -> bytes:
    entries = []
    start = datetime.date(2026, 11, 1)
    for n, (amount, text, payer, _expected) in enumerate(lines):
        day = start + datetime.timedelta(days=n % 28)
        sign = "DBIT" if amount < 0 else "CRDT"
        entries.append(
            f'<Ntry><Amt Ccy="EUR">{abs(amount):.2f}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
            f"<BookgDt><Dt>{day.isoformat()}</Dt></BookgDt><AcctSvcrRef>BANK{n:07d}</AcctSvcrRef>"
            f"<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>{escape(payer)}</Nm></Dbtr></RltdPties>"
            f"<RmtInf><Ustrd>{escape(text)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        f"<Stmt><Id>BENCH</Id><Acct><Id><IBAN>{IBAN}</IBAN></Id></Acct>{''.join(entries)}"
        "</Stmt></BkToCstmrStmt></Document>"
    ).encode()


# The measurements -------------------------------------------------------------------------


def parse_seconds(content: bytes) -> float:
    from billing.statements.parsers import parse_statement

    runs = []
    for _ in range(3):
        started = time.perf_counter()
        parse_statement(content, statement_format="camt053", currency="EUR")
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def import_once(account, content: bytes):
    """The import as the upload runs it: (statement, wall seconds, this process's CPU
    seconds — the database's work not included)."""
    from billing.statements.services import import_statement

    started, cpu = time.perf_counter(), time.process_time()
    statement = import_statement(
        account,
        content=content,
        file_name="bench.xml",
        statement_format="camt053",
        fee_tolerance=Decimal("25"),
        acting_user=None,
    )
    return statement, time.perf_counter() - started, time.process_time() - cpu


def score(statement, lines) -> dict:
    from billing.models import StatementAllocation, StatementLine

    outcomes = dict(statement.lines.values_list("position", "outcome"))
    paid = {}
    for position, invoice_id in StatementAllocation.objects.filter(
        line__statement=statement
    ).values_list("line__position", "invoice_id"):
        paid.setdefault(position, set()).add(invoice_id)
    paying = right = wrong = 0
    for position, (_amount, _text, _payer, expected) in enumerate(lines, start=1):
        matched = outcomes[position] == StatementLine.Outcome.MATCHED
        if expected is None:
            wrong += int(matched)
            continue
        paying += 1
        if matched and paid.get(position) == expected:
            right += 1
        elif matched:
            wrong += 1
    counts = {}
    for outcome in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return {"paying": paying, "right": right, "wrong": wrong, "outcomes": counts}


PDF_KEYS = ("invoices_per_second", "peak_rss_mb_100", "peak_rss_mb_1000")


def pdf_figures(args) -> dict:
    """The PDF half of this benchmark, bdocs' `bench/billing_pdf.py`
    (`measure_pdf_rendering`: invoice PDFs by a real worker, its memory at 100 and 1,000),
    run in its own process and database. Null when skipped (`--skip-pdf`), or when that
    module is not in this checkout yet (the branches are merged separately)."""
    if args.skip_pdf or importlib.util.find_spec("bench.billing_pdf") is None:
        say("PDF half: not run")
        return dict.fromkeys(PDF_KEYS)
    from bench.billing_pdf import measure_pdf_rendering

    say(f"PDF half: {args.pdf_count:,} invoices by a worker…")
    # Its own database, never this benchmark's (it drops the one it is given).
    os.environ["BENCH_DATABASE"] = f"{DATABASE}_pdf"
    try:
        figures = measure_pdf_rendering(count=args.pdf_count)
    finally:
        os.environ["BENCH_DATABASE"] = DATABASE
    return {key: figures.get(key) for key in PDF_KEYS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--pdf-count", type=int, default=1_000)
    parser.add_argument("--skip-pdf", action="store_true", help="only the statement half")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    env = environment()
    os.environ.update(env)
    say(f"Preparing {DATABASE}…")
    fresh_database(env)
    account, invoices = prepare(args.lines, rng)
    lines = statement_lines(invoices, args.lines, rng)
    content = camt(lines)
    say(f"Statement: {len(lines):,} lines, {len(content) / 1e6:.1f} MB; {len(invoices):,} invoices")

    parse = parse_seconds(content)
    import_once(account, camt(lines[:50]))  # warm up: imports, the first queries
    statement, match, match_cpu = import_once(account, content)
    figures = score(statement, lines)
    say(f"Outcomes: {figures['outcomes']}")

    result = {
        "statement_lines": len(lines),
        "invoices": len(invoices),
        "parse_seconds": round(parse, 3),
        "match_seconds": round(match, 3),
        "match_ratio_to_parse": round(match / parse, 2),
        "match_cpu_seconds": round(match_cpu, 3),
        # Shared machines: a busy host stretches every figure alike (the ratio holds).
        "load_average_1m": round(os.getloadavg()[0], 2),
        "lines_paying_invoices": figures["paying"],
        "auto_matched_share": round(figures["right"] / figures["paying"], 3),
        "wrong_matches": figures["wrong"],
        "outcomes": figures["outcomes"],
        **pdf_figures(args),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
