"""Convolution layers that compute exactly what PyTorch's do, faster when training on the CPU.

Profiling a training step of the default model (MNIST, latent 128, conv 32 and 64, batch 64, two
cores) showed two places where oneDNN, PyTorch's CPU convolution library, is slow:

* **bias gradients.** The gradient of a convolution's bias is a sum of the output gradient over
  images and pixels, 0.1 ms for the 28×28 transposed convolution; oneDNN spent about 1.9 ms on it.
  :class:`Conv2d` and :class:`ConvTranspose2d` let oneDNN compute everything else and sum the
  bias gradient themselves.
* **one output channel.** The decoder's last layer, a 3×3 convolution to a grey image's channel,
  took about 8 ms of a 45 ms step. :class:`OutputConv` computes the very same convolution as one
  matrix product and nine shifted sums::

      y[o, i, j] = b[o] + Σ_{kh, kw} T[o, kh, kw, i + kh − 1, j + kw − 1],
      T = W · x   (every pixel's channels times every tap's weights, one matrix product),

  and its gradients as three more matrix products, in about 3 ms.

Each layer is a subclass of its ``torch.nn`` twin, with the same parameters, initialisation and
checkpoints; results equal PyTorch's up to float rounding (tested against it, and with
``gradcheck``). On other devices, and under autocast, they are PyTorch's layers.

:class:`Conv2d` and :class:`ConvTranspose2d` call ``torch.ops.aten.convolution_backward``, an
internal operator with no stability promise. They use it only where it was verified (torch 2.4 up to
2.14, with the argument list checked at import, see :data:`FAST_BIAS_GRADIENT`); elsewhere they
compute exactly what their ``torch.nn`` twins compute, by being them. :class:`OutputConv` uses only
public operations.
"""

from __future__ import annotations

import re
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.autograd.function import once_differentiable

#: The torch releases the fast path was verified on: (major, minor) from the first, last excluded.
VERIFIED_TORCH = ((2, 4), (2, 15))
#: The arguments of the internal operators the fast bias gradient calls, in order.
_CONVOLUTION_ARGS = {
    "convolution": (
        "input",
        "weight",
        "bias",
        "stride",
        "padding",
        "dilation",
        "transposed",
        "output_padding",
        "groups",
    ),
    "convolution_backward": (
        "grad_output",
        "input",
        "weight",
        "bias_sizes",
        "stride",
        "padding",
        "dilation",
        "transposed",
        "output_padding",
        "groups",
        "output_mask",
    ),
}


def internal_ops_verified() -> bool:
    """Whether this torch is one the fast bias gradient was verified on, with the same operators.

    Returns
    -------
    bool
        ``True`` when the torch release lies in :data:`VERIFIED_TORCH` and ``aten.convolution``
        and ``aten.convolution_backward`` take the arguments the fast path passes them.
    """
    release = tuple(int(part) for part in re.findall(r"\d+", torch.__version__)[:2])
    first, end = VERIFIED_TORCH
    if not first <= release < end:
        return False
    for name, arguments in _CONVOLUTION_ARGS.items():
        try:
            schema = getattr(torch.ops.aten, name).default._schema
        except (AttributeError, RuntimeError):
            return False
        if tuple(argument.name for argument in schema.arguments) != arguments:
            return False
    return True


#: Whether :class:`Conv2d` and :class:`ConvTranspose2d` sum their bias gradient themselves on the
#: CPU; when ``False`` they are plain ``torch.nn`` layers.
FAST_BIAS_GRADIENT = internal_ops_verified()


def _plain_cpu(x: Tensor) -> bool:
    """Whether ``x`` is on the CPU outside autocast, where the fast paths apply and help."""
    return x.device.type == "cpu" and not torch.is_autocast_enabled("cpu")


class Conv2d(nn.Conv2d):
    """``torch.nn.Conv2d`` whose bias gradient is summed directly on the CPU.

    That path is taken where :data:`FAST_BIAS_GRADIENT` holds; otherwise this is ``nn.Conv2d``.
    """

    def forward(self, x: Tensor) -> Tensor:
        """Convolve ``x``; the same values as ``nn.Conv2d``."""
        if (
            not FAST_BIAS_GRADIENT
            or not _plain_cpu(x)
            or self.bias is None
            or self.padding_mode != "zeros"
        ):
            return super().forward(x)
        options = (self.stride, self.padding, self.dilation, False, (0, 0), self.groups)
        return _FastBiasConv.apply(x, self.weight, self.bias, options)


class ConvTranspose2d(nn.ConvTranspose2d):
    """``torch.nn.ConvTranspose2d`` whose bias gradient is summed directly on the CPU.

    That path is taken where :data:`FAST_BIAS_GRADIENT` holds; otherwise this is
    ``nn.ConvTranspose2d``.
    """

    def forward(self, x: Tensor, output_size: list[int] | None = None) -> Tensor:
        """Convolve ``x``; the same values as ``nn.ConvTranspose2d``."""
        if (
            not FAST_BIAS_GRADIENT
            or not _plain_cpu(x)
            or self.bias is None
            or output_size is not None
            or self.padding_mode != "zeros"
        ):
            return super().forward(x, output_size)
        options = (
            self.stride,
            self.padding,
            self.dilation,
            True,
            self.output_padding,
            self.groups,
        )
        return _FastBiasConv.apply(x, self.weight, self.bias, options)


class _FastBiasConv(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, weight: Tensor, bias: Tensor, options: tuple) -> Tensor:
        stride, padding, dilation, transposed, output_padding, groups = options
        ctx.save_for_backward(x, weight)
        ctx.options = options
        return torch.ops.aten.convolution(
            x, weight, bias, stride, padding, dilation, transposed, output_padding, groups
        )

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor, None]:
        x, weight = ctx.saved_tensors
        stride, padding, dilation, transposed, output_padding, groups = ctx.options
        grad_x, grad_weight, _ = torch.ops.aten.convolution_backward(
            grad,
            x,
            weight,
            None,
            stride,
            padding,
            dilation,
            transposed,
            output_padding,
            groups,
            [ctx.needs_input_grad[0], ctx.needs_input_grad[1], False],
        )
        return grad_x, grad_weight, grad.sum(dim=(0, 2, 3)), None


class OutputConv(nn.Conv2d):
    """A 3×3, stride-1, padding-1 convolution, computed as matrix products on the CPU.

    Only a single output channel (grey images) takes the matrix-product path: for 3 channels
    (colour images) it measured no faster than oneDNN (about 9 against 8 ms at 32×32), so colour
    images use PyTorch's convolution.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input and of the output (the image's 1 or 3).
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(in_channels, out_channels, 3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        """Convolve ``x`` (``(B, C, H, W)``); the same values as ``nn.Conv2d``."""
        if not _plain_cpu(x) or self.out_channels != 1:
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
