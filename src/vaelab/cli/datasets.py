"""``vaelab datasets``: which registered datasets are on disk; fetch one."""

from __future__ import annotations

import argparse

from vaelab.cli.options import add_data_dir
from vaelab.cli.outputs import check_folder
from vaelab.data import dataset_info, dataset_names, fetch_dataset


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``datasets`` and its actions to ``subparsers``."""
    p = subparsers.add_parser("datasets", help="which datasets are available locally; fetch one")
    p.set_defaults(handler=run)
    add_data_dir(p)
    actions = p.add_subparsers(dest="action")
    actions.add_parser("list", help="list the datasets (default)")
    actions.add_parser("fetch", help="download a dataset").add_argument(
        "name", choices=dataset_names()
    )


def run(args: argparse.Namespace) -> int:
    """List the datasets, or fetch ``args.name``."""
    if args.action == "fetch":
        if not dataset_info(args.name, args.data_dir).available_locally:
            check_folder(args.data_dir, parents=True)
        print(f"{args.name} is in {fetch_dataset(args.name, args.data_dir)}")
        return 0
    width = max(map(len, dataset_names()))  # the columns line up under the longest id
    for name in dataset_names():
        info = dataset_info(name, args.data_dir)
        shape = "×".join(map(str, info.shape))
        where = "available" if info.available_locally else "not downloaded"
        print(
            f"{name:{width}} {shape:9} {info.n_train:>6} train {info.n_test:>6} test  {where:15}"
            f"  {info.source}"
        )
    return 0
