"""Launcher for ``streamlit run app.py``: the app itself is :mod:`vaelab.app.main`."""

from vaelab.training.threads import configure_openmp

# Before the app loads torch, which reads OpenMP's settings once (vaelab.training.threads).
configure_openmp()

from vaelab.app.main import main  # noqa: E402

main()
