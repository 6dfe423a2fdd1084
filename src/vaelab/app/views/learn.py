"""Learn page: the theory of VAEs, β-VAEs and σ-VAEs, with figures drawn by the app.

The long text lives in ``app/content/learn_<lang>.md``. Two kinds of HTML comments structure it:
``<!-- section: name -->`` starts a section and ``<!-- figure: name -->`` marks where a figure of
:data:`vaelab.app.learn_figures.FIGURES` goes; both languages carry the same markers in the same
order (a test checks it).
"""

from __future__ import annotations

import re
from importlib.resources import files

import streamlit as st

from vaelab.app import learn_figures
from vaelab.app.i18n import current_language, t

_MARKER = re.compile(r"<!--\s*(section|figure):\s*([\w-]+)\s*-->")
#: Width of the text column, in pixels.
_COLUMN_WIDTH = 860


@st.cache_data(show_spinner=False)
def _teaching_text(lang: str) -> str:
    return files("vaelab.app").joinpath("content", f"learn_{lang}.md").read_text(encoding="utf-8")


@st.cache_data(show_spinner=False)
def _figure_png(name: str, lang: str) -> bytes:
    # Drawing the five figures takes seconds; cached, a language switch or a revisit is instant.
    return learn_figures.figure_png(name, lang)


def _show_figure(name: str, lang: str) -> None:
    try:
        png = _figure_png(name, lang)
    except Exception as error:  # a broken figure must not hide the rest of the lesson
        st.warning(t("learn.figure_failed", error=error))
        return
    st.image(png, caption=t(f"learn.fig.{name}.caption"), width="stretch")


def _render(text: str, lang: str) -> None:
    # re.split with two groups yields: text, kind, name, text, kind, name, ..., text.
    pieces = _MARKER.split(text)
    if pieces[0].strip():
        st.markdown(pieces[0])
    for kind, name, body in zip(pieces[1::3], pieces[2::3], pieces[3::3], strict=True):
        if kind == "figure":
            _show_figure(name, lang)
        if body.strip():
            st.markdown(body)


lang = current_language()
# The app uses the wide layout; prose reads better in a column of bounded width.
with st.container(horizontal_alignment="center"), st.container(width=_COLUMN_WIDTH):
    st.title(t("learn.title"))
    st.caption(t("learn.subtitle"))
    try:
        teaching_text = _teaching_text(lang)
    except OSError as error:
        st.error(t("learn.text_missing", error=error))
    else:
        _render(teaching_text, lang)
