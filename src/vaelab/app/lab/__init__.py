"""The latent lab: the interactive latent map, the drawing and its posterior, the sliders.

:mod:`~vaelab.app.lab.map` draws the interactive latent map (the live training view's too). The
computations are :mod:`vaelab.explore`'s.
"""
