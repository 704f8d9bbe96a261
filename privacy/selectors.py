from django.utils import timezone

from minex.personal_data import registered_sources


def personal_data(user) -> dict:
    """Everything the portal holds about `user`, one key per registered source (in the
    sources' order), as plain JSON values: the download and the readable page."""
    return {
        "generated_at": timezone.now().isoformat(),
        "sources": {source.name: source.export(user) for source in registered_sources()},
    }


def personal_data_sections(user) -> list[dict]:
    """The same, for the readable page: each source's label, what is kept on deletion, and
    its data."""
    return [
        {
            "name": source.name,
            "label": source.label,
            "kept": source.kept,
            "data": source.export(user),
        }
        for source in registered_sources()
    ]
