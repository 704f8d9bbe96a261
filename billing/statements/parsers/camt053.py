"""ISO 20022 CAMT.053 (bank-to-customer statement) XML, read with defusedxml: no entity
expansion, no external references. Namespaces differ between versions (camt.053.001.02 to
.13), so they are stripped and elements found by their local names."""

import datetime
from decimal import Decimal, InvalidOperation

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.utils.translation import gettext

from ..errors import StatementError
from . import ParsedLine, ParsedStatement, check_line_count, clean_text


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _strip_namespaces(root) -> None:
    """Every tag by its local name, so ElementTree's own (fast) paths find them."""
    for element in root.iter():
        element.tag = _local(element.tag)


def _children(element, name: str) -> list:
    return element.findall(name)


def _find(element, path: str):
    return element.find(path)


def _findall(element, path: str) -> list:
    return element.findall(path)


def _text(element, path: str) -> str:
    return (element.findtext(path) or "").strip()


def _amount(element) -> tuple[Decimal, str] | None:
    if element is None:
        return None
    try:
        amount = Decimal((element.text or "").strip())
    except InvalidOperation:
        raise StatementError(gettext("The CAMT.053 statement has an unreadable amount.")) from None
    return amount, (element.get("Ccy") or "").upper()


def _date(entry) -> datetime.date:
    for path in ("BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"):
        value = _text(entry, path)
        if value:
            try:
                return datetime.date.fromisoformat(value[:10])
            except ValueError:
                break
    raise StatementError(gettext("A booking in the CAMT.053 statement has no readable date."))


def _remittance(node) -> str:
    parts = [each.text or "" for each in _findall(node, "RmtInf/Ustrd")]
    parts += [each.text or "" for each in _findall(node, "RmtInf/Strd/CdtrRefInf/Ref")]
    parts.append(_text(node, "AddtlTxInf"))
    return " ".join(part.strip() for part in parts if part and part.strip())


def _payer(details) -> str:
    return _text(details, "RltdPties/Dbtr/Nm") or _text(details, "RltdPties/Dbtr/Pty/Nm")


def _bank_id(entry, details) -> str:
    ids = [_text(entry, "AcctSvcrRef")]
    if details is not None:
        for path in ("Refs/AcctSvcrRef", "Refs/TxId", "Refs/EndToEndId"):
            value = _text(details, path)
            if value and value.upper() != "NOTPROVIDED":
                ids.append(value)
                break
    return "/".join(each for each in ids if each)


def parse(content: bytes) -> ParsedStatement:
    try:
        root = fromstring(content)
    except (ParseError, DefusedXmlException, ValueError):
        raise StatementError(gettext("This file is not a CAMT.053 statement.")) from None
    _strip_namespaces(root)
    statements = _findall(root, "BkToCstmrStmt/Stmt")
    if _local(root.tag) != "Document" or not statements:
        raise StatementError(gettext("This file is not a CAMT.053 statement."))
    check_line_count(sum(len(_children(each, "Ntry")) for each in statements))
    parsed = ParsedStatement(
        account=(_text(statements[0], "Acct/Id/IBAN") or _text(statements[0], "Acct/Id/Othr/Id"))
        .replace(" ", "")
        .upper(),
        bank_statement_id=clean_text(_text(statements[0], "Id"), 100),
    )
    for statement in statements:
        for entry in _children(statement, "Ntry"):
            entry_amount = _amount(_find(entry, "Amt"))
            if entry_amount is None:
                raise StatementError(gettext("A booking in the CAMT.053 statement has no amount."))
            sign = -1 if _text(entry, "CdtDbtInd") == "DBIT" else 1
            booked_on = _date(entry)
            details = _findall(entry, "NtryDtls/TxDtls")
            # A batch booking lists each transfer in its own TxDtls: one line each.
            split = len(details) > 1
            for each in details if details else [None]:
                amount, currency = entry_amount
                if split:
                    own = _amount(_find(each, "Amt")) or _amount(_find(each, "AmtDtls/TxAmt/Amt"))
                    if own is not None:
                        amount, currency = own
                reference = " ".join(
                    part
                    for part in (
                        _remittance(each) if each is not None else "",
                        _text(entry, "AddtlNtryInf"),
                    )
                    if part
                )
                parsed.lines.append(
                    ParsedLine(
                        booked_on=booked_on,
                        amount=sign * amount,
                        currency=currency,
                        reference=clean_text(reference, 2000),
                        counterparty=clean_text(_payer(each) if each is not None else "", 300),
                        bank_id=clean_text(_bank_id(entry, each), 100),
                    )
                )
    return parsed
