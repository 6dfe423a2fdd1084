"""Step 6 of the pipeline, looking inside a trained VAE.

:mod:`~vaelab.explore.latent` holds the latent-space operations (encode, decode, sample,
interpolate, traverse, project); :mod:`~vaelab.explore.plots` draws figures and image grids. The
latent lab's are :mod:`~vaelab.explore.posterior` (one image's posterior on the map, and a map
point back to a code), :mod:`~vaelab.explore.drawing` (a hand drawing framed like MNIST's digits)
and :mod:`~vaelab.explore.live_map` (the map of a model while it trains). All are plain PyTorch
and matplotlib, with no UI: the app, the CLI and notebooks call the same code. The user's own
pictures are decoded on the data side, by :mod:`vaelab.data.images`.
"""

from vaelab.explore.latent import (
    INTERPOLATIONS,
    Latents,
    LatentUsage,
    Projection,
    as_input,
    decode,
    encode,
    fit_projection,
    interpolate,
    interpolate_latents,
    latent_usage,
    manifold_grid,
    manifold_values,
    reconstruct,
    sample_prior,
    traversal_latents,
    traverse,
)

__all__ = [
    "INTERPOLATIONS",
    "LatentUsage",
    "Latents",
    "Projection",
    "as_input",
    "decode",
    "encode",
    "fit_projection",
    "interpolate",
    "interpolate_latents",
    "latent_usage",
    "manifold_grid",
    "manifold_values",
    "reconstruct",
    "sample_prior",
    "traversal_latents",
    "traverse",
]
