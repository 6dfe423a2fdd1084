"""The training settings' widgets, shared by the Train page's sidebar and the Compare page.

Each widget is keyed ``<prefix>_<setting>`` (``hp_epochs`` in the sidebar, ``cmp_epochs`` on the
Compare page) and keeps its value for the whole browser session. The ranges are those of
:data:`vaelab.config.LIMITS`; where the app offers less, the constant says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from vaelab.app.i18n import current_language, t
from vaelab.config import LIMITS
from vaelab.data.limits import MAX_UPLOAD_BYTES
from vaelab.errors import ConfigError
from vaelab.i18n import decimal
from vaelab.training.device import DEVICE_CHOICES, pick_device

LATENT_MIN = LIMITS.latent_dim.low
#: The seed app's range: a slider up to the library's limit makes small codes harder to pick.
LATENT_MAX = min(LIMITS.latent_dim.high, 400)
#: 4 by default, not the seed's 128: the fewer the dimensions, the more of the prior's codes land
#: where training images were encoded, so more samples read as digits; below 4 the reconstructions
#: lose the digit (benchmarks/results/default_run.md).
LATENT_STEP, LATENT_DEFAULT = 2, 4
#: Layer widths offered: the powers of two within the library's limits.
WIDTHS = tuple(1 << k for k in range(LIMITS.width.high.bit_length()) if LIMITS.width.low <= 1 << k)
MAX_LAYERS = LIMITS.layers.high
BATCH_SIZES = (64, 128, 256)
EPOCHS_MIN = LIMITS.epochs.low
#: A class session never needs more; the command line trains longer.
EPOCHS_MAX = min(LIMITS.epochs.high, 50)
#: 10 by default, not the seed's 5: the reconstructions read as their digit more often, and the
#: default run still takes under half a minute on an idle 2-core machine
#: (benchmarks/results/default_run.md).
EPOCHS_DEFAULT = 10
LEARNING_RATES = (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2)
LR_DEFAULT = 1e-3
#: Largest upload, in MB: the library's limit on uploaded content, also the server's
#: ``server.maxUploadSize`` (``.streamlit/config.toml`` and ``vaelab app``).
MAX_UPLOAD_MB = MAX_UPLOAD_BYTES // 2**20
#: Streamlit's number input is a JavaScript number in the browser: integers stay exact only up to
#: Number.MAX_SAFE_INTEGER (Streamlit refuses larger bounds), below the library's 2⁶³ − 1.
SEED_MAX = min(LIMITS.seed.high, 2**53 - 1)
#: Step of the KL warm-up input's arrows: an MNIST epoch is about 940 steps of 64 images.
KL_WARMUP_STEP = 100
#: The free bits offered, in nats per latent dimension (0: off): usually a fraction of a nat.
FREE_BITS = (0.0, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
#: The gradient-clipping norms offered (0: off): the default run's gradients have a norm of a few
#: hundred, so 1 normalises every step and 100 or more only catches spikes.
GRAD_CLIPS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 100.0, 300.0, 1000.0)


def number_format(lang: str) -> Callable[[float], str]:
    """Write option values as ``0.001`` or ``1e-05``, with the decimal mark of ``lang``.

    The language is passed in, not read when an option is shown: Streamlit's test client formats
    options outside the script run, where the session is unknown.
    """
    return lambda value: decimal(value, "g", lang)


def latent_slider(prefix: str) -> int:
    """The size of the latent code."""
    return st.slider(
        t("sidebar.latent"),
        LATENT_MIN,
        LATENT_MAX,
        step=LATENT_STEP,
        help=t("sidebar.latent_help"),
        key=f"{prefix}_latent",
        persist_state="session",
    )


def batch_slider(prefix: str) -> int:
    """Images per optimisation step."""
    return st.select_slider(
        t("sidebar.batch"),
        BATCH_SIZES,
        help=t("sidebar.batch_help"),
        key=f"{prefix}_batch",
        persist_state="session",
    )


def epochs_slider(prefix: str) -> int:
    """Passes over the training set."""
    return st.slider(
        t("sidebar.epochs"),
        EPOCHS_MIN,
        EPOCHS_MAX,
        help=t("sidebar.epochs_help"),
        key=f"{prefix}_epochs",
        persist_state="session",
    )


def lr_slider(prefix: str) -> float:
    """Adam's learning rate."""
    return st.select_slider(
        t("sidebar.lr"),
        LEARNING_RATES,
        format_func=number_format(current_language()),
        help=t("sidebar.lr_help"),
        key=f"{prefix}_lr",
        persist_state="session",
    )


def seed_input(prefix: str) -> int:
    """The random seed."""
    seed = st.number_input(
        t("sidebar.seed"),
        0,
        SEED_MAX,
        step=1,
        help=t("sidebar.seed_help"),
        key=f"{prefix}_seed",
        persist_state="session",
    )
    return int(seed)


def kl_warmup_input(prefix: str) -> int:
    """KL warm-up: optimisation steps over which β grows from 0 (0: off)."""
    steps = st.number_input(
        t("sidebar.kl_warmup"),
        LIMITS.kl_warmup.low,
        LIMITS.kl_warmup.high,
        step=KL_WARMUP_STEP,
        help=t("sidebar.kl_warmup_help"),
        key=f"{prefix}_kl_warmup",
        persist_state="session",
    )
    return int(steps)


def free_bits_input(prefix: str) -> float:
    """Free bits λ, in nats per latent dimension (0: off)."""
    return _float_slider(prefix, "free_bits", FREE_BITS)


def grad_clip_input(prefix: str) -> float:
    """Gradient clipping: the largest norm of a step's gradient (0: off)."""
    return _float_slider(prefix, "grad_clip", GRAD_CLIPS)


