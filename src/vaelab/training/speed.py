"""How fast this machine trains, and how long a training will take before it starts.

A training step's time grows with the work of the network's layers, so one number describes the
machine: the multiply-adds of forward passes it gets through per second while training
(:func:`model_cost` × images per second). It is read from the runs this machine trained last
(each epoch saves its images per second) or, on a machine with no run yet, measured once on the
default model (:func:`measure_speed`), then scaled to any model, image size and dataset size by
:func:`training_seconds`.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable

import torch

from vaelab.config import ModelConfig, RunConfig
from vaelab.models.vae import feature_sizes
from vaelab.runs import RunSummary

#: A test image costs a forward pass, about a third of a training step (forward and backward).
EVAL_SHARE = 1 / 3
#: Runs whose speed is read, newest first: recent enough to be this machine as it is now.
RECENT_RUNS = 8
#: Runs of models whose costs are within this factor of each other time each other best.
SIMILAR_COST = 3.0
#: Seconds spent measuring a machine with no run yet.
MEASURE_SECONDS = 1.0


def model_cost(model: ModelConfig) -> float:
    """Multiply-adds of one image's forward pass through ``model``: a proxy for its step time.

    Every 3×3 convolution and transposed convolution, the output convolution and the two linear
    maps are counted; activations and the loss are cheap beside them.
    """
    c, h, w = model.image_shape
    widths = list(model.hidden)
    heights, sides = feature_sizes(h, len(widths)), feature_sizes(w, len(widths))
    cost = 0.0
    for index, (in_ch, out_ch) in enumerate(zip([c, *widths[:-1]], widths, strict=True)):
        # Encoder layer ``index`` writes the map ``index + 1``; its decoder twin reads it back.
        pixels = heights[index + 1] * sides[index + 1]
        cost += 2 * 9 * in_ch * out_ch * pixels
    flat = widths[-1] * heights[-1] * sides[-1]
    cost += 3 * flat * model.latent_dim  # to_posterior (2D outputs) and from_latent
    cost += 9 * widths[0] * c * h * w  # the output convolution
    return cost


def run_speed(summary: RunSummary) -> float | None:
    """Multiply-adds per second of a saved run's last epoch, or ``None`` if it did not say."""
    per_second = summary.final.get("images_per_second") if summary.final else None
    if summary.config is None or not isinstance(per_second, int | float) or per_second <= 0:
        return None
    return per_second * model_cost(summary.config.model)


def machine_speed(summaries: Iterable[RunSummary], cost: float | None = None) -> float | None:
    """The machine's speed (multiply-adds per second) from its newest runs, or ``None``.

    The median of the :data:`RECENT_RUNS` newest runs that recorded their speed, so that one
    run trained while the machine was busy does not decide it. Given the ``cost`` of the model
    to estimate (:func:`model_cost`), runs of models within :data:`SIMILAR_COST` times it are
    preferred: a step also has costs that do not grow with the model, which weigh most in
    small ones.
    """
    newest = sorted(summaries, key=lambda s: s.updated, reverse=True)
    timed = [(s, speed) for s in newest if (speed := run_speed(s)) is not None]
    if cost is not None:
        similar = [
            (s, speed)
            for s, speed in timed
            if 1 / SIMILAR_COST <= model_cost(s.config.model) / cost <= SIMILAR_COST
        ]
        timed = similar or timed
    speeds = [speed for _, speed in timed[:RECENT_RUNS]]
    return statistics.median(speeds) if speeds else None


def measure_speed(seconds: float = MEASURE_SECONDS, batch_size: int = 64) -> float:
    """Measure this machine's speed on the default model: a few training steps on noise.

    Returns
    -------
    float
        Multiply-adds per second, as :func:`machine_speed` gives them.
    """
    from vaelab.models import ConvVAE

    config = ModelConfig()
    model = ConvVAE(config)
    optimizer = torch.optim.Adam(model.parameters())
    batch = torch.rand(batch_size, *config.image_shape, generator=torch.Generator().manual_seed(0))

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        model.loss_function(batch, model(batch)).loss.backward()
        optimizer.step()

    step()  # warm-up: the first step allocates
    images, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds or images == 0:
        step()
        images += batch_size
    return images / elapsed * model_cost(config)


def training_seconds(config: RunConfig, n_train: int, n_test: int, speed: float) -> float:
    """Seconds that training ``config`` on ``n_train`` images (testing on ``n_test``) will take.

    Parameters
    ----------
    config : RunConfig
        The run, whose epochs and model set the work.
    n_train, n_test : int
        Images of the training and test splits (each epoch trains on one and tests on the other).
    speed : float
        This machine's multiply-adds per second (:func:`machine_speed`, :func:`measure_speed`).
    """
    images = config.train.epochs * (n_train + EVAL_SHARE * n_test)
    return images * model_cost(config.model) / speed
