"""`vaelab app`: the pages' modules are imported before the server starts."""

from __future__ import annotations

from vaelab.app.launch import page_imports, warm_up


def test_the_warm_up_imports_every_module_the_pages_import(tmp_path):
    pages = page_imports()
    # The pages' own imports, with the app's modules named by `from vaelab.app import x`.
    assert {"streamlit", "vaelab.app.sidebar", "vaelab.app.learn_figures"} <= set(pages)
    assert "vaelab.config.RunConfig" not in pages, "a class is not a module"
    (tmp_path / "page.py").write_text("import json\nfrom vaelab import no_such_module\n")
    assert warm_up(tmp_path) == []  # `from vaelab import x` that is no module imports vaelab
    (tmp_path / "page.py").write_text("import json\nimport vaelab_no_such_package\n")
    assert warm_up(tmp_path) == ["vaelab_no_such_package"]
