"""Rogatory: case management and statistics for mutual legal assistance and extradition."""

from importlib.metadata import version

__version__ = version("rogatory")
