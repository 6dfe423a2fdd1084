"""Sphinx directives that build parts of the VAE Lab documentation from the project itself.

* ``vaelab-cli`` renders the ``--help`` of ``vaelab`` and of every subcommand, straight from
  :func:`vaelab.cli.build_parser`, so the reference can never drift from the program.
* ``theory-figure`` draws one of the Learn page's figures with :mod:`vaelab.app.learn_figures`, in
  English or French, with the app's own caption.
* ``app-screenshot`` and ``app-screenshot-gallery`` show the PNGs the browser test saved (copied
  into ``_screenshots/`` by ``make screenshots``); ``results-files`` shows the committed
  comparisons ``vaelab compare`` wrote into the package (:mod:`vaelab.compare.reference`; figures
  copied into ``_generated/results/``). When the files are not there yet, the page says how to
  make them instead of failing: the docs build with zero warnings from a clean clone.
* MathJax is served from the copy bundled by the ``sphinx-mathjax-offline`` package, so neither the
  build nor the pages need the network.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging as std_logging
import os
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

#: Width of the rendered ``--help`` texts, fixed so that the pages do not depend on the terminal.
HELP_WIDTH = 88
SCREENSHOT_DIR = "_screenshots"
RESULTS_DIR = "_generated/results"
FIGURE_DIR = "_generated/figures"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg", ".webp")


# -- vaelab-cli -----------------------------------------------------------------------------------


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """(name, one-line help, parser) of each subcommand, in the order the parser lists them."""
    found = []
    for action in parser._actions:  # argparse keeps subparsers as an action
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                found.append((name, helps.get(name, ""), sub))
    return found


def _help_text(parser: argparse.ArgumentParser) -> str:
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(HELP_WIDTH)
    try:
        return parser.format_help().rstrip()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


class CliDirective(SphinxDirective):
    """``.. vaelab-cli::`` — the help of the whole command line, one section per subcommand."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """Render the top-level help, a list of the commands, then one section each."""
        from vaelab import cli

        for module in Path(cli.__file__).parent.glob("*.py"):  # one module per command
            self.env.note_dependency(str(module))
        parser = cli.build_parser()
        # The overview: the top-level help, then each command with a link to its section.
        result: list[nodes.Node] = [self._literal(_help_text(parser))]
        items = nodes.bullet_list()
        for name, help_, _ in _subcommands(parser):
            ref = nodes.reference("", "", internal=True, refid=self._id(f"vaelab {name}"))
            ref += nodes.literal(text=f"vaelab {name}")
            para = nodes.paragraph("", "", ref, nodes.Text(f" — {help_}" if help_ else ""))
            items += nodes.list_item("", para)
        result.append(items)
        for name, help_, sub in _subcommands(parser):
            result.append(self._section(f"vaelab {name}", help_, sub))
        return result

    def _section(self, prog: str, help_: str, parser: argparse.ArgumentParser) -> nodes.section:
        section = nodes.section(ids=[self._id(prog)], names=[nodes.fully_normalize_name(prog)])
        section += nodes.title("", "", nodes.literal(text=prog))
        if help_:
            section += nodes.paragraph(text=help_[0].upper() + help_[1:] + ".")
        section += self._literal(_help_text(parser))
        for name, sub_help, sub in _subcommands(parser):
            section += self._section(f"{prog} {name}", sub_help, sub)
        # An explicit target: ":ref:`vaelab train`" links here.
        self.state.document.note_explicit_target(section, section)
        return section

    @staticmethod
    def _id(prog: str) -> str:
        return nodes.make_id(prog)

    @staticmethod
    def _literal(text: str) -> nodes.literal_block:
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return block


# -- theory-figure --------------------------------------------------------------------------------


class TheoryFigureDirective(SphinxDirective):
    """``.. theory-figure:: kl`` with ``:lang: fr`` — a figure of the Learn page, drawn now."""

    required_arguments = 1
    option_spec = {"lang": lambda value: directives.choice(value, ("en", "fr"))}

    def run(self) -> list[nodes.Node]:
        """Draw the figure (or reuse the cached PNG) and return it with its caption."""
        name, lang = self.arguments[0], self.options.get("lang", "en")
        try:
            from vaelab.app import learn_figures
        except ImportError as exc:  # matplotlib is in the ``app`` extra
            note = nodes.note()
            note += nodes.paragraph(
                text=f"This figure is drawn by vaelab.app.learn_figures, which needs matplotlib "
                f"({exc}); install the app extra: pip install -e '.[app,docs]'."
            )
            return [note]
        if name not in learn_figures.FIGURES:
            raise self.error(f"unknown figure {name!r}; known: {', '.join(learn_figures.FIGURES)}")
        # The figure's code and its words (the string tables) decide what it looks like.
        from vaelab.i18n import strings_en, strings_fr, text

        sources = [Path(m.__file__) for m in (learn_figures, strings_en, strings_fr)]
        for source in sources:
            self.env.note_dependency(str(source))
        # matplotlib logs font substitutions at INFO level: not the reader's concern.
        std_logging.getLogger("matplotlib").setLevel(std_logging.WARNING)
        target = Path(self.env.srcdir) / FIGURE_DIR / f"{name}-{lang}.png"
        newest = max(source.stat().st_mtime for source in sources)
        if not target.is_file() or target.stat().st_mtime < newest:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(learn_figures.figure_png(name, lang, dpi=110))
        figure = nodes.figure(align="center")
        figure += nodes.image(uri=f"/{FIGURE_DIR}/{name}-{lang}.png", alt=name)
        caption = text(f"learn.fig.{name}.caption", lang)
        if caption and caption != f"learn.fig.{name}.caption":
            figure += nodes.caption(text=caption)
        return [figure]


# -- screenshots and results ----------------------------------------------------------------------


def _files(srcdir: str, folder: str, pattern: str = "*") -> list[Path]:
    base = Path(srcdir) / folder
    return sorted(p for p in base.glob(pattern) if p.suffix.lower() in IMAGE_SUFFIXES)


def _mark_dynamic(directive: SphinxDirective) -> None:
    # Files may appear in these folders without any source changing: re-read such pages always.
    if not hasattr(directive.env, "vaelab_dynamic_docs"):
        directive.env.vaelab_dynamic_docs = set()
    directive.env.vaelab_dynamic_docs.add(directive.env.docname)


def _figure(
    uri: str, alt: str, caption: str | None, directive: SphinxDirective | None = None
) -> nodes.figure:
    figure = nodes.figure(align="center")
    # A width makes Sphinx link the image to its full-size file, to zoom into a screenshot.
    figure += nodes.image(uri=uri, alt=alt, width="100%")
    if caption:
        if directive is None:
            figure += nodes.caption(text=caption)
        else:  # the caption is reStructuredText (**bold**, ``code``...)
            inline, messages = directive.state.inline_text(caption, directive.lineno)
            figure += nodes.caption(caption, "", *inline)
            figure += messages
    return figure


def _note(directive: SphinxDirective, text: str) -> nodes.note:
    """A note whose ``text`` is reStructuredText."""
    inline, messages = directive.state.inline_text(text, directive.lineno)
    return nodes.note("", nodes.paragraph(text, "", *inline), *messages)


class ScreenshotDirective(SphinxDirective):
    """``.. app-screenshot:: train*`` — the first screenshot whose name matches the glob.

    The content, if any, is the caption. Nothing is shown when no file matches.
    """

    required_arguments = 1
    has_content = True
    option_spec = {"alt": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        """Return the first unused screenshot matching the glob, or nothing."""
        _mark_dynamic(self)
        pattern = self.arguments[0]
        matches = _files(
            self.env.srcdir, SCREENSHOT_DIR, pattern if "." in pattern else pattern + ".*"
        )
        used = self.env.temp_data.setdefault("vaelab_screenshots_used", set())
        matches = [m for m in matches if m.name not in used] or matches
        if not matches:
            logger.info("vaelab-docs: no screenshot matches %s/%s", SCREENSHOT_DIR, pattern)
            return []
        chosen = matches[0]
        used.add(chosen.name)
        caption = " ".join(self.content).strip() or None
        alt = self.options.get("alt", caption or chosen.stem)
        return [_figure(f"/{SCREENSHOT_DIR}/{chosen.name}", alt, caption, self)]


class ScreenshotGalleryDirective(SphinxDirective):
    """``.. app-screenshot-gallery::`` — every screenshot not shown above, or a note if none."""

    def run(self) -> list[nodes.Node]:
        """Return the screenshots not shown yet, or a note when there are none."""
        _mark_dynamic(self)
        found = _files(self.env.srcdir, SCREENSHOT_DIR)
        if not found:
            return [
                _note(
                    self,
                    "No screenshots in this build. The project's browser test "
                    "(``tests/test_browser.py``) takes them and saves them into "
                    "``test-artifacts/``: run ``make test-all``, then ``make docs``, which "
                    "copies them here.",
                )
            ]
        used = self.env.temp_data.get("vaelab_screenshots_used", set())
        rest = [p for p in found if p.name not in used]
        return [
            _figure(
                f"/{SCREENSHOT_DIR}/{p.name}", p.stem, p.stem.replace("-", " ").replace("_", " ")
            )
            for p in rest
        ]


class ResultsDirective(SphinxDirective):
    """``.. results-files::`` — every committed comparison (:func:`vaelab.compare.references`).

    Shows, for each, its dataset, its figure, its table (from ``comparison.json``, formatted and
    with the best values in bold by :meth:`vaelab.compare.Comparison.formatted`, the FD column
    with its classifier's accuracy), what the numbers show and the settings and command, then,
    where the folder has a ``seeds.json``, the table over seeds (mean ± standard error) and what
    holds in every seed; or a note saying how to make them.
    """

    def run(self) -> list[nodes.Node]:
        """Return the figures, tables and findings found, or a note saying how to make them."""
        from vaelab.compare import describe, references
        from vaelab.i18n import texts

        _mark_dynamic(self)
        found = references()
        if not found:
            return [
                _note(
                    self,
                    "No results in this build: the figure and the table are written by "
                    "``vaelab compare``; see below how to show them here.",
                )
            ]
        columns = texts("compare.col", "en")  # the model and epochs columns keep their ids
        templates = texts("compare.finding", "en")
        result: list[nodes.Node] = []
        for reference in found:
            comparison = reference.comparison
            self.env.note_dependency(str(reference.folder / "comparison.json"))
            result.append(nodes.rubric(text=f"{comparison.dataset} ({reference.folder.name})"))
            if reference.figure is not None:
                target = Path(self.env.srcdir) / RESULTS_DIR / reference.folder.name
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(reference.figure, target / reference.figure.name)
                uri = f"/{RESULTS_DIR}/{reference.folder.name}/{reference.figure.name}"
                caption = "Samples of each model, decoded from the same latent codes."
                result.append(_figure(uri, comparison.dataset, caption))
            formatted = comparison.formatted(columns, fd_note=templates["fd_column"])
            result.append(_table(*formatted))
            finding = comparison.findings()
            if finding is not None:
                bullets = nodes.bullet_list()
                for sentence in describe(finding, templates, columns):
                    bullets += nodes.list_item("", nodes.paragraph(text=sentence))
                result.append(bullets)
            text = f"{_settings_text(comparison)} Command: ``{reference.command}``."
            inline, messages = self.state.inline_text(text, self.lineno)
            result.append(nodes.paragraph(text, "", *inline, *messages))
            if reference.seeds is not None:
                self.env.note_dependency(str(reference.folder / "seeds.json"))
                result.extend(self._seeds(reference.seeds, columns))
        return result

    @staticmethod
    def _seeds(summary, columns: dict[str, str]) -> list[nodes.Node]:
        """The summary over seeds under its first seed's report: table, then what holds."""
        from vaelab.compare import describe_seeds, seed_list
        from vaelab.i18n import texts

        templates = texts("compare.seeds.finding", "en")
        n, seeds = len(summary.seeds), seed_list(summary.seeds)
        found: list[nodes.Node] = [nodes.rubric(text=f"Over seeds {seeds}")]
        if n > 1:
            found.append(nodes.paragraph(text=templates["table"].format(seeds=seeds, n=n)))
        found.append(_table(*summary.formatted(columns)))
        bullets = nodes.bullet_list()
        for sentence in describe_seeds(summary, templates, columns):
            bullets += nodes.list_item("", nodes.paragraph(text=sentence))
        found.append(bullets)
        return found


def _settings_text(comparison) -> str:
    s = comparison.settings
    layers = ", ".join(str(w) for w in s.hidden)
    state = "stopped before the end" if comparison.stopped else "complete"
    return (
        f"Dataset {comparison.dataset}; latent size {s.latent_dim}, conv layers {layers}, "
        f"{s.epochs} epochs, batch {s.batch_size}, learning rate {s.lr:g}, seed {s.seed}; IWAE "
        f"with k = {s.iwae_k} on {s.iwae_images} test images, Fréchet distance on "
        f"{s.fd_images} samples. The run was {state} and took {comparison.seconds:.0f} s."
    )


def _table(header: list[str], rows: list) -> nodes.table:
    """A docutils table of :meth:`vaelab.compare.Comparison.formatted`, best cells in bold."""
    table = nodes.table()
    group = nodes.tgroup(cols=len(header))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in header)

    def row_node(cells: list[tuple[str, bool]]) -> nodes.row:
        row = nodes.row()
        for text, best in cells:
            content = nodes.strong(text=text) if best else nodes.Text(text)
            row += nodes.entry("", nodes.paragraph("", "", content))
        return row

    head, body = nodes.thead(), nodes.tbody()
    head += row_node([(title, False) for title in header])
    for cells in rows:
        body += row_node([(cell.text, cell.best) for cell in cells])
    group += head
    group += body
    return table


