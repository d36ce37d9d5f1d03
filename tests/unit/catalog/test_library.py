"""Installed models: listing, importing local files, removing, moving the folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.catalog.library import ModelLibrary, move_models_folder, slug
from app.errors import InvalidInputError, ModelFileError, NotFoundError


@pytest.fixture
def library(tmp_path: Path) -> ModelLibrary:
    return ModelLibrary(tmp_path / "models")


def test_an_empty_or_missing_folder_lists_nothing(library: ModelLibrary) -> None:
    assert library.installed() == []
    assert library.find("anything") is None


def test_import_validates_links_and_describes(library: ModelLibrary, scripted_model: Path) -> None:
    model = library.import_file(scripted_model)
    assert model.id == slug(scripted_model.name) == "scripted-tiny"
    assert model.source == "import"
    assert model.name == "Scripted Tiny"
    assert model.has_chat_template is True
    assert model.architecture == "llama"
    assert model.context_length == 4096
    assert model.quantization == "F32"
    assert model.path.is_relative_to(library.folder)
    assert model.path.read_bytes() == scripted_model.read_bytes()
    assert library.installed() == [model]
    assert library.find("SCRIPTED-TINY") == model


def test_import_reports_a_missing_chat_template(
    library: ModelLibrary, scripted_model_no_template: Path
) -> None:
    assert library.import_file(scripted_model_no_template).has_chat_template is False


def test_importing_the_same_name_twice_keeps_both(
    library: ModelLibrary, scripted_model: Path, tmp_path: Path
) -> None:
    first = library.import_file(scripted_model)
    other = tmp_path / "elsewhere" / scripted_model.name
    other.parent.mkdir()
    shutil.copyfile(scripted_model, other)
    second = library.import_file(other)
    assert first.id != second.id
    assert first.path != second.path
    assert {m.id for m in library.installed()} == {first.id, second.id}


@pytest.mark.parametrize("kind", ["empty", "truncated", "wrong_magic", "random_bytes", "text"])
def test_import_refuses_bad_files_clearly(
    library: ModelLibrary, bad_model_files: dict[str, Path], kind: str
) -> None:
    with pytest.raises(ModelFileError, match="not a usable GGUF model"):
        library.import_file(bad_model_files[kind])
    assert library.installed() == []


def test_import_of_a_missing_file(library: ModelLibrary, tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="There is no model file"):
        library.import_file(tmp_path / "missing.gguf")


def test_a_file_dropped_into_the_folder_is_found(library: ModelLibrary, random_model: Path) -> None:
    library.folder.mkdir(parents=True)
    shutil.copyfile(random_model, library.folder / "My Model.gguf")
    (found,) = library.installed()
    assert (found.id, found.source) == ("my-model", "found")


def test_remove_deletes_the_file_and_manifest(library: ModelLibrary, scripted_model: Path) -> None:
    model = library.import_file(scripted_model)
    library.remove(model.id)
    assert not model.path.exists()
    assert library.installed() == []
    assert scripted_model.exists()  # the user's own file is untouched
    assert list(library.folder.rglob("*")) == []
    with pytest.raises(NotFoundError):
        library.remove(model.id)


def test_record_download_keeps_the_origin(library: ModelLibrary, scripted_model: Path) -> None:
    destination = library.download_destination("org/repo", "file.gguf")
    assert destination == library.folder / "org__repo" / "file.gguf"
    destination.parent.mkdir(parents=True)
    shutil.copyfile(scripted_model, destination)
    model = library.record_download(
        destination,
        model_id="tiny-q8",
        source="catalog",
        repo="org/repo",
        revision="a" * 40,
        sha256="b" * 64,
    )
    assert library.find("tiny-q8") == model
    assert (model.repo, model.revision, model.sha256) == ("org/repo", "a" * 40, "b" * 64)


def test_moving_the_folder_keeps_every_model(
    library: ModelLibrary, scripted_model: Path, tmp_path: Path
) -> None:
    model = library.import_file(scripted_model)
    moved = move_models_folder(library.folder, tmp_path / "new place")
    assert moved == 2  # the model and its manifest
    relocated = ModelLibrary(tmp_path / "new place")
    (again,) = relocated.installed()
    assert again.id == model.id
    assert again.path == tmp_path / "new place" / model.path.relative_to(library.folder)
    assert library.installed() == []


def test_moving_into_itself_is_refused(library: ModelLibrary, scripted_model: Path) -> None:
    library.import_file(scripted_model)
    with pytest.raises(InvalidInputError):
        move_models_folder(library.folder, library.folder / "inner")
