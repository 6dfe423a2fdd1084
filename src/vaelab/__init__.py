"""VAE Lab: learn and experiment with Variational AutoEncoders.

The pipeline, in the order of the modules: data (:mod:`vaelab.data`) → model
(:mod:`vaelab.models`, :mod:`vaelab.likelihoods`, :mod:`vaelab.variants`) → training
(:mod:`vaelab.trainer`, :mod:`vaelab.experiment`) → saved runs (:mod:`vaelab.runs`) → exploring
(:mod:`vaelab.explore`, :mod:`vaelab.plots`). The command line is :mod:`vaelab.cli`; the web app,
:mod:`vaelab.app`.
"""

__version__ = "0.1.0"
