"""Launcher for ``streamlit run app.py``: the app itself is :mod:`vaelab.app.main`."""

from vaelab.app.main import main

main()
