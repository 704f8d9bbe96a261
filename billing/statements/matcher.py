"""Which invoices a statement's credits pay: pure Python over plain values, no database.

For each credit, in statement order:

1. **Identifiers.** Payment references (`billing.references.find_references`: spaces,
   dashes and case forgiven, the Luhn check digit catching a mistyped digit) and invoice
   numbers ("MXUK-2026-00042", "mxuk 2026 42", "MXUK/2026/00042") named in the text. The
   transfer pays all the invoices it names: when the amount is their outstanding sum, or
   within the bank-fee tolerance of it (the shortfall or surplus is kept as `difference`),
   the line is **matched**; a different amount, an invoice already paid or one in another
   currency makes it **ambiguous**, with the named invoices proposed.
2. **Payer and amount.** Without identifiers, invoices whose outstanding amount the credit
   meets (within the tolerance) and whose buyer's name (or organisation) appears in the
   payer's name or the text — every word of it, each allowed one typo (a letter missing,
   extra, changed or two swapped) — are candidates: exactly one is **matched**, several are
   **ambiguous**.
3. Otherwise the line is **unmatched**. Debits are not payments.

Money matched to an invoice is taken off its outstanding amount before the next line, so a
second transfer for the same invoice is not matched to it again.
"""

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ..references import find_references

MATCHED = "matched"
AMBIGUOUS = "ambiguous"
UNMATCHED = "unmatched"
NOT_A_PAYMENT = "not_a_payment"

BY_REFERENCE = "reference"
BY_INVOICE_NUMBER = "invoice_number"
BY_NAME_AND_AMOUNT = "name_and_amount"

MAX_CANDIDATES = 5
_SEPARATORS = r"[\s\-./_#:]*"
# Words in names and remittance texts that say nothing about who paid.
_STOP_WORDS = frozenset(
    [
        "ltd",
        "llp",
        "llc",
        "plc",
        "gmbh",
        "inc",
        "jsc",
        "too",
        "ao",
        "oao",
        "zao",
        "the",
        "and",
        "for",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "invoice",
        "payment",
        "registration",
        "fee",
        "fees",
        "minex",
        "forum",
        "delegate",
        "ref",
        "no",
    ]
)


@dataclass
class OpenInvoice:
    """What the matcher needs of an issued invoice. `outstanding` ≤ 0: paid."""

    pk: int
    number: str
    payment_reference: str
    currency: str
    outstanding: Decimal
    buyer_name: str = ""
    buyer_organisation: str = ""


@dataclass
class Verdict:
    outcome: str
    basis: str = ""
    allocations: list[tuple[int, Decimal]] = field(default_factory=list)  # (invoice pk, amount)
    difference: Decimal | None = None  # received minus due
    candidates: list[int] = field(default_factory=list)


