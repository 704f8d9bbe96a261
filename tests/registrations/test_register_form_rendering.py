"""The registration form renders in one pass: no template per field or per widget, and the
same markup as the shared field template."""

import pytest
from django.forms.renderers import DjangoTemplates
from django.test.signals import template_rendered

from registrations.forms import RegistrationForm
from registrations.selectors import category_availability, open_categories
from registrations.templatetags.form_rows import field_row
from tests.factories import make_category, make_delegate, make_event

pytestmark = pytest.mark.django_db

# base.html, the page, and the few small includes it has (dates, form errors, one label per
# category); an include per field or a template per widget pushes it far past this.
MAX_TEMPLATES_PER_FORM_PAGE = 15


def test_register_form_page_renders_few_templates(client):
    event = make_event()
    for _ in range(3):
        make_category(event)
    client.force_login(make_delegate())
    rendered = []

    def record(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(record)
    try:
        response = client.get(f"/en/events/{event.slug}/register/")
    finally:
        template_rendered.disconnect(record)

    assert response.status_code == 200
    assert 'name="first_name"' in response.content.decode()
    assert len(rendered) <= MAX_TEMPLATES_PER_FORM_PAGE, "\n".join(rendered)


@pytest.mark.parametrize("bound", [False, True], ids=["blank", "with-errors"])
def test_python_widgets_match_djangos_widget_templates(bound):
    event = make_event()
    make_category(event)
    categories = open_categories(event)
    data = {"first_name": "<b>Ai</b>", "dietary_needs": 'Halal & "no" nuts', "latin_name": "Ж"}
    form = RegistrationForm(
        data if bound else None,
        categories=categories,
        availability=category_availability(event, categories),
        initial={"first_name": "O'Neil & <Co>", "consent_attendee_list": True},
    )
    form.is_valid() if bound else None
    django_form = RegistrationForm(
        data if bound else None,
        categories=categories,
        availability=category_availability(event, categories),
        initial={"first_name": "O'Neil & <Co>", "consent_attendee_list": True},
        renderer=DjangoTemplates(),
    )
    django_form.is_valid() if bound else None

    for name in RegistrationForm.field_order[1:]:
        python = field_row(form[name])
        templated = field_row(django_form[name])
        assert python == templated, name
