"""Step 2 of the pipeline, the model: one convolutional VAE whose variants are configuration.

:mod:`~vaelab.models.vae` is the network and its loss, :mod:`~vaelab.models.likelihoods` the
reconstruction terms p(x | z) and the KL, :mod:`~vaelab.models.layers` the convolution layers made
faster for training on the CPU. Which variant allows what is :mod:`vaelab.variants`.
"""

from vaelab.models.vae import ConvVAE, LossOutput, VAEOutput, build_model, feature_sizes

__all__ = ["ConvVAE", "LossOutput", "VAEOutput", "build_model", "feature_sizes"]