def _always_reread(app: Sphinx, env, added, changed, removed) -> list[str]:
    dynamic = getattr(env, "vaelab_dynamic_docs", set())
    return sorted(doc for doc in dynamic if doc in env.found_docs and doc not in changed)


def _purge(app: Sphinx, env, docname: str) -> None:
    getattr(env, "vaelab_dynamic_docs", set()).discard(docname)


# -- cross-references ----------------------------------------------------------------------------

#: Names that annotations and docstrings use for external objects, and the documented name. Type
#: hints evaluate to an object's home module (``torch._C.Generator``), docstrings use short names.
ALIASES = {
    "Tensor": "torch.Tensor",
    "torch._C.Generator": "torch.Generator",
    "torch.nn.modules.module.Module": "torch.nn.Module",
    "torch.nn.parameter.Parameter": "torch.nn.Parameter",
    "nn.Module": "torch.nn.Module",
    "np.ndarray": "numpy.ndarray",
    "Path": "pathlib.Path",
    "Figure": "matplotlib.figure.Figure",
}
#: Plain-English type words of numpydoc docstrings, and the glossary term each one means.
TYPE_WORDS = {
    "sequence": "sequence",
    "mapping": "mapping",
    "iterable": "iterable",
    "callable": "callable",
    "array-like": "array_like",
    "array_like": "array_like",
    "binary file": "binary file",
    "file-like": "file object",
    "path-like": "path-like object",
}


