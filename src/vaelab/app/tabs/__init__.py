"""The results tabs of a trained run, shared by the Train and Results pages.

One module per tab, each with a ``render(ctx)`` that draws it from a
:class:`~vaelab.app.tabs.context.TabContext`. Widgets and layout only: the computations are
:mod:`vaelab.explore` and the figures :mod:`~vaelab.explore.plots`. Everything costly is cached
per run (its id and the time it was saved), so switching tabs and moving a slider redraw at once;
the interactive tabs are fragments, so a widget there reruns only its own tab. Only the open tab
is drawn: a run's first visit computes one tab's figures, not nine.
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


#: Session-state key of the name of the open tab, kept across pages and languages.
OPEN_TAB_KEY = "results.tab"
#: Session-state key of the run (and save) whose results were shown last.
_SHOWN_KEY = "results.tab.shown"


def _first_tab(run: Run, data: ImageDataset | None, widget_key: str) -> str:
    """The tab the results open on: the one picked last, for the same run as last shown.

    Another run, or the same one trained further, opens on the reconstructions: they are what
    the live training panel showed last, so they stay on screen when a training ends (without
    the training images, on the curves).
    """
    shown = f"{run.run_id}@{run.updated}"
    if st.session_state.get(_SHOWN_KEY, shown) != shown:
        st.session_state.pop(OPEN_TAB_KEY, None)
        st.session_state.pop(widget_key, None)  # before the widget is drawn: allowed
    st.session_state[_SHOWN_KEY] = shown
    name = st.session_state.get(OPEN_TAB_KEY)
    if name in dict(TABS):
        return name
    return "reconstructions" if data is not None else "curves"


def keep_open(run: Run) -> None:
    """Keep the open tab when ``run`` was saved again without training (its metrics measured)."""
    st.session_state[_SHOWN_KEY] = f"{run.run_id}@{run.updated}"


def _remember(widget_key: str, names: dict[str, str]) -> None:
    """Keep the name of the tab just opened (``names`` maps labels to names)."""
    label = st.session_state.get(widget_key)
    if label in names:
        st.session_state[OPEN_TAB_KEY] = names[label]


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
    lang = current_language()
    ctx = TabContext(run, model, data, cache_key(run, model, data), lang)
    labels = {name: t(f"results.tab.{name}", lang) for name, _ in TABS}
    # One widget per language: after a language switch the tabs reopen on the same tab.
    widget_key = f"results.tabs.{lang}"
    first = _first_tab(run, data, widget_key)
    tabs = st.tabs(
        list(labels.values()),
        default=labels[first],
        key=widget_key,
        on_change=_remember,
        args=(widget_key, {label: name for name, label in labels.items()}),
    )
    for tab, (_, module) in zip(tabs, TABS, strict=True):
        if tab.open:
            with tab, st.spinner(t("results.drawing", lang)):
                module.render(ctx)
