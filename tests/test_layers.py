"""The fast layers give what PyTorch's give: values, gradients and checkpoints."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vaelab.models import layers
from vaelab.models.layers import Conv2d, ConvTranspose2d, OutputConv, _ShiftedMatmulConv


@pytest.mark.parametrize(("channels", "side"), [(1, (6, 5)), (3, (4, 7)), (1, (1, 1))])
def test_gradients_are_exact(channels, side):
    # The matrix-product path is written for any number of output channels; the layer takes it
    # for one channel only (the faster choice, measured), so it is checked here directly.
    torch.manual_seed(0)
    layer = OutputConv(4, channels).double()
    x = torch.randn(2, 4, *side, dtype=torch.double, requires_grad=True)
    assert torch.autograd.gradcheck(_ShiftedMatmulConv.apply, (x, layer.weight, layer.bias))


@pytest.mark.parametrize("memory_format", [torch.contiguous_format, torch.channels_last])
@pytest.mark.parametrize("channels", [1, 3])
def test_matches_conv2d_in_float32(channels, memory_format):
    torch.manual_seed(1)
    layer = OutputConv(16, channels).to(memory_format=memory_format)
    x = torch.randn(8, 16, 14, 11).contiguous(memory_format=memory_format).requires_grad_()
    reference_x = x.detach().clone().requires_grad_()
    grad = torch.randn(8, channels, 14, 11)

    y = layer(x)
    y.backward(grad)
    reference = F.conv2d(reference_x, layer.weight, layer.bias, padding=1)
    weight_grad, bias_grad = layer.weight.grad.clone(), layer.bias.grad.clone()
    layer.zero_grad()
    reference.backward(grad)

    assert y.shape == reference.shape
    torch.testing.assert_close(y, reference, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(x.grad, reference_x.grad, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(weight_grad, layer.weight.grad, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(bias_grad, layer.bias.grad, rtol=1e-5, atol=1e-4)


def test_it_is_a_conv2d_with_the_same_checkpoint():
    layer = OutputConv(32, 1)
    stock = nn.Conv2d(32, 1, 3, padding=1)
    assert isinstance(layer, nn.Conv2d)
    assert {k: v.shape for k, v in layer.state_dict().items()} == {
        k: v.shape for k, v in stock.state_dict().items()
    }
    stock.load_state_dict(layer.state_dict())


def test_other_devices_use_the_library_convolution():
    layer = OutputConv(4, 3).to("meta")
    assert layer(torch.empty(2, 4, 5, 5, device="meta")).shape == (2, 3, 5, 5)


def twins():
    """(fast layer, PyTorch layer with the same weights) for each kind of layer."""
    torch.manual_seed(2)
    pairs = []
    for fast in (
        Conv2d(3, 8, 3, stride=2, padding=1),
        ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1),
        ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=(0, 1)),
    ):
        stock = (nn.Conv2d if isinstance(fast, Conv2d) else nn.ConvTranspose2d)(
            fast.in_channels,
            fast.out_channels,
            3,
            stride=2,
            padding=1,
            **(
                {"output_padding": fast.output_padding} if isinstance(fast, ConvTranspose2d) else {}
            ),
        )
        stock.load_state_dict(fast.state_dict())
        pairs.append((fast, stock))
    return pairs


@pytest.mark.parametrize("memory_format", [torch.contiguous_format, torch.channels_last])
@pytest.mark.parametrize("index", [0, 1, 2])
def test_conv_layers_match_pytorch_with_their_bias_gradient(index, memory_format):
    fast, stock = (m.to(memory_format=memory_format) for m in twins()[index])
    x = torch.randn(5, fast.in_channels, 7, 9).contiguous(memory_format=memory_format)
    fast_x, stock_x = x.clone().requires_grad_(), x.clone().requires_grad_()
    y, reference = fast(fast_x), stock(stock_x)
    grad = torch.randn_like(reference)
    y.backward(grad)
    reference.backward(grad)
    torch.testing.assert_close(y, reference)
    torch.testing.assert_close(fast_x.grad, stock_x.grad)
    torch.testing.assert_close(fast.weight.grad, stock.weight.grad, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(fast.bias.grad, stock.bias.grad, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("index", [0, 1])
def test_conv_layer_gradients_are_exact(index):
    fast = twins()[index][0].double()
    x = torch.randn(2, fast.in_channels, 5, 4, dtype=torch.double, requires_grad=True)
    assert torch.autograd.gradcheck(fast, (x,))


def test_no_input_gradient_is_computed_for_the_images():
    layer = Conv2d(1, 4, 3, stride=2, padding=1)
    layer(torch.rand(2, 1, 8, 8)).sum().backward()
    assert layer.weight.grad is not None and layer.bias.grad is not None


def test_the_internal_operators_are_verified_on_this_torch():
    assert layers.internal_ops_verified() == layers.FAST_BIAS_GRADIENT


@pytest.mark.parametrize(
    ("version", "verified"),
    [("2.3.1", False), ("2.4.0", True), ("2.14.1+cu130", True), ("2.15.0a0", False)],
)
def test_only_torch_releases_in_the_verified_range_take_the_fast_path(
    monkeypatch, version, verified
):
    monkeypatch.setattr(torch, "__version__", version)
    # The operators' arguments are this torch's, which the first test checks.
    assert layers.internal_ops_verified() is (verified and layers.FAST_BIAS_GRADIENT)


def test_an_operator_with_other_arguments_is_not_trusted(monkeypatch):
    changed = {**layers._CONVOLUTION_ARGS, "convolution_backward": ("grad_output", "input")}
    monkeypatch.setattr(layers, "_CONVOLUTION_ARGS", changed)
    assert not layers.internal_ops_verified()


def forward_and_gradients(layer, x, grad):
    """The output and the gradients of input, weight and bias, for one backward of ``grad``."""
    layer.zero_grad()
    x = x.clone().requires_grad_()
    y = layer(x)
    y.backward(grad)
    return y.detach(), x.grad, layer.weight.grad.clone(), layer.bias.grad.clone()


def refuse(*args):
    raise AssertionError("the custom autograd function was called")


@pytest.mark.parametrize("index", [0, 1, 2])
def test_the_stock_fallback_gives_what_the_fast_path_gives(monkeypatch, index):
    if not layers.FAST_BIAS_GRADIENT:
        pytest.skip("this torch takes the stock path already")
    layer = twins()[index][0].to(memory_format=torch.channels_last)
    x = torch.randn(5, layer.in_channels, 7, 9).contiguous(memory_format=torch.channels_last)
    grad = torch.randn_like(layer(x))
    fast = forward_and_gradients(layer, x, grad)

    monkeypatch.setattr(layers, "FAST_BIAS_GRADIENT", False)
    monkeypatch.setattr(layers._FastBiasConv, "apply", refuse)
    stock = forward_and_gradients(layer, x, grad)
    for fast_value, stock_value in zip(fast, stock, strict=True):
        torch.testing.assert_close(fast_value, stock_value, rtol=1e-4, atol=1e-5)


def test_a_model_off_the_cpu_takes_the_stock_path(monkeypatch):
    from vaelab.config import ModelConfig
    from vaelab.models import ConvVAE

    monkeypatch.setattr(layers._FastBiasConv, "apply", refuse)
    monkeypatch.setattr(layers._ShiftedMatmulConv, "apply", refuse)
    model = ConvVAE(ModelConfig(latent_dim=4, hidden=(8, 16))).to("meta")
    out = model(torch.empty(2, 1, 28, 28, device="meta"))
    assert out.logits.shape == (2, 1, 28, 28) and out.logits.device.type == "meta"
