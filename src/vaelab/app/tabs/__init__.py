"""The results tabs of a trained run, shared by the Train and Results pages.

One module per tab, each with a ``render(ctx)`` that draws it from a
:class:`~vaelab.app.tabs.context.TabContext`. Widgets and layout only: the computations are
:mod:`vaelab.explore` and the figures :mod:`~vaelab.explore.plots`. Everything costly is cached
per run (its id and the time it was saved), so switching tabs and moving a slider redraw at once;
the interactive tabs are fragments, so a widget there reruns only its own tab.
"""

from __future__ import annotations

import streamlit as st

from vaelab.app.i18n import current_language, t
from vaelab.app.tabs import (
    curves,
    downloads,
    kl,
    lab,
    latent,
    metrics,
    paths,
    reconstructions,
    samples,
    upload,
)
from vaelab.app.tabs.context import TabContext, cache_key
from vaelab.data import ImageDataset
from vaelab.models import ConvVAE
from vaelab.runs import Run

#: (title key suffix, module) of each tab, in order.
TABS = (
    ("curves", curves),
    ("reconstructions", reconstructions),
    ("samples", samples),
    ("latent", latent),
    ("lab", lab),
    ("paths", paths),
    ("kl", kl),
    ("metrics", metrics),
    ("upload", upload),
    ("downloads", downloads),
)


def render_results(run: Run, model: ConvVAE, data: ImageDataset | None) -> None:
    """Draw the results tabs of a run.

    Parameters
    ----------
    run : Run
        The run (its history gives the curves; its id and save time key the caches).
    model : ConvVAE
        Its model, in eval mode. It is only read.
    data : ImageDataset or None
        The images it was trained on; ``None`` when they are not available, in which case only
        the curves, the samples and the downloads are shown.
    """
    model.eval()
    ctx = TabContext(run, model, data, cache_key(run, model, data), current_language())
    tabs = st.tabs([t(f"results.tab.{name}") for name, _ in TABS])
    for tab, (_, module) in zip(tabs, TABS, strict=True):
        with tab:
            module.render(ctx)
