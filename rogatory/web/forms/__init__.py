"""Forms of the web pages, one module per area."""

from django import forms

from rogatory.core.exceptions import ApplicationError


def service_error_add(
    form: forms.Form, error: ApplicationError, *, field: str | None = None
) -> None:
    """Show a service's error on the field it names, else on `field`, else above the form."""
    field = error.extra.get("field", field)
    form.add_error(field if field in form.fields else None, error.message)
