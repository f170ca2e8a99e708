"""The `label` template filter: a field's value named in the page's language."""

from django.utils import translation

from rogatory.register.models import Request
from rogatory.web.templatetags.labels import label


def test_label_names_a_value_as_its_display_method_does_in_each_language():
    request = Request(direction="outgoing", kind="extradition", status="refused", outcome="")
    for language in ("en", "ru", "en"):
        with translation.override(language):
            for field in ("direction", "kind", "status"):
                expected = getattr(request, f"get_{field}_display")()
                assert label(request, field) == expected
    with translation.override("ru"):
        assert label(request, "direction") != "outgoing"


def test_label_of_a_value_outside_the_choices_is_the_value():
    assert label(Request(status="unheard-of"), "status") == "unheard-of"
