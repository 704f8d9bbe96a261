"""The migration-service list: an event's approved visa requests as an XLSX in the layout of a
Kazakh invitation petition (`columns`, `xlsx`), and the petition numbers uploaded back
(`reading`: parse a CSV or XLSX; `matching`: match its rows, report, apply through
`visas.services.record_petition`).

Which requests are listed (`LISTED_STATUSES`): those the secretariat has reviewed — in
review (to be filed), petition filed and letter issued (already filed, with their petition
number, so the same file can be filled in and uploaded back). Requested-only requests are
not yet checked; refused and withdrawn ones are not filed; a request whose passport data
was wiped after the event has nothing left to list.
"""
