from datetime import date

import pytest

from rogatory.register.models import Outcome

from .factories import make_request

pytestmark = pytest.mark.django_db


def test_refused_request_projects_decision():
    request = make_request(
        outcome=Outcome.REFUSED, decided_on=date(2023, 5, 1), grounds=("political_offence",)
    )
    assert request.status == "refused"
    assert request.political is True
    assert list(request.grounds.values_list("code", flat=True)) == ["political_offence"]
