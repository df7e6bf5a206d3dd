"""A test that needs ../shared skips without it locally, saying why, and fails under CI=true."""

import pytest

from tests.conftest import require_shared


def test_a_missing_shared_file_skips_the_test_locally_with_the_reason(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"shared/schemas/nowhere\.xsd not found"):
        require_shared("schemas/nowhere.xsd")


def test_a_missing_shared_file_fails_the_test_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"nowhere\.xsd not found.*CI=true"):
        require_shared("schemas/nowhere.xsd")
