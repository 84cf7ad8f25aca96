"""The one renderer: Markdown in, sanitized HTML out."""

from __future__ import annotations

import pytest

from training.content import render_inline, render_markdown, render_module


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<iframe src="https://example.org"></iframe>', "<iframe"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:text/html"),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data:image/svg"),
        ('<p style="color:red">x</p>', "style="),
        ('<div class="evil admonition">x</div>', "evil"),
    ],
)
def test_dangerous_markup_is_removed(markdown: str, forbidden: str) -> None:
    assert forbidden not in render_markdown(markdown)


def test_github_callouts_become_styled_admonitions() -> None:
    html = render_markdown("> [!WARNING]\n> Never bypass the SIS.")
    assert '<div class="admonition warning">' in html
    assert "Never bypass the SIS." in html


def test_tables_code_and_footnotes_render() -> None:
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n\nText[^1]\n\n[^1]: Note")
    assert "<table>" in html and "<pre><code>code" in html and 'class="footnote"' in html


def test_relative_images_point_at_the_revision_asset_url() -> None:
    html = render_markdown("![Purdue levels](img/purdue.svg)", asset_base="/modules/m/r/7")
    assert '<img alt="Purdue levels" src="/modules/m/r/7/img/purdue.svg">' in html


def test_images_cannot_escape_the_module_folder() -> None:
    html = render_markdown("![x](../other/secret.svg)", asset_base="/modules/m/r/7")
    assert "secret.svg" not in html


def test_external_links_get_noopener() -> None:
    assert 'rel="noopener noreferrer"' in render_markdown("[NIST](https://csrc.nist.gov/)")


def test_inline_rendering_drops_the_paragraph() -> None:
    assert render_inline("Is **this** safe?") == "Is <strong>this</strong> safe?"
    assert render_inline("<b onclick=x>hi</b>") == "<b>hi</b>"


def test_a_revision_is_rendered_once_and_then_served_from_the_cache() -> None:
    source = "---\nid: m\n---\n\n## One {#one}\n\nHello\n"
    first = render_module("sha-cache-test", source, asset_base="/a")
    second = render_module("sha-cache-test", source + "changed", asset_base="/a")
    assert first is second
    assert render_module("sha-other", source + "\nMore\n", asset_base="/a") is not first
