"""``python -m vaelab``: the command line (:mod:`vaelab.cli`)."""

from vaelab.cli import main

raise SystemExit(main())
