"""Shared fixtures: the shipped routing file and the dev data (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier import Classifier, load

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "config" / "routing.toml"
SHARED = REPO / ".." / "shared"
DEV_CSV = SHARED / "data" / "teddy2020c-dev.csv"
TAXONOMY_CSV = SHARED / "data" / "teddy2020c-taxonomy.csv"


@pytest.fixture(scope="session")
def shipped() -> Classifier:
    """Return the classifier built from the shipped routing file."""
    return load(SHIPPED)


@pytest.fixture
def dev_csv() -> Path:
    """Return the dev CSV path, skipping when ../shared is absent."""
    if not DEV_CSV.is_file():
        pytest.skip("../shared/data/teddy2020c-dev.csv is absent")
    return DEV_CSV
