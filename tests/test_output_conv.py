"""The decoder's output convolution gives what nn.Conv2d gives, values and gradients."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vaelab.output_conv import OutputConv


@pytest.mark.parametrize(("channels", "side"), [(1, (6, 5)), (3, (4, 7)), (1, (1, 1))])
def test_gradients_are_exact(channels, side):
    torch.manual_seed(0)
    layer = OutputConv(4, channels).double()
    x = torch.randn(2, 4, *side, dtype=torch.double, requires_grad=True)
    assert torch.autograd.gradcheck(layer, (x,))


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
