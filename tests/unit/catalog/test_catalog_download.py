"""Downloading a catalog model: the license comes first, the file is verified and recorded."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.catalog.catalog import find_catalog_model, load_catalog
from app.catalog.library import ModelLibrary
from app.commands.models_download import download_catalog_model
from tests.support.fake_hub import FakeHub


def test_license_first_then_verified_install(
    fake_hub: FakeHub, scripted_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = find_catalog_model(load_catalog(), "qwen2.5-3b-instruct-q4_k_m")
    assert real is not None
    published = fake_hub.add_file("Qwen/Fake-GGUF", "fake.gguf", data=scripted_model.read_bytes())
    # The real entry, pointed at a file the fake Hub serves (its facts are what it publishes).
    entry = dataclasses.replace(
        real,
        repo="Qwen/Fake-GGUF",
        filename="fake.gguf",
        revision=fake_hub.repo("Qwen/Fake-GGUF").commit,
        size_bytes=published.size,
        sha256=published.sha256,
    )
    library = ModelLibrary(tmp_path / "models")
    model = download_catalog_model(entry, library, token=None)
    err = capsys.readouterr().err
    assert "non-commercial" in err.lower()
    assert entry.license.url in err
    assert err.index(entry.license.name) < err.index("Downloading")
    assert (model.id, model.source, model.sha256) == (entry.id, "catalog", published.sha256)
    assert library.find(entry.id) == model
    fake_hub.clear_requests()
    again = download_catalog_model(entry, library, token=None)
    assert again == model
    assert fake_hub.requests == []  # already installed: nothing fetched
    assert "already installed" in capsys.readouterr().err
