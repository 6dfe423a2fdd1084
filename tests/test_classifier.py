"""The FD's feature classifier: grey images keep the seed's network, colour ones a deeper one."""

import pytest
import torch
from safetensors.torch import save

from conftest import blobs
from vaelab.data.dataset import ImageDataset, Splits
from vaelab.metrics import FeatureClassifier, classifier_file, load_or_train_classifier
from vaelab.metrics import classifier as classifier_module
from vaelab.metrics.classifier import train_classifier
from vaelab.metrics.classifier_nets import COLOUR, GREY, augment, grey_body

#: The grey network's parameters as the seed saved them: cached files must still load.
GREY_STATE = {
    "body.0.weight": (32, 1, 3, 3),
    "body.0.bias": (32,),
    "body.2.weight": (64, 32, 3, 3),
    "body.2.bias": (64,),
    "body.6.weight": (128, 1024),
    "body.6.bias": (128,),
    "head.weight": (4, 128),
    "head.bias": (4,),
}


@pytest.fixture(autouse=True)
def one_thread():
    """These networks are tiny: on a busy machine two OpenMP threads make them 20× slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def colour_data() -> ImageDataset:
    """96 training and 32 test 3×12×12 images of a red, green, blue or white square.

    The label is the colour, not the place: crops and flips keep it.
    """
    images, labels = blobs(128, channels=3)
    x, y = torch.from_numpy(images), torch.from_numpy(labels).long()
    for image, label in zip(x, y, strict=True):
        if label < 3:  # keep the square in one channel only
            others = [c for c in range(3) if c != label]
            image[others] = image[others].clamp(max=40)
    names = ("red", "green", "blue", "white")
    return ImageDataset.create("tiny-colour", Splits(x[:96], y[:96], x[96:], y[96:]), names)


def test_grey_images_keep_the_seed_network_and_its_cache_format():
    model = FeatureClassifier((1, 12, 12), 4)
    assert model.recipe is GREY and GREY.format == "vaelab-classifier/1"
    assert {k: tuple(v.shape) for k, v in model.state_dict().items()} == GREY_STATE
    assert (GREY.epochs, GREY.min_steps, GREY.batch_size, GREY.lr) == (5, 200, 64, 2e-3)
    assert GREY.optimizer == "adam" and not GREY.augment and GREY.label_smoothing == 0


@pytest.mark.parametrize("shape", [(3, 32, 32), (3, 8, 8), (3, 8, 20), (3, 256, 256)])
def test_colour_images_get_the_colour_network(shape):
    model = FeatureClassifier(shape, 10).eval()
    assert model.recipe is COLOUR and COLOUR.format != GREY.format
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())
    assert model.embed(torch.randint(0, 256, (2, *shape), dtype=torch.uint8)).shape == (2, 128)
    assert model(torch.rand(2, *shape)).shape == (2, 10)


def test_the_colour_recipe_bounds_its_steps():
    # The 4,500-image CIFAR sample gets 10 epochs; the full CIFAR-10 no more steps than that.
    assert COLOUR.steps(4500, COLOUR.epochs, COLOUR.min_steps) == 710
    assert COLOUR.steps(50_000, COLOUR.epochs, COLOUR.min_steps) == COLOUR.max_steps
    assert COLOUR.steps(96, COLOUR.epochs, COLOUR.min_steps) == COLOUR.min_steps


def test_augment_crops_the_padded_image_and_may_flip_it():
    images = torch.rand(6, 3, 10, 10)
    out = augment(images, torch.Generator().manual_seed(0), padding=2)
    assert out.shape == images.shape and out.dtype == images.dtype
    assert 0 <= out.min() and out.max() <= 1
    padded = torch.nn.functional.pad(images, (2,) * 4)
    for image, crop in zip(padded, out, strict=True):
        windows = [image[:, dy : dy + 10, dx : dx + 10] for dy in range(5) for dx in range(5)]
        assert any(torch.equal(crop, w) or torch.equal(crop, w.flip(2)) for w in windows)
    # Not the identity, and reproducible from the generator.
    assert not torch.equal(out, images)
    torch.testing.assert_close(out, augment(images, torch.Generator().manual_seed(0), padding=2))


def test_colour_training_is_determined_by_the_seed():
    data = colour_data()
    first, again, other = (
        train_classifier(data, epochs=1, min_steps=4, seed=seed) for seed in (0, 0, 1)
    )
    for key, value in first.state_dict().items():
        assert torch.equal(value, again.state_dict()[key]), key
    assert not torch.equal(first.head.weight, other.head.weight)


@pytest.mark.parametrize(
    "channels", [1, pytest.param(3, marks=pytest.mark.slow)], ids=["grey", "colour"]
)
def test_the_classifier_learns_tiny_images(channels, tiny_data):
    data = tiny_data if channels == 1 else colour_data()
    model = train_classifier(data, epochs=1, min_steps=20 * channels)
    assert model.test_accuracy >= 0.9
    assert model.embed(data.test_x).shape == (32, model.feature_dim)


@pytest.mark.parametrize("channels", [1, 3])
def test_each_recipe_is_cached_and_an_old_colour_format_is_retrained(
    channels, tiny_data, tmp_path, monkeypatch
):
    data = tiny_data if channels == 1 else colour_data()
    trained = []
    real_train = classifier_module.train_classifier

    def quick_train(data, **kwargs):
        trained.append(data.name)
        return real_train(data, epochs=1, min_steps=4)

    monkeypatch.setattr(classifier_module, "train_classifier", quick_train)
    first = load_or_train_classifier(data, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [classifier_file(data, tmp_path).name]
    again = load_or_train_classifier(data, tmp_path)
    assert len(trained) == 1 and again.test_accuracy == first.test_accuracy
    torch.testing.assert_close(again.embed(data.test_x), first.embed(data.test_x))
    classifier_file(data, tmp_path).write_bytes(b"not a safetensors file")
    load_or_train_classifier(data, tmp_path)
    assert len(trained) == 2
    if channels == 1:
        return
    # What the seed cached for colour images: its grey network, under the old format.
    old = torch.nn.Module()
    old.body, old.head = grey_body(data.shape, 128), torch.nn.Linear(128, 4)
    meta = classifier_module._metadata(data, first) | {"format": GREY.format}
    classifier_file(data, tmp_path).write_bytes(save(dict(old.state_dict()), metadata=meta))
    retrained = load_or_train_classifier(data, tmp_path)
    assert len(trained) == 3 and retrained.recipe is COLOUR
    assert load_or_train_classifier(data, tmp_path).recipe is COLOUR and len(trained) == 3
