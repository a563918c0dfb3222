import pytest

from notecheck.checker import Checker


@pytest.fixture(scope="session")
def checker() -> Checker:
    return Checker()
