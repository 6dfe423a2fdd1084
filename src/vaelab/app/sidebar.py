"""The hyperparameter sidebar of the Train page: the seed's settings, validated into a RunConfig.

Every widget has a key and keeps its value for the whole browser session, page changes included;
options are stable ids shown through translated labels. Invalid choices are corrected with an
inline message; this module never raises.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from vaelab.app import widgets
from vaelab.app.i18n import current_language, t
from vaelab.app.labels import dataset_label, model_label
from vaelab.app.paths import data_dir
from vaelab.app.state import downloads_allowed
from vaelab.config import SCALE_MODES, SCALED_LIKELIHOODS, ModelConfig, RunConfig
from vaelab.data import DatasetInfo, ImageDataset, dataset_info, dataset_names, load_dataset
from vaelab.errors import ConfigError, DatasetError, DatasetUnavailableError
from vaelab.i18n import size, whole
from vaelab.training.experiment import build_config
from vaelab.variants import VARIANTS, is_autoencoder

# The seed's defaults; the ranges are those of the shared widgets (vaelab.app.widgets).
HIDDEN_DEFAULT = (32, 64)
BETAS = (
    0.0,  # a plain autoencoder, for the β-VAE only (its range starts at 0)
    1e-5,
    2e-5,
    5e-5,
    1e-4,
    2e-4,
    5e-4,
    1e-3,
    2e-3,
    5e-3,
    0.01,
    0.02,
    0.05,
    0.1,
    0.2,
    0.5,
    1.0,
    2.0,
    5.0,
    10.0,
)
BETA_DEFAULT = 1.0
#: Prefix of the keys of the shared widgets (:mod:`vaelab.app.widgets`).
PREFIX = "hp"
#: Choice of the dataset list that reads the user's own images.
OWN_DATA = "own"
#: Longest name kept of an uploaded file.
MAX_NAME_CHARS = 80
#: Image sides offered for the user's images; ``None`` lets the loader decide.
IMAGE_SIZES = (None, 16, 28, 32, 48, 64)

#: Default value of every widget, by key. They are written to session state once instead of being
#: passed to the widgets, which keep their values for the whole session (``persist_state``), so
#: that going to another page and back does not reset them.
DEFAULTS: dict[str, object] = {
    # The σ-VAE: with its calibrated decoder, more of the default run's samples read as digits
    # than with a VAE's fixed MSE or Bernoulli (benchmarks/results/default_run.md).
    "hp_variant": "sigma-vae",
    "hp_dataset": "mnist",
    "hp_own_path": "",
    "hp_image_size": None,
    "hp_latent": widgets.LATENT_DEFAULT,
    "hp_hidden": list(HIDDEN_DEFAULT),
    **{f"hp_likelihood_{v.id}": v.likelihoods[0] for v in VARIANTS.values()},
    "hp_scale": "optimal",
    **{f"hp_beta_{v.id}": BETA_DEFAULT for v in VARIANTS.values() if not v.beta_is_fixed},
    "hp_batch": widgets.BATCH_SIZES[0],
    "hp_epochs": widgets.EPOCHS_DEFAULT,
    "hp_lr": widgets.LR_DEFAULT,
    "hp_seed": 0,
    "hp_device": "auto",
    # A KL warm-up of 300 steps (about 5 of the default run's 10 epochs on the offline MNIST
    # sample): more of its samples read as digits, 58 % instead of 48 % over four seeds, with
    # reconstructions as good (benchmarks/results/default_run.md).
    "hp_kl_warmup": 300,
    "hp_free_bits": 0.0,
    # Gradient clipping to a norm of 1: with the warm-up, the default run's samples read as
    # digits in every seed 0 to 5 (54 to 65 %; seed 0: 57 % instead of 42 %), 55 % of 1,000
    # samples over seeds 0 to 7 instead of 52 % (benchmarks/results/default_run.md, session 7).
    "hp_grad_clip": 1.0,
}


def widget_values(config: RunConfig, device: str) -> dict[str, object]:
    """The widget values, by session-state key, that describe ``config`` trained on ``device``.

    The Train page writes them before the sidebar draws, so that a reloaded tab shows the
    settings of the browser's training. Every key is one of :data:`DEFAULTS`.
    """
    model, data, train = config.model, config.data, config.train
    registered = data.dataset in dataset_names()
    values: dict[str, object] = {
        "hp_variant": model.variant,
        "hp_dataset": data.dataset if registered else OWN_DATA,
        "hp_latent": model.latent_dim,
        "hp_hidden": list(model.hidden),
        f"hp_likelihood_{model.variant}": model.likelihood,
        "hp_batch": train.batch_size,
        # A continued run may train past the slider; its id does not depend on the epochs.
        "hp_epochs": min(train.epochs, widgets.EPOCHS_MAX),
        "hp_lr": train.lr,
        "hp_seed": train.seed,
        "hp_device": device,
        "hp_kl_warmup": train.kl_warmup,
        "hp_free_bits": train.free_bits,
        "hp_grad_clip": train.grad_clip,
    }
    if model.likelihood in SCALED_LIKELIHOODS:
        values["hp_scale"] = model.scale
    if not VARIANTS[model.variant].beta_is_fixed:
        values[f"hp_beta_{model.variant}"] = model.beta
    if not registered:
        values |= {"hp_own_path": data.dataset, "hp_image_size": data.image_size}
    return values


@dataclass(frozen=True)
class Selection:
    """What the sidebar describes.

    Attributes
    ----------
    config : RunConfig or None
        The validated run, or ``None`` when the data could not be loaded or a value is invalid.
    model : ModelConfig or None
        The architecture, known even when the data is not (for the architecture panel).
    data : ImageDataset or None
        The loaded images.
    info : DatasetInfo or None
        Facts about the chosen dataset.
    requested : str
        The dataset as picked (``"mnist"``), which may differ from ``data.name`` after a fallback.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
    problem : str or None
        Why the data could not be loaded, in the session's language.
    """

    config: RunConfig | None
    model: ModelConfig | None
    data: ImageDataset | None
    info: DatasetInfo | None
    requested: str
    device: str
    problem: str | None = None


@st.cache_resource(ttl=300, show_spinner=False, max_entries=8)
def _load_registered(
    name: str, root: str, download: bool
) -> ImageDataset | DatasetUnavailableError:
    # A failed download takes seconds: its outcome, error included, is kept a few minutes so
    # that it is not retried on every rerun, while a later retry can still succeed.
    try:
        return load_dataset(name, Path(root), download=download, allow_fallback=True)
    except DatasetUnavailableError as exc:
        return exc


def load_data(name: str, image_size: int | None = None) -> ImageDataset:
    """Load a registered dataset (MNIST falls back to its offline sample) or the user's images.

    Raises
    ------
    DatasetError, ConfigError
        If the images cannot be loaded; the message says why.
    """
    if name in dataset_names():
        loaded = _load_registered(name, str(data_dir()), downloads_allowed())
        if isinstance(loaded, DatasetUnavailableError):
            raise DatasetUnavailableError(str(loaded))  # a fresh one: no growing traceback
        return loaded
    return load_dataset(name, data_dir(), image_size=image_size)


def fallback_notice(requested: str, data: ImageDataset) -> None:
    """Say so when ``requested`` could not be loaded and its offline sample stands in for it."""
    if data.notice and data.name != requested:
        st.warning(
            t(
                "train.offline_notice",
                requested=dataset_label(requested),
                used=dataset_label(data.name),
                n=whole(len(data.train_x) + len(data.test_x)),
            ),
            icon=":material/wifi_off:",
        )


def _labeller(prefix: str) -> Callable[[object], str]:
    """Translate option ids as ``prefix.<id>`` in the session's language.

    The language is read now, not when an option is shown: Streamlit's test client formats
    options outside the script run, where the session is unknown.
    """
    lang = current_language()
    return lambda option: t(f"{prefix}.{option}", lang)


def _image_size_label(lang: str) -> Callable[[int | None], str]:
    return lambda side: t("sidebar.image_size_auto", lang) if side is None else size((side, side))


#: What a file name may not hold on any system: separators, Windows' reserved characters and
#: control characters. Everything else (spaces, accents, brackets) is kept.
_UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def _upload_name(name: str) -> str:
    """The uploaded file's own name, as the user knows it, for the labels that show it.

    Only what a file name cannot hold is replaced; a name that is nothing but dots or spaces
    (or nothing at all) becomes ``upload.npz``.
    """
    base = re.split(r"[/\\]", name)[-1]  # a browser may send a Windows path
    stem = base[: -len(".npz")] if base.lower().endswith(".npz") else base
    stem = _UNSAFE_IN_NAMES.sub("_", stem).strip(" .")[:MAX_NAME_CHARS].strip(" .")
    return f"{stem or 'upload'}.npz"


def _save_upload(upload: object) -> Path:
    """Keep an uploaded .npz under the data folder, in a folder named by its content hash.

    The file keeps its own name, so that the dataset's label is the name the user knows.
    """
    payload = upload.getvalue()
    digest = hashlib.sha256(payload).hexdigest()[:16]
    path = data_dir() / "uploads" / digest / _upload_name(upload.name)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
    return path


def _dataset_widgets() -> tuple[str, int | None, DeltaGenerator]:
    """Dataset choice, with the path and image size of the user's own images.

    Returns the dataset (an id or a path), the image size, and the place directly under the
    box that names the data (the picker, or the path of the user's images), where what went
    wrong with the data is said once it is loaded.
    """
    names = [*dataset_names(), OWN_DATA]
    choice = st.selectbox(
        t("sidebar.dataset"),
        names,
        format_func=_labeller("dataset"),
        help=t("sidebar.dataset_help"),
        key="hp_dataset",
        persist_state="session",
    )
    if choice != OWN_DATA:
        return choice, None, st.container()
    path = st.text_input(
        t("sidebar.own_path"),
        placeholder=t("sidebar.own_path_placeholder"),
        help=t("sidebar.own_path_help"),
        key="hp_own_path",
        persist_state="session",
    ).strip()
    slot = st.container()
    upload = widgets.file_uploader(
        t("sidebar.own_upload"),
        ["npz"],
        key="hp_own_upload",
        help=t("sidebar.own_upload_help"),
    )
    if upload is not None:
        path = str(_save_upload(upload))
    size = st.selectbox(
        t("sidebar.image_size"),
        IMAGE_SIZES,
        format_func=_image_size_label(current_language()),
        # "Automatic" is the option None, which Streamlit shows as the placeholder.
        placeholder=t("sidebar.image_size_auto"),
        help=t("sidebar.image_size_help"),
        key="hp_image_size",
        persist_state="session",
    )
    return path, size, slot


def _own_path(requested: str) -> Path:
    """The user's path with ``~`` expanded."""
    try:
        return Path(requested).expanduser()
    except RuntimeError:  # "~someone" where there is no such user: taken as it is
        return Path(requested)


def _load(
    requested: str, image_size: int | None
) -> tuple[ImageDataset | None, DatasetInfo | None, str | None]:
    """Load the chosen images: the dataset, facts about it, and what went wrong, if anything."""
    data, info, problem = None, None, None
    registered = requested in dataset_names()
    name = requested if registered else str(_own_path(requested))
    if not registered and not Path(name).exists():
        # Said here: the library would take a bare name for an unknown registered dataset.
        return None, None, t("sidebar.own_path_not_found", path=name)
    try:
        with st.spinner(t("sidebar.loading", name=dataset_label(requested))):
            data = load_data(name, image_size)
            info = dataset_info(data.name, data_dir(), image_size=image_size)
    except DatasetUnavailableError:
        # The library's reason is English (and may quote a network error): the app says it all.
        problem = t(
            "sidebar.dataset_unavailable",
            name=dataset_label(requested),
            id=requested,
            folder=data_dir().resolve(),
        )
    except (DatasetError, ConfigError, OSError) as exc:
        problem = t("sidebar.dataset_error", reason=exc)
    if info is None and registered:
        info = dataset_info(requested, data_dir())
    return data, info, problem


def _hidden_widget() -> tuple[int, ...]:
    """Pick the encoder widths in order,, corrected to 1–5 layers with a message."""
    hidden = st.multiselect(
        t("sidebar.hidden"),
        widgets.WIDTHS,
        help=t("sidebar.hidden_help"),
        key="hp_hidden",
        persist_state="session",
    )
    if not hidden:
        st.warning(t("sidebar.hidden_none", default=" → ".join(map(str, HIDDEN_DEFAULT))))
        return HIDDEN_DEFAULT
    if len(hidden) > widgets.MAX_LAYERS:
        st.warning(t("sidebar.hidden_too_many", n=len(hidden), max=widgets.MAX_LAYERS))
        hidden = hidden[: widgets.MAX_LAYERS]
    st.caption(t("sidebar.hidden_order", order=" → ".join(map(str, hidden))))
    return tuple(hidden)


def _loss_widgets(variant: str) -> tuple[str, str, float]:
    """Reconstruction likelihood, σ mode and β for ``variant``."""
    spec = VARIANTS[variant]
    likelihood = st.selectbox(
        t("sidebar.likelihood"),
        spec.likelihoods,
        format_func=_labeller("likelihood"),
        help=t(f"sidebar.likelihood_help.{variant}"),
        key=f"hp_likelihood_{variant}",
        persist_state="session",
    )
    scale = "optimal"
    if likelihood in SCALED_LIKELIHOODS:
        scale = st.radio(
            t("sidebar.scale"),
            SCALE_MODES,
            format_func=_labeller("scale"),
            help=t("sidebar.scale_help"),
            horizontal=True,
            key="hp_scale",
            persist_state="session",
        )
    if spec.beta_is_fixed:
        st.caption(t("sidebar.beta_fixed"))
        return likelihood, scale, spec.beta_range[0]
    betas = [b for b in BETAS if spec.beta_range[0] <= b <= spec.beta_range[1]]
    beta = st.select_slider(
        t("sidebar.beta"),
        betas,
        format_func=widgets.number_format(current_language()),
        help=t(f"sidebar.beta_help.{variant}"),
        key=f"hp_beta_{variant}",
        persist_state="session",
    )
    if is_autoencoder(beta):
        st.caption(t("sidebar.beta_zero"))
    return likelihood, scale, beta


def render() -> Selection:
    """Draw the hyperparameter widgets in the sidebar and validate them.

    Returns
    -------
    Selection
        The run they describe (``config`` is ``None`` when it cannot be built; the reason is shown
        in the sidebar).
    """
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    with st.sidebar:
        st.header(t("sidebar.title"))
        variant = st.selectbox(
            t("sidebar.model"),
            list(VARIANTS),
            format_func=model_label,
            help=t("sidebar.model_help"),
            key="hp_variant",
            persist_state="session",
        )
        requested, image_size, dataset_slot = _dataset_widgets()
        latent = widgets.latent_slider(PREFIX)
        hidden = _hidden_widget()
        likelihood, scale, beta = _loss_widgets(variant)
        batch_size = widgets.batch_slider(PREFIX)
        epochs = widgets.epochs_slider(PREFIX)
        with st.expander(t("sidebar.advanced")):
            lr = widgets.lr_slider(PREFIX)
            seed = widgets.seed_input(PREFIX)
            device = widgets.device_select(PREFIX)
            # Training options of the objective (issue #14 §5): free bits off by default, a short
            # KL warm-up on (DEFAULTS).
            kl_warmup = widgets.kl_warmup_input(PREFIX)
            free_bits = widgets.free_bits_input(PREFIX)
            if kl_warmup or free_bits:
                st.caption(t("train.surrogate_loss"))
            grad_clip = widgets.grad_clip_input(PREFIX)

        data, info, problem = None, None, None
        if requested:
            data, info, problem = _load(requested, image_size)
        with dataset_slot:
            if not requested:
                st.info(t("sidebar.own_path_missing"))
            elif problem:
                st.error(problem, icon=":material/error:")

        settings = dict(
            variant=variant,
            latent_dim=latent,
            hidden=hidden,
            likelihood=likelihood,
            scale=scale,
            beta=beta,
        )
        config, model = None, None
        try:
            if data is not None:
                config = build_config(
                    data,
                    **settings,
                    epochs=epochs,
                    batch_size=batch_size,
                    lr=lr,
                    seed=seed,
                    kl_warmup=kl_warmup,
                    free_bits=free_bits,
                    grad_clip=grad_clip,
                )
                model = config.model
            elif info is not None:
                channels, height, width = info.shape
                model = ModelConfig(**settings, channels=channels, height=height, width=width)
        except ConfigError as exc:
            st.error(t("sidebar.invalid", reason=exc))
            config = None
    return Selection(config, model, data, info, requested, device, problem)
