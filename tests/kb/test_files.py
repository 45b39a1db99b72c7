"""Markdown files with front matter: parsing, import (create, update, unchanged, failed)
and export, and the round trip between them."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.kb import files, service
from helpdesk.kb.service import ArticleContent
from helpdesk.models import User
from helpdesk.models.kb import AGENTS, ARCHIVED, PUBLISHED
from helpdesk.reads import kb_articles
from tests.factories import gen_category

ARTICLE = """---
title: "VPN: connect from home"
slug: vpn-from-home
summary: 'It''s easy'   # a comment
category: network
tags: [vpn, "remote, access"]
audience: agents
status: published
---
Open **GlobalProtect**.
"""


def write(folder: Path, name: str, text: str) -> Path:
    """Write a file and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_front_matter_is_yaml() -> None:
    meta, body = files.split_front_matter(ARTICLE)
    assert meta == {
        "title": "VPN: connect from home",
        "slug": "vpn-from-home",
        "summary": "It's easy",
        "category": "network",
        "tags": ["vpn", "remote, access"],
        "audience": "agents",
        "status": "published",
    }
    assert body == "Open **GlobalProtect**.\n"


def test_block_lists_comments_and_a_byte_order_mark() -> None:
    meta, body = files.split_front_matter(
        "\ufeff---\n# exported from the wiki\ntitle: Plain title\n"
        "tags:\n  - printer\n  - jam\n---\nBody"
    )
    assert meta == {"title": "Plain title", "tags": ["printer", "jam"]}
    assert body == "Body"


def test_empty_front_matter() -> None:
    assert files.split_front_matter("---\n---\nJekyll page") == ({}, "Jekyll page")
    assert files.split_front_matter("---\n---") == ({}, "")


def test_toml_front_matter() -> None:
    meta, body = files.split_front_matter('+++\ntitle = "Hugo style"\ntags = ["a", "b"]\n+++\nText')
    assert meta == {"title": "Hugo style", "tags": ["a", "b"]}
    assert body == "Text"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("No front matter", "does not start with front matter"),
        ("---\ntitle: x\nBody without a closing line", "not closed"),
        ("---\njust words\n---\n", "not `key: value`"),
        ("---\n- a list\n---\n", "not `key: value`"),
        ('---\ntitle: "unclosed\n---\n', r"not valid YAML \(line 2\): found unexpected end"),
        ("---\ntitle: ok\ntags: [a, b\n---\n", r"not valid YAML \(line 3\)"),
        ("---\ntitle: VPN: home\n---\n", r"\(line 2\).*put a value that holds ': ' in quotes"),
        ("+++\ntitle = \n+++\n", "TOML"),
    ],
)
def test_bad_front_matter_is_explained(text: str, message: str) -> None:
    with pytest.raises(files.FrontMatterError, match=message):
        files.split_front_matter(text)


def test_import_creates_updates_and_reports(tmp_path: Path, admin: User) -> None:
    gen_category("Network")
    write(tmp_path, "kb/vpn.md", ARTICLE)
    write(tmp_path, "kb/sub/draft.md", "---\ntitle: A draft\n---\nDraft body.")
    write(tmp_path, "kb/bad.md", "---\ntitle: Bad\ncategory: Nowhere\naudience: aliens\n---\nB")
    write(tmp_path, "kb/notes.txt", "not markdown")
    report = files.import_paths([tmp_path / "kb"], admin)
    assert [Path(p).name for p in report.created] == ["draft.md", "vpn.md"]
    assert [(Path(p).name, error) for p, error in report.failed] == [
        (
            "bad.md",
            "Unknown audience 'aliens': use public (or everyone, all) or agents "
            "(or internal, staff, private).",
        )
    ]
    assert report.categories == [] and kb_articles.article_by_slug("bad") is None
    vpn = kb_articles.article_by_slug("vpn-from-home")
    assert (vpn.title, vpn.status, vpn.audience, vpn.tags) == (
        "VPN: connect from home",
        PUBLISHED,
        AGENTS,
        "vpn,remote, access",
    )
    assert vpn.revisions[0].note == "Imported from vpn.md"
    assert kb_articles.article_by_slug("draft").status == "draft"

    again = files.import_paths([tmp_path / "kb" / "vpn.md"], admin)
    assert [Path(p).name for p in again.unchanged] == ["vpn.md"]
    write(tmp_path, "kb/vpn.md", ARTICLE.replace("status: published", "status: archived"))
    changed = files.import_paths([tmp_path / "kb" / "vpn.md"], admin)
    assert [Path(p).name for p in changed.updated] == ["vpn.md"]
    assert vpn.status == ARCHIVED


def test_export_then_import_changes_nothing(tmp_path: Path, agent: User, admin: User) -> None:
    category = gen_category("Email")
    article = service.create_article(
        agent,
        ArticleContent(
            'Quotes "and" colons: ok',
            "# Heading\n\nBody with *markdown*.\n",
            "Summary: with a colon",
            category.id,
            "email, out of office",
        ),
    )
    service.publish_article(article, agent)
    service.create_article(agent, ArticleContent("Ünïcödé draft", "Text"))
    assert files.export_articles(tmp_path / "out") == 2
    exported = (tmp_path / "out" / f"{article.slug}.md").read_text(encoding="utf-8")
    assert exported.startswith("---\ntitle: 'Quotes \"and\" colons: ok'\n")
    assert "tags: [email, out of office]" in exported
    report = files.import_paths([tmp_path / "out"], admin)
    assert len(report.unchanged) == 2 and not report.failed
    assert len(article.revisions) == 2