def _resolve_missing(app: Sphinx, env, node, contnode):
    """Resolve what Sphinx could not: short names of the project's objects, and aliases.

    numpydoc types such as ``ConvVAE`` are written relative to the package, not to the module of
    the docstring; they resolve here when exactly one documented object has that name.
    """
    if node.get("refdomain") != "py":
        return None
    from sphinx.ext import intersphinx
    from sphinx.util.nodes import make_refnode

    target = node["reftarget"]
    if target in ALIASES:
        aliased = node.deepcopy()
        aliased["reftarget"] = ALIASES[target]
        return intersphinx.missing_reference(app, env, aliased, contnode)
    if target in TYPE_WORDS:
        term = node.deepcopy()
        term["refdomain"], term["reftype"], term["reftarget"] = "std", "term", TYPE_WORDS[target]
        return intersphinx.missing_reference(app, env, term, contnode)
    domain = env.get_domain("py")
    canonical = _canonical_name(target)
    if canonical is not None:  # `vaelab.metrics.psnr` is documented where it is defined
        matches = domain.find_obj(env, None, None, canonical, node["reftype"], 0)
    else:
        matches = domain.find_obj(
            env, node.get("py:module"), node.get("py:class"), target, node["reftype"], 1
        )
    if len(matches) > 1:  # an object and its canonical alias: keep the one documented
        matches = [(name, obj) for name, obj in matches if not obj.aliased]
    if not matches and target.startswith("vaelab."):
        matches = _reexported(domain, target)
    if len(matches) != 1:
        return None
    name, obj = matches[0]
    return make_refnode(app.builder, node["refdoc"], obj.docname, obj.node_id, contnode, name)


