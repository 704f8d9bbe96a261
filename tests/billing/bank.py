"""Builders for statement and card-payment tests: bank accounts, staff, and statement files
in each format (written here, as a bank would)."""

import csv
import io

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from billing.models import BankAccount
from registrations.roles import ORGANISER, SECRETARIAT

IBAN = "GB33BUKB20201555555555"
BIC = "BUKBGB22"


def make_account(entity, *, currency="EUR", iban=IBAN, bic=BIC, **fields) -> BankAccount:
    account = BankAccount(
        entity=entity, currency=currency, bank_name="Barclays", iban=iban, bic=bic, **fields
    )
    account.full_clean()
    account.save()
    return account


def make_staff(email: str, *, group: str | None = None, forums=()) -> User:
    call_command("setup_roles", stdout=io.StringIO())
    user = User.objects.create_user(email, "a-long-test-password", is_staff=True)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for forum in forums:
        forum.organisers.add(user)
    return user


def secretariat_user() -> User:
    return make_staff("secretariat@minexforum.example", group=SECRETARIAT)


def organiser_user(forums=()) -> User:
    return make_staff("organiser@minexforum.example", group=ORGANISER, forums=forums)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_bytes(rows, *, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding)


def mt940_bytes(lines, *, account=IBAN, currency="EUR") -> bytes:
    """`lines`: (yymmdd, amount as "600,00", "C" or "D", remittance, bank id)."""
    body = [":20:STMT2026110", f":25:{account}", ":28C:00042/001", f":60F:C261101{currency}0,00"]
    for day, amount, mark, text, bank_id in lines:
        body.append(f":61:{day}{day[2:]}{mark}{amount}NTRF{bank_id or 'NONREF'}//{bank_id}")
        body.append(f":86:{text}")
    body += [f":62F:C261130{currency}0,00", "-"]
    return "\r\n".join(body).encode()


CAMT_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def camt_entry(
    amount,
    *,
    currency="EUR",
    credit=True,
    date="2026-11-02",
    text="",
    payer="",
    ref="",
    transactions=None,
) -> str:
    if transactions is None:
        transactions = [(None, text, payer, ref)]
    details = "".join(
        "<TxDtls>"
        + (f'<Amt Ccy="{currency}">{own}</Amt>' if own else "")
        + (f"<Refs><AcctSvcrRef>{tx_ref}</AcctSvcrRef></Refs>" if tx_ref else "")
        + (f"<RltdPties><Dbtr><Nm>{tx_payer}</Nm></Dbtr></RltdPties>" if tx_payer else "")
        + (f"<RmtInf><Ustrd>{tx_text}</Ustrd></RmtInf>" if tx_text else "")
        + "</TxDtls>"
        for own, tx_text, tx_payer, tx_ref in transactions
    )
    return (
        f'<Ntry><Amt Ccy="{currency}">{amount}</Amt>'
        f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
        f"<BookgDt><Dt>{date}</Dt></BookgDt><ValDt><Dt>{date}</Dt></ValDt>"
        f"<NtryDtls>{details}</NtryDtls></Ntry>"
    )


def camt_bytes(entries, *, iban=IBAN, currency="EUR") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{CAMT_NS}"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-11-30T08:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>STMT-2026-11</Id><Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>{currency}</Ccy>"
        "</Acct>" + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>"
    ).encode()
