"""The models on this computer: what is installed, importing a local file, removing one.

Every installed file sits in the models folder with a small manifest beside it
(`<file>.hearth.json`) that says where it came from (catalog, Hub, import), its id, and what
its header says. A .gguf found in the folder without a manifest (the user copied it there)
is listed too, as "found". Downloads go to `<owner>__<repo>/<filename>`: the same filename
in two repos is two different files. Conversations store only the model's path and keep
their text when a model is removed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from app.atomic_file import write_atomically
from app.engine.gguf_file import inspect_gguf_file
from app.errors import InvalidInputError, NotFoundError

MANIFEST_SUFFIX = ".hearth.json"
IMPORT_FOLDER = "imported"
COPY_CHUNK = 8 * 1024 * 1024

Source = Literal["catalog", "hub", "import", "found"]
CopyProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class InstalledModel:
    id: str
    name: str
    path: Path
    size_bytes: int
    source: Source
    architecture: str | None = None
    quantization: str | None = None
    context_length: int | None = None
    has_chat_template: bool | None = None
    repo: str | None = None
    revision: str | None = None
    sha256: str | None = None
    installed_at: str | None = None


def slug(text: str) -> str:
    """An id from a file name: lowercase, no extension, safe characters only."""
    stem = text.removesuffix(".gguf").lower()
    return re.sub(r"[^a-z0-9._-]+", "-", stem).strip("-") or "model"


class ModelLibrary:
    """The installed models in one folder; every method re-reads the folder (it is small)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    # --- reading -----------------------------------------------------------------------------

    def installed(self) -> list[InstalledModel]:
        if not self.folder.is_dir():
            return []
        models = [self._describe(path) for path in sorted(self.folder.rglob("*.gguf"))]
        return sorted(models, key=lambda m: m.id)

    def find(self, model_id: str) -> InstalledModel | None:
        wanted = model_id.lower()
        return next((m for m in self.installed() if m.id.lower() == wanted), None)

    def describe_file(self, path: Path) -> InstalledModel:
        """Describe any .gguf file (inside the library or not) from its header."""
        summary = inspect_gguf_file(path)
        return InstalledModel(
            id=slug(path.name),
            name=summary.name,
            path=path.resolve(),
            size_bytes=summary.file_size,
            source="found",
            architecture=summary.architecture,
            quantization=summary.quantization,
            context_length=summary.context_length,
            has_chat_template=summary.has_chat_template,
        )

    def download_destination(self, repo: str, filename: str) -> Path:
        return self.folder / repo.replace("/", "__") / filename

    def _describe(self, path: Path) -> InstalledModel:
        manifest = _read_manifest(path)
        if manifest is not None:
            manifest["path"] = path
            return InstalledModel(**manifest)
        return InstalledModel(
            id=slug(path.name),
            name=path.stem,
            path=path,
            size_bytes=path.stat().st_size,
            source="found",
        )

    # --- writing -----------------------------------------------------------------------------

    def record_download(
        self, path: Path, *, model_id: str, source: Source, repo: str, revision: str, sha256: str
    ) -> InstalledModel:
        """Describe a freshly verified download in its manifest."""
        return self._record(path, model_id, source, repo=repo, revision=revision, sha256=sha256)

    def import_file(
        self, source_path: Path, on_progress: CopyProgress | None = None
    ) -> InstalledModel:
        """Validate a local .gguf and bring it into the models folder (link, else copy)."""
        source_path = source_path.expanduser().resolve()
        inspect_gguf_file(source_path)  # raises ModelFileError with a clear message
        if source_path.is_relative_to(self.folder.resolve()):
            raise InvalidInputError(f"{source_path} is already in the models folder.")
        destination = self._free_import_path(source_path.name)
        destination.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(source_path, destination, on_progress)
        taken = {m.id for m in self.installed() if m.path != destination}
        return self._record(destination, _unique(slug(source_path.name), taken), "import")

    def remove(self, model_id: str) -> InstalledModel:
        model = self.find(model_id)
        if model is None:
            raise NotFoundError(
                f"No installed model has the id {model_id!r}. "
                "See the installed ones with: hearth models list"
            )
        model.path.unlink(missing_ok=True)
        _manifest_path(model.path).unlink(missing_ok=True)
        folder = model.path.parent
        if folder != self.folder and not any(folder.iterdir()):
            folder.rmdir()
        return model

    def _record(self, path: Path, model_id: str, source: Source, **origin: str) -> InstalledModel:
        summary = inspect_gguf_file(path)
        model = InstalledModel(
            id=model_id,
            name=summary.name,
            path=path,
            size_bytes=summary.file_size,
            source=source,
            architecture=summary.architecture,
            quantization=summary.quantization,
            context_length=summary.context_length,
            has_chat_template=summary.has_chat_template,
            installed_at=datetime.now(UTC).isoformat(timespec="seconds"),
            **origin,
        )
        _write_manifest(model)
        return model

    def _free_import_path(self, filename: str) -> Path:
        candidate = self.folder / IMPORT_FOLDER / filename
        counter = 2
        while candidate.exists():
            candidate = candidate.with_name(f"{Path(filename).stem}-{counter}.gguf")
            counter += 1
        return candidate


def move_models_folder(old: Path, new: Path) -> int:
    """Move every model (and manifest) from `old` to `new`; returns how many files moved."""
    if not old.is_dir():
        new.mkdir(parents=True, exist_ok=True)
        return 0
    if new.resolve().is_relative_to(old.resolve()):
        raise InvalidInputError("The new models folder cannot be inside the current one.")
    moved = 0
    for item in sorted(old.rglob("*")):
        if item.is_file():
            target = new / item.relative_to(old)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(item, target)  # a rename on one disk, copy + delete across disks
            moved += 1
    return moved


def _manifest_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + MANIFEST_SUFFIX)


def _read_manifest(model_path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(_manifest_path(model_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    fields = set(InstalledModel.__dataclass_fields__) - {"path"}
    if not isinstance(data, dict) or not {"id", "name", "size_bytes", "source"} <= set(data):
        return None
    return {key: value for key, value in data.items() if key in fields}


def _write_manifest(model: InstalledModel) -> None:
    record = asdict(model)
    del record["path"]  # the manifest sits beside the file; the folder may move
    write_atomically(_manifest_path(model.path), json.dumps(record, indent=2) + "\n")


def _unique(base: str, taken: set[str]) -> str:
    candidate, counter = base, 2
    while candidate in taken:
        candidate, counter = f"{base}-{counter}", counter + 1
    return candidate


def _link_or_copy(source: Path, destination: Path, on_progress: CopyProgress | None) -> None:
    """A hard link costs nothing on the same disk; otherwise copy (to a temp name first)."""
    try:
        os.link(source, destination)
        return
    except OSError:
        pass
    total = source.stat().st_size
    temporary = destination.with_name(destination.name + ".importing")
    copied = 0
    try:
        with source.open("rb") as reader, temporary.open("wb") as writer:
            while chunk := reader.read(COPY_CHUNK):
                writer.write(chunk)
                copied += len(chunk)
                if on_progress is not None:
                    on_progress(copied, total)
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)
