"""``vaelab runs``: list, show, delete, export and import the cached runs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from vaelab.cli import values
from vaelab.cli.options import add_folders, add_runs_dir

if TYPE_CHECKING:
    from vaelab.runs import RunStore


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``runs`` and its actions to ``subparsers``."""
    p = subparsers.add_parser("runs", help="list, show, delete, export or import cached runs")
    p.set_defaults(handler=run)
    add_folders(p)
    actions = p.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="list the cached runs")
    show = actions.add_parser("show", help="show a run")
    delete = actions.add_parser("delete", help="delete a run")
    export = actions.add_parser("export", help="write a run as a .zip")
    imports = actions.add_parser("import", help="add a run from a .zip made by export")
    for action in (show, delete, export):
        action.add_argument("run")
    export.add_argument("dest", type=values.path, nargs="?", default=Path("."))
    imports.add_argument("archive", type=values.path)
    imports.add_argument("--overwrite", action="store_true")
    # `vaelab runs list --runs-dir R` as well as `vaelab runs --runs-dir R list`.
    for action in (listing, show, delete, export, imports):
        add_runs_dir(action, default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Do ``args.action`` on the run cache.

    Waiting for another process that uses a run is reported on stderr (a ``logging`` warning
    of :mod:`vaelab.runs.locking`).
    """
    from vaelab.runs import RunStore

    store = RunStore(args.runs_dir)
    if args.action == "list":
        _list(store)
    elif args.action == "show":
        _show(store, args.run)
    elif args.action == "delete":
        store.delete(args.run)
        print(f"deleted {args.run}")
    elif args.action == "export":
        print(f"wrote {store.export(args.run, args.dest)}")
    elif args.action == "import":
        print(f"imported {store.import_(args.archive, overwrite=args.overwrite)}")
    return 0


def _list(store: RunStore) -> None:
    from vaelab.runs import FOREIGN

    summaries = store.list()
    if not summaries:
        print(f"no runs in {store.root}")
    for s in summaries:
        if s.status == FOREIGN:
            # Not the store's: never suggest deleting it.
            print(f"{s.run_id}  {s.error} (VAE Lab leaves it alone)")
            continue
        if s.error:
            print(f"{s.run_id}  BROKEN: {s.error}")
            continue
        loss = s.final.get("test_loss")
        loss_text = f"test loss {loss:.4g}" if loss is not None else "no epoch yet"
        print(f"{s.run_id}  {s.epochs_done} epoch(s)  {s.status}  {loss_text}  {s.updated}")


def _show(store: RunStore, run_id: str) -> None:
    saved = store.load(run_id)
    print(
        json.dumps(
            {
                "run_id": saved.run_id,
                "path": str(store.path(saved.run_id)),
                "epochs_done": saved.epochs_done,
                "status": saved.status,
                "created": saved.created,
                "updated": saved.updated,
                "config": saved.config.to_dict(),
                "history": saved.history,
                "metrics": saved.metrics,
            },
            indent=2,
        )
    )