def _fold(text: str) -> str:
    """Lower case, accents off, anything but letters and digits a space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\W_]+", " ", plain)


def name_words(text: str) -> list[str]:
    return [word for word in _fold(text).split() if len(word) >= 2 and word not in _STOP_WORDS]


def typo_keys(word: str) -> set[str]:
    """The word and the word less any one letter: two words within one typo of each other
    (a letter missing, extra, changed, or two neighbours swapped) share a key."""
    keys = {word}
    if len(word) >= 4:
        keys.update(word[:i] + word[i + 1 :] for i in range(len(word)))
    return keys


def invoice_number_key(prefix: str, year: str, serial: str) -> str:
    return f"{prefix.upper()}-{year}-{int(serial)}"


class Matcher:
    """Built once per statement from the entity's issued invoices; `match` one line at a time."""

    def __init__(self, invoices: list[OpenInvoice], *, tolerance: Decimal):
        self.tolerance = Decimal(tolerance)
        self.invoices = {invoice.pk: invoice for invoice in invoices}
        self.by_reference = {inv.payment_reference: inv.pk for inv in invoices}
        prefixes = sorted({inv.number.split("-")[0] for inv in invoices if inv.number}, key=len)
        self.number_pattern = (
            re.compile(
                r"(?<![A-Z0-9])("
                + "|".join(re.escape(prefix) for prefix in reversed(prefixes))
                + r")"
                + _SEPARATORS
                + r"(\d{4})"
                + _SEPARATORS
                + r"(\d{1,6})(?!\d)",
                re.IGNORECASE,
            )
            if prefixes
            else None
        )
        self.by_number = {}
        for invoice in invoices:
            found = self.number_pattern.search(invoice.number) if self.number_pattern else None
            if found:
                self.by_number[invoice_number_key(*found.groups())] = invoice.pk
        # Each buyer's names as lists of words, and an index from typo keys to invoices.
        self.names: dict[int, list[list[set[str]]]] = {}
        self.by_key: dict[str, set[int]] = defaultdict(set)
        for invoice in invoices:
            names = []
            for name in (invoice.buyer_name, invoice.buyer_organisation):
                words = name_words(name)
                if words:
                    names.append([typo_keys(word) for word in words])
                    for word in words:
                        for key in typo_keys(word):
                            self.by_key[key].add(invoice.pk)
            self.names[invoice.pk] = names
        # Outstanding amounts as they were, sorted, to find invoices near an amount quickly;
        # those booked since (`_touched`) are always looked at again.
        self._by_amount: dict[Decimal, set[int]] = defaultdict(set)
        for invoice in invoices:
            self._by_amount[invoice.outstanding].add(invoice.pk)
        self._amounts = sorted(self._by_amount)
        self._touched: set[int] = set()

    def _named_invoices(self, text: str) -> tuple[list[int], str]:
        """Invoices the text names, in order, and by what (a reference is the stronger)."""
        named, basis = [], ""
        for reference in find_references(text):
            pk = self.by_reference.get(reference)
            if pk is not None and pk not in named:
                named.append(pk)
                basis = BY_REFERENCE
        if self.number_pattern is not None:
            for found in self.number_pattern.finditer(text):
                pk = self.by_number.get(invoice_number_key(*found.groups()))
                if pk is not None and pk not in named:
                    named.append(pk)
                    basis = basis or BY_INVOICE_NUMBER
        return named, basis

    def match(self, *, amount: Decimal, currency: str, text: str, payer: str = "") -> Verdict:
        if amount <= 0:
            return Verdict(NOT_A_PAYMENT)
        named, basis = self._named_invoices(f"{text} {payer}")
        if named:
            return self._match_named(named, basis, amount=amount, currency=currency)
        return self._match_by_name(amount=amount, currency=currency, text=f"{payer} {text}")

    def _allocate(self, pks: list[int], amount: Decimal) -> list[tuple[int, Decimal]]:
        """Each invoice its outstanding amount, the last one what is left (less for a
        shortfall, more for a surplus)."""
        allocations, left = [], amount
        for pk in pks[:-1]:
            share = min(self.invoices[pk].outstanding, left)
            if share > 0:
                allocations.append((pk, share))
                left -= share
        if left > 0:
            allocations.append((pks[-1], left))
        return allocations

    def _book(self, allocations: list[tuple[int, Decimal]]) -> None:
        for pk, share in allocations:
            self.invoices[pk].outstanding -= share
            self._touched.add(pk)

    def _near(self, pks: set[int], amount: Decimal) -> set[int]:
        """Those of `pks` whose outstanding amount may be within the tolerance of `amount`
        (set intersections: a statement has thousands of lines, prices are few)."""
        low = bisect_left(self._amounts, amount - self.tolerance)
        high = bisect_right(self._amounts, amount + self.tolerance)
        buckets = (self._by_amount[each] for each in self._amounts[low:high])
        return set().union(*(pks & bucket for bucket in buckets)) | (pks & self._touched)

    def _match_named(self, named: list[int], basis: str, *, amount, currency) -> Verdict:
        usable = [
            pk
            for pk in named
            if self.invoices[pk].currency == currency and self.invoices[pk].outstanding > 0
        ]
        if len(usable) < len(named) or not usable:
            # Another currency, or already paid (twice paid?): someone decides.
            proposal = self._allocate(usable, amount) if usable else []
            return Verdict(AMBIGUOUS, basis, proposal, None, named[:MAX_CANDIDATES])
        due = sum(self.invoices[pk].outstanding for pk in usable)
        difference = amount - due
        allocations = self._allocate(usable, amount)
        if abs(difference) <= self.tolerance:
            self._book(allocations)
            return Verdict(MATCHED, basis, allocations, difference, usable[:MAX_CANDIDATES])
        return Verdict(AMBIGUOUS, basis, allocations, difference, usable[:MAX_CANDIDATES])

    def _name_score(self, pk: int, keys: set[str]) -> float:
        best = 0.0
        for words in self.names[pk]:
            found = sum(1 for word_keys in words if word_keys & keys)
            best = max(best, found / len(words))
        return best

    def _match_by_name(self, *, amount, currency, text) -> Verdict:
        keys = set()
        for word in name_words(text):
            keys |= typo_keys(word)
        hits = set().union(*(self.by_key[key] for key in keys if key in self.by_key))
        hits = self._near(hits, amount)
        scored = []
        for pk in hits:
            invoice = self.invoices[pk]
            if invoice.currency != currency or invoice.outstanding <= 0:
                continue
            if abs(amount - invoice.outstanding) > self.tolerance:
                continue
            scored.append((self._name_score(pk, keys), pk))
        scored.sort(key=lambda each: (-each[0], each[1]))
        complete = [pk for score, pk in scored if score == 1.0]
        if len(complete) == 1:
            pk = complete[0]
            allocations = [(pk, amount)]
            difference = amount - self.invoices[pk].outstanding
            self._book(allocations)
            return Verdict(MATCHED, BY_NAME_AND_AMOUNT, allocations, difference, [pk])
        candidates = [pk for score, pk in scored if score >= 0.5][:MAX_CANDIDATES]
        if candidates:
            return Verdict(AMBIGUOUS, BY_NAME_AND_AMOUNT, [], None, candidates)
        return Verdict(UNMATCHED)
