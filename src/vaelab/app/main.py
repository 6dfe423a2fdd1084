"""Entry point of the app: page setup, language picker and navigation between the pages.

Run it with ``streamlit run src/vaelab/app/main.py`` (or ``streamlit run app.py``,
``vaelab app``, ``make app``). Pages are files under ``views/``, found from this file's folder so
that any launcher works. The folder is not named ``pages/``: Streamlit would serve a ``pages/``
folder next to this file as its old file-name navigation to a browser that opens a page's address
directly.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from vaelab.app import widgets
from vaelab.app.browser_id import remember_browser
from vaelab.app.i18n import current_language, t
from vaelab.i18n import LANGUAGES
from vaelab.training.memory import retain_freed_memory

PAGES_DIR = Path(__file__).resolve().parent / "views"
#: (file stem, title key, icon) in menu order; the first is the home page.
PAGES = (
    ("train", "nav.train", ":material/model_training:"),
    ("results", "nav.results", ":material/insights:"),
    ("runs", "nav.runs", ":material/folder_open:"),
    ("compare", "nav.compare", ":material/compare:"),
    ("learn", "nav.learn", ":material/school:"),
)


def main() -> None:
    """Set the page up, draw the language picker and run the selected page."""
    retain_freed_memory()  # the server trains on the CPU: see vaelab.training.memory
    st.set_page_config(page_title="VAE Lab", page_icon=":material/blur_on:", layout="wide")
    lang = current_language()
    st.html(f"<style>{widgets.page_css(lang)}</style>")
    pages = [
        st.Page(
            PAGES_DIR / f"{stem}.py",
            title=t(title),
            icon=icon,
            url_path=stem,
            default=index == 0,
        )
        for index, (stem, title, icon) in enumerate(PAGES)
    ]
    page = st.navigation(pages)
    with st.sidebar:
        st.segmented_control(
            t("sidebar.language"),
            list(LANGUAGES),
            format_func=LANGUAGES.get,
            required=True,
            key="lang",
        )
        remember_browser()  # the browser owns its jobs: a reload finds them again
    page.run()


if __name__ == "__main__":
    main()
