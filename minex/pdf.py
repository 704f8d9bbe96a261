"""WeasyPrint's per-process state, shared by the apps that make PDFs (billing's documents,
visa letters).

Made anew for each document (WeasyPrint's default), a font configuration looks the fonts up
and loads them again every time, and a worker's memory grows with the documents it has made
(bench/billing_pdf.py measures it); a stylesheet is parsed again for every document. Both are
made once per process here and reused: neither holds anything of one document.
"""

import functools

from django.template.loader import render_to_string

_font_config = None


def font_config():
    """The process's one WeasyPrint `FontConfiguration`."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


@functools.cache
def stylesheet(template_name: str):
    """The stylesheet in template `template_name` (rendered without a context, so it must not
    depend on one), parsed once per process: pass it to `write_pdf(stylesheets=[...])`."""
    from weasyprint import CSS

    return CSS(string=render_to_string(template_name), font_config=font_config())
