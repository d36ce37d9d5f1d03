"""`hearth models download` and `hearth models search`: the commands that use the network.

They run in their own process; nothing here opens the history. Ctrl+C pauses a download
(the partial file stays) and running the same command again resumes it.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from typing import Any

from app.catalog.catalog import CatalogModel, find_catalog_model, license_notice, load_catalog
from app.catalog.download import (
    DownloadControl,
    DownloadPaused,
    DownloadRequest,
    clean_stale_partials,
    download_file,
)
from app.catalog.library import InstalledModel, ModelLibrary, slug
from app.commands.progress import PROGRESS_FORMATS, DownloadOutput, TextOutput, download_output
from app.errors import HearthError, InvalidInputError
from app.runtime import Runtime
from app.units import human_size

log = logging.getLogger("hearth.download")


def add_parsers(actions: Any) -> None:
    download = actions.add_parser(
        "download", help="download a catalog model (ID) or a file from a Hub repo"
    )
    download.add_argument("target", metavar="ID|REPO", help="a catalog id, or a Hub repo")
    download.add_argument("filename", nargs="?", metavar="FILENAME", help="the .gguf in REPO")
    download.add_argument("--revision", metavar="REV", help="a commit, branch or tag of REPO")
    download.add_argument(
        "--progress",
        choices=PROGRESS_FORMATS,
        default="text",
        help="progress on stderr as text for people (default) or as JSON lines for programs",
    )
    download.set_defaults(run=run_download)
    search = actions.add_parser(
        "search", help="find GGUF repos on the Hub; with REPO (org/name), list its files"
    )
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=20)
    search.set_defaults(run=run_search)


def _require_online(runtime: Runtime) -> None:
    if runtime.settings.offline:
        raise InvalidInputError(
            "Offline mode is on, so Hearth does not use the network. Turn it off in "
            'Settings (or set "offline": false in settings.json) to download models.'
        )


def _token(runtime: Runtime) -> str | None:
    """A Hub token only when the user set one (settings, or HF_TOKEN); never a stored one."""
    return runtime.settings.hub_token or os.environ.get("HF_TOKEN") or None


def run_download(args: argparse.Namespace) -> int:
    """Download, printing the installed model's id; with ``--progress json`` a failure is a
    last ``failed`` JSON line on stderr (exit code 1, as for any error people can act on)."""
    output = download_output(args.progress)
    try:
        model = _download(args, output)
    except HearthError as exc:
        if not output.failed(exc.message):
            raise
        log.info("download failed: %s", exc.message)
        return 1
    print(model.id)
    return 0


def _download(args: argparse.Namespace, output: DownloadOutput) -> InstalledModel:
    runtime = Runtime.start()
    _require_online(runtime)
    library = ModelLibrary(runtime.models_dir)
    _clean_abandoned_downloads(library, output)
    if args.filename is None:
        entry = find_catalog_model(load_catalog(), args.target)
        if entry is None:
            raise InvalidInputError(
                f"{args.target!r} is not a catalog model id (see: hearth models list). For "
                "a file from a Hub repo: hearth models download REPO FILENAME"
            )
        return download_catalog_model(entry, library, _token(runtime), output)
    return download_hub_file(
        args.target, args.filename, args.revision, library, _token(runtime), output
    )


def _clean_abandoned_downloads(library: ModelLibrary, output: DownloadOutput) -> None:
    """Partial files nobody resumed for a week are only taking disk space."""
    if library.folder.is_dir():
        for path in clean_stale_partials(library.folder):
            output.notice(f"Removed an abandoned partial download: {path.name}")


def download_catalog_model(
    entry: CatalogModel,
    library: ModelLibrary,
    token: str | None,
    output: DownloadOutput | None = None,
) -> InstalledModel:
    output = output or TextOutput()
    output.notice(license_notice(entry))
    present = library.find(entry.id)
    if present is not None and present.sha256 == entry.sha256:
        output.notice(f"{entry.name} is already installed.")
        return present
    # One catalog file has no verified commit: fetch it from main; its sha256 still pins it.
    revision = entry.revision or "main"
    request = DownloadRequest(
        repo=entry.repo,
        filename=entry.filename,
        revision=revision,
        dest=library.download_destination(entry.repo, entry.filename),
        expected_sha256=entry.sha256,
        expected_size=entry.size_bytes,
        token=token,
    )
    path = _run(request, entry.name, output)
    return library.record_download(
        path,
        model_id=entry.id,
        source="catalog",
        repo=entry.repo,
        revision=revision,
        sha256=entry.sha256,
    )


def download_hub_file(
    repo: str,
    filename: str,
    revision: str | None,
    library: ModelLibrary,
    token: str | None,
    output: DownloadOutput | None = None,
) -> InstalledModel:
    from app.catalog.hub_file import file_metadata

    if not filename.lower().endswith(".gguf"):
        raise InvalidInputError(f"{filename} is not a .gguf file; Hearth runs GGUF models.")
    remote = file_metadata(repo, filename, revision or "main", token=token)
    request = DownloadRequest(
        repo=repo,
        filename=filename,
        revision=remote.commit,
        dest=library.download_destination(repo, filename),
        expected_sha256=remote.sha256,
        expected_size=remote.size,
        token=token,
    )
    path = _run(request, filename, output or TextOutput())
    taken = {m.id for m in library.installed() if m.path != path}
    model_id = slug(filename) if slug(filename) not in taken else slug(f"{repo}-{filename}")
    return library.record_download(
        path,
        model_id=model_id,
        source="hub",
        repo=repo,
        revision=remote.commit,
        sha256=remote.sha256 or "",
    )


def _run(request: DownloadRequest, name: str, output: DownloadOutput) -> Any:
    control = DownloadControl()
    previous = signal.signal(signal.SIGINT, lambda _sig, _frame: control.pause())
    try:
        return download_file(request, on_progress=output.progress_for(name), control=control)
    except DownloadPaused as paused:
        output.paused(paused.message)
        raise SystemExit(130) from None
    finally:
        signal.signal(signal.SIGINT, previous)


def run_search(args: argparse.Namespace) -> int:
    runtime = Runtime.start()
    _require_online(runtime)
    from app.catalog.hub import list_gguf_files, search_gguf_repos

    if "/" in args.query.strip("/"):
        return _print_repo_files(list_gguf_files(args.query.strip("/")), runtime)
    repos = search_gguf_repos(args.query, limit=args.limit)
    for repo in repos:
        gated = "\tgated: needs the author's approval and a token" if repo.gated else ""
        print(f"{repo.id}\t{repo.downloads} downloads{gated}")
    if not repos:
        print(f"No GGUF repos match {args.query!r}.", file=sys.stderr)
    else:
        print("List a repo's files with: hearth models search ORG/NAME", file=sys.stderr)
    return 0


def _print_repo_files(files: Any, runtime: Runtime) -> int:
    from app.catalog.fit import estimate_from_file_size, judge_fit_now

    n_ctx = runtime.settings.context_length
    for file in files.files:
        if file.size is None:
            print(f"{file.filename}\tsize unknown")
            continue
        verdict = judge_fit_now(estimate_from_file_size(file.size, n_ctx))
        print(f"{file.filename}\t{human_size(file.size)}\t{verdict.label}: {verdict.explanation}")
    if files.notice:
        print(files.notice, file=sys.stderr)
    print(f"Download one with: hearth models download {files.repo} FILENAME", file=sys.stderr)
    return 0
