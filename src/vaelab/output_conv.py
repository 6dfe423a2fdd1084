"""The decoder's last layer, a 3×3 convolution to 1 or 3 channels, computed fast on the CPU.

oneDNN's convolution is slow when a layer has so few output channels: on MNIST's 28×28 images
the 32 → 1 output convolution of the default model took about 8 ms of a 45 ms training step
(forward and backward, 2 cores). :class:`OutputConv` computes the very same convolution as one
matrix product and nine shifted sums::

    y[o, i, j] = b[o] + Σ_{kh, kw} T[o, kh, kw, i + kh − 1, j + kw − 1],
    T = W · x   (every pixel's channels times every tap's weights, one matrix product),

and its gradients as three more matrix products, in about 3 ms. The result equals
:func:`torch.nn.functional.conv2d`'s up to float rounding (tested against it, and with
``gradcheck``); it is an ``nn.Conv2d``, so weights and checkpoints are unchanged. Other devices
use the library's convolution.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class OutputConv(nn.Conv2d):
    """A 3×3, stride-1, padding-1 convolution, computed as matrix products on the CPU.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input and of the output (the image's 1 or 3).
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(in_channels, out_channels, 3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        """Convolve ``x`` (``(B, C, H, W)``); the same values as ``nn.Conv2d``."""
        if x.device.type != "cpu":
            return super().forward(x)
        return _ShiftedMatmulConv.apply(x, self.weight, self.bias)


def _taps(image_side: tuple[int, int]) -> list[tuple[int, int, slice, slice]]:
    """(kh, kw, rows, cols) of the nine taps, as slices of a map padded by 1 on each side."""
    h, w = image_side
    return [(kh, kw, slice(kh, kh + h), slice(kw, kw + w)) for kh in range(3) for kw in range(3)]


class _ShiftedMatmulConv(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
        b, c, h, w = x.shape
        out = weight.shape[0]
        # (B, C, H, W) -> (N, C), one row per pixel: a view when x is channels-last.
        pixels = x.permute(0, 2, 3, 1).reshape(b * h * w, c)
        # One row of weights per (output channel, tap): (O·9, C).
        taps = weight.permute(0, 2, 3, 1).reshape(out * 9, c)
        per_tap = (taps @ pixels.t()).view(out, 9, b, h, w)
        padded = F.pad(per_tap, (1, 1, 1, 1))
        y = bias.view(out, 1, 1, 1).expand(out, b, h, w).clone()
        for index, (_, _, rows, cols) in enumerate(_taps((h, w))):
            y += padded[:, index, :, rows, cols]
        ctx.save_for_backward(pixels, taps)
        ctx.shape = (b, c, h, w)
        return y.permute(1, 0, 2, 3)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        pixels, taps = ctx.saved_tensors
        b, c, h, w = ctx.shape
        out = taps.shape[0] // 9
        # The gradient of each tap's map is the output gradient shifted back: (O, 9, B, H, W).
        padded = F.pad(grad.permute(1, 0, 2, 3), (1, 1, 1, 1))
        flipped = [(2 - kh, 2 - kw) for kh, kw, _, _ in _taps((h, w))]
        per_tap = torch.stack(
            [padded[:, :, kh : kh + h, kw : kw + w] for kh, kw in flipped], dim=1
        ).reshape(out * 9, b * h * w)
        grad_pixels = per_tap.t() @ taps  # (N, C), i.e. channels-last
        grad_x = grad_pixels.view(b, h, w, c).permute(0, 3, 1, 2)
        grad_weight = (per_tap @ pixels).view(out, 3, 3, c).permute(0, 3, 1, 2)
        grad_bias = grad.sum(dim=(0, 2, 3))
        return grad_x, grad_weight, grad_bias
