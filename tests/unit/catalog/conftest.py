"""The shipped catalog, read once per module, for the catalog tests."""

from __future__ import annotations

import pytest

from app.catalog.catalog import CatalogModel, find_catalog_model, load_catalog


@pytest.fixture(scope="module")
def catalog() -> list[CatalogModel]:
    return load_catalog()


def entry(catalog: list[CatalogModel], model_id: str) -> CatalogModel:
    """The catalog's model `model_id` (the test fails if it is gone)."""
    model = find_catalog_model(catalog, model_id)
    assert model is not None
    return model
