"""The benchmarks' synthetic register must stay a valid register as the format grows."""

import importlib.util
from datetime import date
from pathlib import Path

import pytest

from rogatory.intake.services import register_import
from rogatory.register.models import Request

pytestmark = pytest.mark.django_db

_SYNTHETIC = Path(__file__).resolve().parents[2] / "benchmarks" / "synthetic.py"


def _synthetic():
    spec = importlib.util.spec_from_file_location("synthetic", _SYNTHETIC)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_register_imports_without_an_error(tmp_path):
    path = _synthetic().write_register(tmp_path / "register.csv", 300, last_day=date(2025, 6, 30))

    result = register_import(actor=None, path=path)

    assert result.created == 300
    assert Request.objects.count() == 300
    assert Request.objects.filter(money_laundering=True).exists()
