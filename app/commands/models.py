"""`hearth models ...`: the catalog, installed models, fit, import, remove, info, folder.

Downloading and Hub search are in models_download.py: they are the only commands that
touch the network, and they run in their own process (this one), never in one that holds
conversations.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from app.catalog.catalog import CatalogModel, load_catalog
from app.catalog.fit import (
    FitVerdict,
    estimate_memory,
    gpu_budget_here,
    judge_fit_now,
    recommend_model,
)
from app.catalog.library import InstalledModel, ModelLibrary, move_models_folder
from app.catalog.model_shape import shape_from_catalog, shape_from_gguf
from app.commands import models_download
from app.errors import ModelFileError
from app.runtime import Runtime
from app.settings import save_settings
from app.units import human_size


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("models", help="find, download, import and remove models")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the catalog and installed models, with fit")
    listing.add_argument("--ctx", type=int, metavar="N", help="context length to judge fit at")
    listing.set_defaults(run=run_list)
    info = actions.add_parser("info", help="details of a model (installed id, catalog id, path)")
    info.add_argument("model", metavar="ID|PATH")
    info.add_argument("--ctx", type=int, metavar="N")
    info.set_defaults(run=run_info)
    importing = actions.add_parser("import", help="add a local .gguf file to the library")
    importing.add_argument("path", type=Path)
    importing.set_defaults(run=run_import)
    remove = actions.add_parser("remove", help="delete an installed model's file")
    remove.add_argument("model", metavar="ID")
    remove.set_defaults(run=run_remove)
    folder = actions.add_parser("folder", help="show the models folder, or move it")
    folder.add_argument("new_folder", nargs="?", type=Path, metavar="DIR")
    folder.set_defaults(run=run_folder)
    models_download.add_parsers(actions)


def _context(args: argparse.Namespace, runtime: Runtime) -> int:
    return int(getattr(args, "ctx", None) or runtime.settings.context_length)


def fit_of(model: CatalogModel | InstalledModel, n_ctx: int, kv_type: str) -> FitVerdict:
    """Judge from the file's own header when we have it, else from catalog facts."""
    if isinstance(model, InstalledModel):
        shape = shape_from_gguf(model.path)
    else:
        shape = shape_from_catalog(model)
    return judge_fit_now(estimate_memory(shape, n_ctx, kv_type))


def run_list(args: argparse.Namespace) -> int:
    runtime = Runtime.start()
    n_ctx, kv = _context(args, runtime), runtime.settings.kv_cache_type
    library = ModelLibrary(runtime.models_dir)
    installed = {m.id: m for m in library.installed()}
    catalog = load_catalog()
    recommended = _recommended(catalog, n_ctx)
    for entry in catalog:
        present = installed.pop(entry.id, None)
        verdict = fit_of(present or entry, n_ctx, kv)
        marks = ["installed" if present else "available"]
        if entry.id == recommended:
            marks.append("recommended")
        print(
            f"{entry.id}\t{entry.name} {entry.quantization}\t{human_size(entry.size_bytes)}"
            f"\t{', '.join(marks)}\t{verdict.label}: {verdict.explanation}"
        )
    for model in installed.values():
        verdict = fit_of(model, n_ctx, kv)
        print(
            f"{model.id}\t{model.name} {model.quantization or ''}".rstrip()
            + f"\t{human_size(model.size_bytes)}\tinstalled ({model.source})"
            f"\t{verdict.label}: {verdict.explanation}"
        )
    return 0


def _recommended(catalog: list[CatalogModel], n_ctx: int) -> str:
    import psutil

    memory = psutil.virtual_memory()
    total = int(memory.total)
    gpu = gpu_budget_here(total)
    return recommend_model(catalog, total, int(memory.available), n_ctx, gpu_budget=gpu).id


def run_info(args: argparse.Namespace) -> int:
    runtime = Runtime.start()
    n_ctx, kv = _context(args, runtime), runtime.settings.kv_cache_type
    library = ModelLibrary(runtime.models_dir)
    model: CatalogModel | InstalledModel | None = library.find(args.model)
    path = Path(args.model).expanduser()
    if model is None and path.is_file():
        model = library.describe_file(path)
    if model is None:
        from app.catalog.catalog import find_catalog_model

        model = find_catalog_model(load_catalog(), args.model)
    if model is None:
        raise ModelFileError(
            f"No installed model, catalog model or file is called "
            f"{args.model!r}. See: hearth models list"
        )
    for key, value in dataclasses.asdict(model).items():
        if value not in (None, "", [], {}):
            print(f"{key}: {value}")
    verdict = fit_of(model, n_ctx, kv)
    print(f"fit: {verdict.label}: {verdict.explanation}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    runtime = Runtime.start()
    model = ModelLibrary(runtime.models_dir).import_file(args.path)
    template = (
        "yes"
        if model.has_chat_template
        else ("no - Hearth will use the common ChatML format, which this model may not follow well")
    )
    print(
        f"Imported {model.name} ({model.architecture}, {model.quantization}, context "
        f"{model.context_length}). Chat template: {template}.",
        file=sys.stderr,
    )
    print(model.id)
    return 0


def run_remove(args: argparse.Namespace) -> int:
    runtime = Runtime.start()
    model = ModelLibrary(runtime.models_dir).remove(args.model)
    print(
        f"Removed {model.name} ({human_size(model.size_bytes)} freed). Conversations that "
        "used it keep their text.",
        file=sys.stderr,
    )
    return 0


def run_folder(args: argparse.Namespace) -> int:
    runtime = Runtime.start()
    if args.new_folder is None:
        print(runtime.models_dir)
        return 0
    new_folder = args.new_folder.expanduser().resolve()
    moved = move_models_folder(runtime.models_dir, new_folder)
    runtime.settings.models_dir = str(new_folder)
    save_settings(runtime.settings, runtime.paths.settings_file)
    print(f"Moved {moved} files; models now live in {new_folder}.", file=sys.stderr)
    return 0
