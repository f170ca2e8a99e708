"""Rogatory: case management and statistics for mutual legal assistance and extradition."""

__version__ = "0.1.0"
