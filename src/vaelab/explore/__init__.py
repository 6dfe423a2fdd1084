"""Step 6 of the pipeline, looking inside a trained VAE.

:mod:`~vaelab.explore.latent` holds the latent-space operations (encode, decode, sample,
interpolate, traverse, project); :mod:`~vaelab.explore.plots` draws figures and image grids. Both
are plain PyTorch and matplotlib, with no UI: the app, the CLI and notebooks call the same code.
"""

from vaelab.explore.latent import (
    INTERPOLATIONS,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_PIXELS,
    ImageInputError,
    Latents,
    LatentUsage,
    Projection,
    as_input,
    decode,
    encode,
    fit_projection,
    interpolate,
    interpolate_latents,
    invert,
    latent_usage,
    load_image,
    manifold_grid,
    manifold_values,
    reconstruct,
    sample_prior,
    suggest_invert,
    traversal_latents,
    traverse,
)

__all__ = [
    "INTERPOLATIONS",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_PIXELS",
    "ImageInputError",
    "LatentUsage",
    "Latents",
    "Projection",
    "as_input",
    "decode",
    "encode",
    "fit_projection",
    "interpolate",
    "interpolate_latents",
    "invert",
    "latent_usage",
    "load_image",
    "manifold_grid",
    "manifold_values",
    "reconstruct",
    "sample_prior",
    "suggest_invert",
    "traversal_latents",
    "traverse",
]
