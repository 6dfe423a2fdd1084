"""How long the Metrics tab's Measure click keeps the page from answering, under AppTest.

Run ``python benchmarks/measure_click.py [--json FILE]``. It trains a small run on the offline
MNIST sample (z = 2, layers 32-64, one epoch) into a temporary runs folder, fills the feature
classifier's cache (a one-off cost the timing should not hold), opens the Results page on the
Metrics tab under Streamlit's AppTest and clicks Measure, timing:

- ``rerun_s``: one plain rerun of the page before the click, what any click on it costs;
- ``answer_s``: from the click to the page's script run ending, i.e. to the page answering again
  (the run that drew the button's click; nothing else answers meanwhile);
- ``metrics_s``: from the click to the measured values on screen (the run's folder is checked
  every second, then the page is rerun once, as the tab's progress fragment does in a browser).

To time another version of the app, put its ``src`` first on ``PYTHONPATH`` (for instance
``git archive <commit> src | tar -x -C /tmp/before``). Say when the machine was busy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

#: Seconds one script run of the page may take (the inline measurement took a minute loaded).
RUN_TIMEOUT = 900
#: Seconds to wait for the values once the page answered.
WAIT_S = 900


def prepare(root: Path) -> str:
    """Train the run and fill the classifier cache under ``root``; returns the run's id."""
    from vaelab import RunStore, build_config, load_dataset, train
    from vaelab.metrics import classifier_cache_dir
    from vaelab.metrics.classifier import load_or_train_classifier

    data = load_dataset("mnist-5k", root / "data", download=False)
    config = build_config(data, latent_dim=2, hidden=(32, 64), epochs=1)
    run_id = train(config, data, store=RunStore(root / "runs"), device="cpu").run.run_id
    load_or_train_classifier(data, classifier_cache_dir(root / "data"))
    return run_id


def time_click(run_id: str) -> dict[str, float]:
    """Click Measure on the Metrics tab of ``run_id``; seconds to the answer and to the values."""
    from streamlit.testing.v1 import AppTest

    import vaelab.app
    from vaelab.app.paths import runs_dir
    from vaelab.app.state import CURRENT_RUN_KEY
    from vaelab.app.tabs import OPEN_TAB_KEY
    from vaelab.i18n import text
    from vaelab.runs import RunStore

    at = AppTest.from_file(str(Path(vaelab.app.__file__).parent / "views" / "results.py"))
    at.session_state["lang"] = "en"
    at.session_state[CURRENT_RUN_KEY] = run_id
    at.session_state[OPEN_TAB_KEY] = "metrics"
    at.run(timeout=RUN_TIMEOUT)
    start = time.perf_counter()
    at.run(timeout=RUN_TIMEOUT)
    rerun = time.perf_counter() - start
    button = next(b for b in at.button if b.key.endswith(".measure"))
    start = time.perf_counter()
    button.click().run(timeout=RUN_TIMEOUT)
    answer = time.perf_counter() - start
    store = RunStore(runs_dir())
    while not store.load(run_id).metrics:
        if time.perf_counter() - start > WAIT_S or at.exception:
            raise SystemExit(f"not measured: {[e.value for e in at.exception]}")
        time.sleep(1.0)
    # The run saved again opens on its reconstructions (in a browser the tab's fragment keeps
    # it open): one rerun, then the Metrics tab.
    at.run(timeout=RUN_TIMEOUT)
    at.session_state[OPEN_TAB_KEY] = "metrics"
    at.session_state["results.tabs.en"] = text("results.tab.metrics", "en")
    at.run(timeout=RUN_TIMEOUT)
    heading = f"| {text('results.metrics.col.metric', 'en')} |"
    if not any(m.value.startswith(heading) for m in at.markdown):
        raise SystemExit("the page does not show the metrics saved in the run")
    return {
        "rerun_s": round(rerun, 2),
        "answer_s": round(answer, 2),
        "metrics_s": round(time.perf_counter() - start, 2),
    }


def main() -> None:
    """Time the click and print (or write) the seconds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the timings to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        os.environ.update(
            VAELAB_DATA_DIR=str(root / "data"),
            VAELAB_RUNS_DIR=str(root / "runs"),
            VAELAB_OFFLINE="1",
        )
        run_id = prepare(root)
        times = time_click(run_id)
        from vaelab.app.jobs import REGISTRY

        REGISTRY.stop_all()
    times["load_average_1min"] = round(os.getloadavg()[0], 1)
    print(json.dumps(times), file=sys.stdout)
    if args.json:
        args.json.write_text(json.dumps(times, indent=2) + "\n")


if __name__ == "__main__":
    main()
