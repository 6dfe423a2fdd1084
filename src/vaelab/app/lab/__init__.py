"""The latent lab's parts: the interactive latent map, the drawing canvas, the latent sliders.

:mod:`~vaelab.app.lab.map` draws the interactive latent map (the live training view's too),
:mod:`~vaelab.app.lab.canvas` the drawing canvas, :mod:`~vaelab.app.lab.sliders` one slider per
latent coordinate. The Lab tab, :mod:`vaelab.app.tabs.lab`, puts them together; the computations
are :mod:`vaelab.explore`'s.
"""