def _float_slider(prefix: str, setting: str, choices: tuple[float, ...]) -> float:
    """A choice among ``choices`` of ``setting``, labelled ``sidebar.<setting>``.

    A slider of values rather than a number input: Streamlit writes a number input's value with a
    decimal point whatever the language, and a slider's with :func:`number_format`. A value set
    elsewhere (a reloaded training's) is offered too.
    """
    key = f"{prefix}_{setting}"
    current = st.session_state.get(key)
    if isinstance(current, int | float) and current not in choices:
        choices = tuple(sorted({*choices, current}))
    return float(
        st.select_slider(
            t(f"sidebar.{setting}"),
            choices,
            format_func=number_format(current_language()),
            help=t(f"sidebar.{setting}_help"),
            key=key,
            persist_state="session",
        )
    )


def available_devices() -> list[str]:
    """List the device choices this machine has (``auto`` and ``cpu`` always)."""
    devices = []
    for name in DEVICE_CHOICES:
        try:
            pick_device(name)
        except ConfigError:
            continue
        devices.append(name)
    return devices


def device_select(prefix: str) -> str:
    """Where to train: ``auto`` or one of this machine's devices."""
    lang = current_language()
    return st.selectbox(
        t("sidebar.device"),
        available_devices(),
        format_func=lambda name: t(f"device.{name}", lang),
        help=t("sidebar.device_help"),
        key=f"{prefix}_device",
        persist_state="session",
    )


def file_uploader(
    label: str,
    types: list[str],
    *,
    key: str,
    help: str | None = None,
    lang: str | None = None,
) -> UploadedFile | None:
    """Streamlit's file uploader, with its limit and its hint in the session's language.

    Streamlit writes its own hint ("20MB per file • NPZ") and button ("Upload") in English; the
    page's style sheet (:func:`page_css`) hides the first and relabels the second, and the hint is
    written below in ``lang`` (the session's by default). A file too large or of another type is
    refused in the browser, before the app sees it: :func:`refusal_css` says so in ``lang``.
    """
    upload = st.file_uploader(label, type=types, key=key, help=help, max_upload_size=MAX_UPLOAD_MB)
    kinds = ", ".join(f".{kind}" for kind in types)
    st.caption(t("upload.hint", lang, types=kinds, mb=MAX_UPLOAD_MB))
    refused = t("upload.refused", lang, types=kinds, mb=MAX_UPLOAD_MB)
    st.html(f"<style>{refusal_css(key, refused)}</style>")
    return upload


def _css_text(text: str) -> str:
    """``text`` as a CSS string's content (without its quotes)."""
    return text.replace("\\", "").replace('"', "")


def refusal_css(key: str, message: str) -> str:
    """The style that writes ``message`` where the uploader ``key`` refuses a file in the browser.

    Streamlit checks the size and the type of a chosen file in the browser and, if it refuses it,
    only marks its chip and puts an English sentence ("File must be 20.0MB or smaller.") in a
    tooltip and in a text for screen readers. That text is shown instead, with ``message`` (what
    is accepted) in place of the English, which is hidden (:func:`page_css` hides the tooltip).
    """
    element = "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())  # Streamlit's class
    return f"""
.{element} [data-testid="stFileChip"]:has([role="alert"]) {{ flex-wrap: wrap; }}
.{element} [data-testid="stFileChip"] [role="alert"] {{
    position: static; clip: auto; clip-path: none; flex-basis: 100%; height: auto; margin: 0;
    overflow: visible; white-space: normal; font-size: 0; visibility: hidden;
}}
.{element} [data-testid="stFileChip"] [role="alert"]::after {{
    content: "{_css_text(message)}"; font-size: 0.875rem; visibility: visible;
    color: var(--st-red-color, #bd4043);
}}
"""


def page_css(lang: str) -> str:
    """The app's style sheet in ``lang``: Streamlit's English words replaced, phones served.

    Streamlit's built-in texts cannot be translated. They are matched by their ``data-testid``
    (stable across Streamlit's releases, though not promised): if one changes, the English text
    comes back, which the French browser test (``tests/test_browser_french.py``) catches.
    """
    browse = _css_text(t("upload.browse", lang))
    no_results = _css_text(t("select.no_results", lang))
    return f"""
/* Streamlit's English hint under the uploader: the app writes its own (file_uploader). */
[data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}
/* Its "Upload" button, relabelled in the session's language: the English word is hidden (also
   from the page's text), the label drawn after it stays visible. */
[data-testid="stFileUploaderDropzone"] button p {{ font-size: 0; visibility: hidden; }}
[data-testid="stFileUploaderDropzone"] button p::after {{
    content: "{browse}"; font-size: 0.875rem; visibility: visible;
}}
/* The English tooltip of a file refused in the browser: the chip says why (refusal_css). */
[role="tooltip"]:has([data-testid="stTooltipErrorContent"]) {{ display: none; }}
/* "No results" in a drop-down list whose filter matches nothing. */
[role="listbox"] > [role="option"][style*="contents"] > span {{
    font-size: 0; visibility: hidden;
}}
[role="listbox"] > [role="option"][style*="contents"] > span::after {{
    content: "{no_results}"; font-size: 0.875rem; visibility: visible;
}}
/* The size of an uploaded file, written "2.1KB" whatever the language. */
[data-testid="stFileChipName"] + * {{ display: none; }}
/* Phones: a formula too wide for the screen scrolls instead of being clipped... */
.katex-display {{ overflow-x: auto; overflow-y: hidden; padding-bottom: 0.25rem; }}
/* ...and so does the architecture diagram, kept at a readable size instead of shrunk. */
.vaelab-diagram {{ overflow-x: auto; }}
.vaelab-diagram svg {{ width: 100%; height: auto; }}
"""