def _reexported(domain, target: str) -> list:
    """Documented objects a re-exported name may mean when its value does not say where it lives.

    ``vaelab.compare.PHASES`` (a tuple) or ``vaelab.compare.CompareProgress.overall`` (a property)
    have no ``__module__``: they match ``vaelab.compare.<submodule>.PHASES`` and the like.
    """
    parts = target.split(".")
    for split in range(len(parts) - 1, 0, -1):
        package = ".".join(parts[:split])
        try:
            importlib.import_module(package)
        except ImportError:
            continue
        suffix = "." + ".".join(parts[split:])
        return [
            (name, obj)
            for name, obj in domain.objects.items()
            if name.startswith(package + ".") and name.endswith(suffix) and not obj.aliased
        ]
    return []


def _canonical_name(target: str) -> str | None:
    """``module.qualname`` of the object a dotted ``vaelab.`` name re-exports, if it differs."""
    if not target.startswith("vaelab."):
        return None
    parts = target.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attr in parts[split:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
        if not isinstance(module, str) or not isinstance(qualname, str):
            return None
        name = f"{module}.{qualname}"
        return name if name != target else None
    return None


# -- napoleon, read the numpydoc way ---------------------------------------------------------------


def _patch_napoleon() -> None:
    """Make napoleon read two numpydoc habits of this code base as numpydoc does.

    * ``mu, logvar : Tensor`` in an *Attributes* section documents two attributes (napoleon
      splits such lines in *Parameters* only).
    * An attribute's or property's docstring is prose: ``Readable, stable id: ...`` is not the
      Google-style ``type: description`` that napoleon would otherwise read into it.
    """
    from sphinx.ext.napoleon.docstring import GoogleDocstring

    if getattr(GoogleDocstring, "_vaelab_patched", False):
        return
    parse_attributes = GoogleDocstring._parse_attributes_section

    def _parse_attributes_section(self, section: str) -> list[str]:
        consume = self._consume_fields
        self._consume_fields = lambda *args, **kwargs: consume(
            *args, **{**kwargs, "multiple": True}
        )
        try:
            return parse_attributes(self, section)
        finally:
            del self._consume_fields

    def _parse_attribute_docstring(self) -> list[str]:
        lines = self.__class__(self._dedent(self._consume_to_end()), self._config).lines()
        return self._format_field("", "", lines)

    GoogleDocstring._parse_attributes_section = _parse_attributes_section
    GoogleDocstring._parse_attribute_docstring = _parse_attribute_docstring
    GoogleDocstring._vaelab_patched = True


# -- MathJax from a local copy --------------------------------------------------------------------

#: The parts of MathJax 3 that ``tex-chtml.js`` loads: itself, its fonts, the TeX extensions it
#: autoloads, and the menu and accessibility modules (the speech rules too, for screen readers).
MATHJAX_PARTS = ("tex-chtml.js", "output/chtml", "input/tex/extensions", "ui", "a11y", "sre")


def _mathjax_dir() -> Path:
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(
            "the docs serve MathJax from the sphinx-mathjax-offline package: "
            "pip install -e '.[docs]'"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax"


def _use_local_mathjax(app: Sphinx, config) -> None:
    _mathjax_dir()  # fail early, with the fix, when the package is missing
    config.mathjax_path = "mathjax/tex-chtml.js"


def _copy_mathjax(app: Sphinx, exc: Exception | None) -> None:
    if exc is not None or app.builder.format != "html":
        return
    source, target = _mathjax_dir(), Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        src, dst = source / part, target / part
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def setup(app: Sphinx) -> dict:
    """Register the directives and the offline MathJax."""
    app.add_directive("vaelab-cli", CliDirective)
    app.add_directive("theory-figure", TheoryFigureDirective)
    app.add_directive("app-screenshot", ScreenshotDirective)
    app.add_directive("app-screenshot-gallery", ScreenshotGalleryDirective)
    app.add_directive("results-files", ResultsDirective)
    _patch_napoleon()
    app.connect("missing-reference", _resolve_missing)
    app.connect("env-get-outdated", _always_reread)
    app.connect("env-purge-doc", _purge)
    app.connect("config-inited", _use_local_mathjax)
    app.connect("build-finished", _copy_mathjax)
    return {"version": "1", "parallel_read_safe": False, "parallel_write_safe": True}
