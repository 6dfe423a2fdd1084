"""The one image decoder: the user's uploads and folder images give the same pixels."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
import torch
from PIL import Image

from vaelab.data import images
from vaelab.errors import VaeLabError


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_rgb_photo_becomes_one_grey_channel_of_odd_size():
    photo = Image.new("RGB", (37, 53), (200, 30, 30))
    image = images.load_image(png(photo), (1, 13, 11))
    assert image.shape == (1, 13, 11) and image.dtype == torch.uint8
    expected = round(0.299 * 200 + 0.587 * 30 + 0.114 * 30)  # ITU-R 601 luma, as Pillow
    assert abs(int(image.float().mean()) - expected) <= 1


def test_grey_image_becomes_three_channels():
    image = images.load_image(png(Image.new("L", (20, 20), 77)), (3, 32, 32))
    assert image.shape == (3, 32, 32)
    assert (image == 77).all()


def test_centre_crop_keeps_the_middle():
    wide = np.zeros((10, 30), dtype=np.uint8)
    wide[:, 10:20] = 255  # a white square in the middle of a black band
    image = images.load_image(png(Image.fromarray(wide)), (1, 10, 10))
    assert int(image.min()) >= 250


def test_transparency_is_laid_on_white_and_16_bit_is_scaled():
    clear = images.load_image(png(Image.new("RGBA", (9, 9), (0, 0, 0, 0))), (1, 8, 8))
    assert (clear == 255).all()
    deep = Image.fromarray(np.full((9, 9), 65535, dtype=np.uint16))
    assert (images.load_image(png(deep), (1, 8, 8)) == 255).all()


def test_file_like_objects_are_read():
    image = images.load_image(io.BytesIO(png(Image.new("L", (8, 8), 9))), (1, 8, 8))
    assert (image == 9).all()


def test_suggest_invert_and_invert():
    paper = torch.full((1, 8, 8), 250, dtype=torch.uint8)
    paper[:, 3:5, 3:5] = 0
    mnist_like = torch.zeros(4, 1, 8, 8, dtype=torch.uint8)
    assert images.suggest_invert(paper, mnist_like)
    assert not images.suggest_invert(images.invert(paper), mnist_like)
    assert not images.suggest_invert(paper, torch.empty(0, 1, 8, 8))
    torch.testing.assert_close(images.invert(torch.tensor([0.25])), torch.tensor([0.75]))


def test_colour_images_are_never_suggested_for_inversion():
    # A red disc on white against dark colour photos: inverting would turn the disc cyan.
    photo = torch.full((3, 8, 8), 250, dtype=torch.uint8)
    photo[1:, 2:6, 2:6] = 0
    dark_photos = torch.zeros(4, 3, 8, 8, dtype=torch.uint8)
    assert not images.suggest_invert(photo, dark_photos)


def _reason(data, shape=(1, 8, 8)) -> str:
    with pytest.raises(images.ImageInputError) as info:
        images.load_image(data, shape)
    assert isinstance(info.value, VaeLabError)
    assert "\n" not in str(info.value)
    return info.value.reason


def test_non_images_are_refused_with_one_line():
    assert _reason(b"this is a text file, not a picture") == "not-image"
    assert _reason(b"") == "empty"
    truncated = png(Image.new("L", (64, 64), 5))
    assert _reason(truncated[: len(truncated) // 2]) in ("damaged", "not-image")


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size but holds almost no data: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [7_000, 30_000])
def test_decompression_bombs_are_refused_before_decoding(side):
    # 49 megapixels is above our limit; 900 megapixels is above Pillow's own too.
    with pytest.raises(images.ImageInputError) as info:
        images.load_image(_png_header_only(side, side), (1, 8, 8))
    assert info.value.reason == "too-many-pixels"
    assert "megapixels" in str(info.value)


def test_huge_files_are_refused():
    assert _reason(b"\0" * (images.MAX_UPLOAD_BYTES + 1)) == "file-too-large"

    class Upload(io.BytesIO):
        size = 10 * images.MAX_UPLOAD_BYTES  # declared, as Streamlit's UploadedFile does

        def read(self, *args):  # pragma: no cover - must not be called
            raise AssertionError("a file declared too large must not be read")

    assert _reason(Upload()) == "file-too-large"


# -- one decoder for every path ---------------------------------------------------------------


def _rgba_png() -> bytes:
    """16×16 RGBA: colours and alpha from fully transparent to opaque."""
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, size=(16, 16, 4), dtype=np.uint8)
    pixels[0, :, 3] = 0  # a transparent row, whatever colour it stores
    pixels[1, :, 3] = 255  # an opaque row
    return png(Image.fromarray(pixels, mode="RGBA"))


def _deep_png() -> bytes:
    """16×16 grey, 16 bits per pixel, values over the whole 0-65535 range."""
    values = np.linspace(0, 65535, 256).round().astype(np.uint16).reshape(16, 16)
    values[0, :5] = (0, 255, 256, 40000, 65535)
    return png(Image.fromarray(values))


def _every_path(data: bytes, shape: tuple[int, int, int], folder) -> list[torch.Tensor]:
    """The same file through the upload decoder (bytes, file object, path) and a folder dataset."""
    from vaelab.data import load_dataset

    folder.mkdir()
    for name in ("a.png", "b.png"):  # a dataset needs two images, one to test
        (folder / name).write_bytes(data)
    dataset = load_dataset(folder, image_size=shape[-1])
    assert dataset.shape == shape
    return [
        images.load_image(data, shape),
        images.load_image(io.BytesIO(data), shape),
        images.load_image(folder / "a.png", shape),
        images.load_image(str(folder / "a.png"), shape),
        *torch.cat([dataset.train_x, dataset.test_x]),
    ]


@pytest.mark.parametrize("size", [16, 9])
def test_rgba_png_gives_identical_pixels_through_every_path(tmp_path, size):
    decoded = _every_path(_rgba_png(), (3, size, size), tmp_path / "rgba")
    for other in decoded[1:]:
        assert torch.equal(other, decoded[0])
    if size == 16:  # not resized: the compositing on white can be checked pixel by pixel
        pixels = np.asarray(Image.open(io.BytesIO(_rgba_png()))).astype(np.float64)
        alpha = pixels[..., 3:] / 255
        expected = pixels[..., :3] * alpha + 255 * (1 - alpha)  # (H, W, 3)
        got = decoded[0].permute(1, 2, 0).double()
        assert (got[0] == 255).all()  # transparent is white
        assert torch.equal(got[1], torch.from_numpy(pixels[1, :, :3]))  # opaque is unchanged
        assert (got - torch.from_numpy(expected)).abs().max() <= 1


@pytest.mark.parametrize("size", [16, 9])
def test_16_bit_png_gives_identical_pixels_through_every_path(tmp_path, size):
    decoded = _every_path(_deep_png(), (1, size, size), tmp_path / "deep")
    for other in decoded[1:]:
        assert torch.equal(other, decoded[0])
    if size == 16:  # a fixed scale, v >> 8: never stretched by the image's own maximum
        values = np.asarray(Image.open(io.BytesIO(_deep_png()))).astype(np.int64)
        assert decoded[0][0].tolist() == (values >> 8).tolist()
        assert decoded[0][0, 0, :5].tolist() == [0, 0, 1, 156, 255]


def test_16_bit_grey_and_colour_agree():
    # Pillow keeps the high byte of 16-bit RGB PNGs; grey 16-bit follows the same rule.
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    values = [0, 255, 256, 1000, 40000, 65535, 32768, 128]
    rgb_row = b"\0" + b"".join(struct.pack(">HHH", v, v, v) for v in values)
    header = struct.pack(">IIBBBBB", 8, 8, 16, 2, 0, 0, 0)  # 16-bit RGB
    rgb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rgb_row * 8))
        + chunk(b"IEND", b"")
    )
    grey = png(Image.fromarray(np.tile(np.array(values, dtype=np.uint16), (8, 1))))
    from_rgb = images.load_image(rgb, (1, 8, 8))
    from_grey = images.load_image(grey, (1, 8, 8))
    assert torch.equal(from_rgb, from_grey)
    assert from_grey[0, 0].tolist() == [v >> 8 for v in values]


def test_a_dim_16_bit_image_stays_dim():
    # Scaling by the image's own peak would make this 1/64-bright image fully bright.
    dim = Image.fromarray(np.full((8, 8), 1024, dtype=np.uint16))
    assert (images.load_image(png(dim), (1, 8, 8)) == 4).all()


def test_files_on_disk_have_no_upload_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 10)
    path = tmp_path / "a.png"
    path.write_bytes(png(Image.new("L", (8, 8), 9)))
    assert (images.load_image(path, (1, 8, 8)) == 9).all()
    with pytest.raises(images.ImageInputError) as info:
        images.load_image(path.read_bytes(), (1, 8, 8))
    assert info.value.reason == "file-too-large"


# -- whatever Pillow meets in a damaged or unusual file is one line ----------------------------


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _palette_png(plte: bytes, trns: bytes = b"") -> bytes:
    """8×8 palette PNG (colour type 3) with the given PLTE and tRNS chunks."""
    header = struct.pack(">IIBBBBB", 8, 8, 8, 3, 0, 0, 0)
    extra = _chunk(b"PLTE", plte) + (_chunk(b"tRNS", trns) if trns else b"")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + extra
        + _chunk(b"IDAT", zlib.compress(b"\0" * 72))
        + _chunk(b"IEND", b"")
    )


def _animated(fmt: str) -> bytes:
    frames = [Image.new("L", (16, 16), value) for value in (40, 128, 255)]
    return _save(frames[0], fmt, save_all=True, append_images=frames[1:])


def _palette_with_transparency() -> bytes:
    image = Image.new("P", (12, 12), 3)
    image.putpalette([0] * 768)
    return _save(image, "PNG", transparency=3)


#: File -> (reason of the refusal, or the mean grey level it decodes to).
UNUSUAL_FILES = {
    "truncated PNG": (lambda: png(Image.new("L", (64, 64), 5))[:80], "damaged"),
    "PNG with a bad CRC": (lambda: _palette_png(bytes(30))[:40] + b"\xff" * 60, "not-image"),
    "PNG of 0×0": (lambda: _png_header_only(0, 0), "not-image"),
    "palette of 300 colours": (lambda: _palette_png(bytes(900)), "damaged"),
    "tRNS longer than the palette": (lambda: _palette_png(bytes(30), bytes(5000)), "damaged"),
    "GIF declaring 65535×65535": (
        lambda: (
            b"GIF89a"
            + struct.pack("<HH", 65535, 65535)
            + b"\0\0\0,\0\0\0\0"
            + struct.pack("<HH", 65535, 65535)
            + b"\0\x02\x02D\x01\0;"
        ),
        "too-many-pixels",
    ),
    "BMP declaring 100000×100000": (
        lambda: (
            b"BM"
            + struct.pack("<IHHI", 0, 0, 0, 54)
            + struct.pack("<IiiHHIIiiII", 40, 100_000, 100_000, 1, 24, 0, 0, 0, 0, 0, 0)
        ),
        "too-many-pixels",
    ),
    "PGM declaring 99999×99999": (lambda: b"P5\n99999 99999\n255\n" + bytes(10), "too-many-pixels"),
    "random bytes": (lambda: bytes(range(256)) * 4, "not-image"),
    "CMYK JPEG": (lambda: _save(Image.new("CMYK", (20, 20), (0, 0, 0, 255)), "JPEG"), 0),
    "1-bit PNG": (lambda: png(Image.new("1", (20, 20), 1)), 255),
    "I;16 PNG": (lambda: png(Image.fromarray(np.full((9, 9), 65535, np.uint16))), 255),
    "LA PNG, half transparent": (lambda: png(Image.new("LA", (20, 20), (0, 0))), 255),
    "P with a transparent colour": (_palette_with_transparency, 255),
    "animated GIF": (lambda: _animated("GIF"), 40),
    "animated PNG": (lambda: _animated("PNG"), 40),
    "float TIFF of NaN": (
        lambda: _save(Image.fromarray(np.full((9, 9), np.nan, np.float32)), "TIFF"),
        0,
    ),
    "LAB TIFF": (lambda: _save(Image.new("LAB", (9, 9), (255, 128, 128)), "TIFF"), 255),
    "16-bit big-endian TIFF": (
        lambda: _save(Image.fromarray(np.full((9, 9), 65535, np.uint16)), "TIFF"),
        255,
    ),
}


@pytest.mark.parametrize("name", UNUSUAL_FILES)
@pytest.mark.parametrize("shape", [(1, 8, 8), (3, 8, 8)])
def test_unusual_and_damaged_files_decode_or_say_one_line(name, shape):
    make, expected = UNUSUAL_FILES[name]
    if isinstance(expected, str):
        assert _reason(make(), shape) == expected
    else:
        image = images.load_image(make(), shape)
        assert image.shape == shape and abs(float(image.float().mean()) - expected) <= 2


def test_a_file_on_disk_is_decoded_by_content_not_extension(tmp_path):
    jpeg_named_png = tmp_path / "photo.png"
    jpeg_named_png.write_bytes(_save(Image.new("RGB", (16, 16), (90, 90, 90)), "JPEG"))
    assert abs(float(images.load_image(jpeg_named_png, (1, 8, 8)).float().mean()) - 90) <= 2
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(images.ImageInputError) as info:
        images.load_image(empty, (1, 8, 8))
    assert info.value.reason == "empty"
