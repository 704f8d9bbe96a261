"""Visa invitation letters: the PDF (`document`), its rendering by a worker (`rendering`) and
who may download it (`access`).

A letter version is a `VisaLetter` row created "to render" by `visas.services.issue_letter`;
the task `visas.tasks.render_letter` claims it, builds the PDF outside any lock and stores it
in private storage; the public verification page finds it by its token.
"""
