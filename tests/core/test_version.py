"""The version Rogatory reports is the installed package's."""

from importlib.metadata import version

import rogatory


def test_version_is_the_installed_packages():
    assert rogatory.__version__ == version("rogatory")
