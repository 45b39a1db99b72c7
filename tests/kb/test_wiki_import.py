"""Importing wiki exports: Jekyll, MkDocs and Confluence-style front matter as those tools
write it (block scalars, dates, nested keys, either list style, their audience words),
categories created on the way, bad files reported while the rest import, and an export
that reads back exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from helpdesk.core.validation import CONTROL_CHARACTERS, typed_text
from helpdesk.extensions import db
from helpdesk.kb import files, service
from helpdesk.kb.cli import kb_group
from helpdesk.kb.service import ArticleContent
from helpdesk.models import Category, KnowledgeArticle, User
from helpdesk.models.kb import AGENTS, PUBLIC, PUBLISHED
from helpdesk.reads import kb_articles
from tests.factories import gen_category

JEKYLL = """---
layout: post
title: "VPN: connect from home"
date: 2024-01-02 10:00:00 +0100
category: Network
tags: [vpn, remote access]
summary: >-
  Install GlobalProtect,
  sign in, and check the padlock.
status: published
---
Open **GlobalProtect** and sign in.
"""

MKDOCS = """---
title: Reset your password
description: Use the self-service page; it takes two minutes.
date:
  created: 2024-01-02
  updated: 2024-03-15
hide:
  - navigation
  - toc
tags:
  - password
  - self-service
audience: Everyone
status: published
---
# Reset your password

Go to the self-service page.
"""

CONFLUENCE = """---
title: 'Printer: "Tray 2" jams on floor 3'
confluence:
  space: IT
  page_id: 123456
  ancestors: [Home, Printing]
meta:
  tags: [printer, jam]
  category: Facilities
last_updated: 2024-01-02
audience: Internal
summary: |
  Open tray 2, remove the paper.
  Then restart the printer.
status: published
---
h2. Steps

1. Open tray 2.
"""

BROKEN = """---
title: Broken export
tags: [vpn, remote
status: published
---
Body.
"""


def imported(slug: str) -> KnowledgeArticle:
    """The article the import created under this slug."""
    article = kb_articles.article_by_slug(slug)
    assert article is not None, slug
    return article


def write(folder: Path, name: str, text: str) -> Path:
    """Write a file and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """A wiki export: one page from each tool, and one whose front matter is broken."""
    folder = tmp_path / "wiki"
    write(folder, "jekyll/_posts/2024-01-02-vpn-from-home.md", JEKYLL)
    write(folder, "mkdocs/docs/reset-password.md", MKDOCS)
    write(folder, "confluence/IT/printer-tray-2.md", CONFLUENCE)
    write(folder, "confluence/IT/broken.md", BROKEN)
    return folder


def test_a_wiki_export_imports_with_its_categories(export: Path, admin: User) -> None:
    gen_category("network")
    report = files.import_paths([export], admin)
    assert len(report.created) == 3
    assert report.categories == ["Facilities"]
    [(failed, error)] = report.failed
    assert failed.endswith("broken.md")
    assert error.startswith("The front matter is not valid YAML (line 4):")

    vpn = imported("2024-01-02-vpn-from-home")
    assert (vpn.title, vpn.category and vpn.category.name, vpn.tags, vpn.audience, vpn.status) == (
        "VPN: connect from home",
        "network",
        "vpn,remote access",
        PUBLIC,
        PUBLISHED,
    )
    assert vpn.summary == "Install GlobalProtect, sign in, and check the padlock."

    reset = imported("reset-password")
    assert (reset.summary, reset.tags, reset.audience, reset.category) == (
        "Use the self-service page; it takes two minutes.",
        "password,self-service",
        PUBLIC,
        None,
    )

    printer = imported("printer-tray-2")
    assert (
        printer.title,
        printer.category and printer.category.name,
        printer.tags,
        printer.audience,
    ) == (
        'Printer: "Tray 2" jams on floor 3',
        "Facilities",
        "printer,jam",
        AGENTS,
    )
    assert printer.summary == "Open tray 2, remove the paper.\nThen restart the printer."


def test_the_command_names_the_created_categories_and_the_bad_file(
    runner: FlaskCliRunner, export: Path, admin: User
) -> None:
    write(export, "more/backup.md", "---\ntitle: Backups\ncategory: Storage\n---\nBody.")
    result = runner.invoke(kb_group, ["import", str(export)])
    assert result.exit_code == 1
    assert "Created 4, updated 0, unchanged 0, failed 1." in result.output
    assert "Created categories: Facilities, Network, Storage." in result.output
    assert "broken.md: The front matter is not valid YAML (line 4): " in result.output
    names = set(db.session.scalars(select(Category.name)))
    assert {"Facilities", "Network", "Storage"} <= names

    again = runner.invoke(kb_group, ["import", str(export)])
    assert "Created 0, updated 0, unchanged 4, failed 1." in again.output
    assert "Created categories" not in again.output


def test_only_an_admin_import_creates_categories(
    runner: FlaskCliRunner, tmp_path: Path, agent: User
) -> None:
    write(tmp_path, "printer.md", CONFLUENCE)
    result = runner.invoke(kb_group, ["import", str(tmp_path), "--as", agent.email])
    assert result.exit_code == 1
    assert "Unknown category 'Facilities': only an admin can create it." in result.output
    assert kb_articles.article_by_slug("printer") is None
    gen_category("Facilities")
    assert runner.invoke(kb_group, ["import", str(tmp_path), "--as", agent.email]).exit_code == 0


def test_a_category_is_not_kept_when_its_article_fails(tmp_path: Path, admin: User) -> None:
    write(tmp_path, "untitled.md", "---\ncategory: Orphans\n---\nA body but no title.")
    report = files.import_paths([tmp_path], admin)
    assert report.failed and report.categories == []
    assert db.session.scalar(select(Category).where(Category.name == "Orphans")) is None


@pytest.mark.parametrize(
    ("word", "audience"),
    [
        ("internal", AGENTS),
        ("Internal", AGENTS),
        ("STAFF", AGENTS),
        ("agents", AGENTS),
        ("private", AGENTS),
        ("everyone", PUBLIC),
        ("Public", PUBLIC),
        ("ALL", PUBLIC),
        ("", PUBLIC),
    ],
)
def test_audience_words(word: str, audience: str) -> None:
    item = files.article_from_text(
        f"---\ntitle: T\naudience: {word}\n---\nBody", "t", lambda name: None
    )
    assert item.content.audience == audience


def test_values_yaml_reads_as_other_types_are_text() -> None:
    item = files.article_from_text(
        "---\ntitle: 2024-01-02\nslug: 404\ntags: [2024, 1.5, vpn]\n---\nBody", "x", lambda n: None
    )
    assert (item.content.title, item.slug, item.content.tags) == (
        "2024-01-02",
        "404",
        ["2024", "1.5", "vpn"],
    )
    with pytest.raises(files.FrontMatterError, match="`title` should be text, not a list"):
        files.article_from_text("---\ntitle: [a, b]\n---\nBody", "x", lambda n: None)


AWKWARD = [
    ('Quotes "and" colons: ok', "Summary: with a colon\nand a second line\n  indented third"),
    ("It's 'single' # not a comment", "- looks like a list\n---\nlooks like a fence"),
    ("yes", "null"),
    ("2024-01-02", "[not, a, list]"),
    ("key: value", "trailing spaces   \nend"),
    ("Ünïcödé \u2013 \u201ctypographic\u201d ☃", "{a: b}"),
]


@pytest.mark.parametrize(("title", "summary"), AWKWARD)
def test_export_reads_back_identically(
    tmp_path: Path, agent: User, admin: User, title: str, summary: str
) -> None:
    category = gen_category("Email: Outlook")
    article = service.create_article(
        agent,
        ArticleContent(title, "# Heading\n\n---\n\nBody.", summary, category.id, "a: b, c", AGENTS),
    )
    service.publish_article(article, agent)
    files.export_articles(tmp_path)
    exported = (tmp_path / f"{article.slug}.md").read_text(encoding="utf-8")
    meta, body = files.split_front_matter(exported)
    assert meta == {
        "title": title,
        "slug": article.slug,
        "summary": summary,
        "category": "Email: Outlook",
        "tags": ["a: b", "c"],
        "audience": AGENTS,
        "status": PUBLISHED,
    }
    assert body == "# Heading\n\n---\n\nBody.\n"
    report = files.import_paths([tmp_path], admin)
    assert [Path(path).name for path in report.unchanged] == [f"{article.slug}.md"]
    assert not report.failed and report.categories == []


# Text as the service stores it: anything but the control characters typed_text drops.
TEXT = st.text(
    st.characters(codec="utf-8").filter(lambda char: not CONTROL_CHARACTERS.match(char)),
    min_size=1,
).map(typed_text)


@settings(max_examples=200, deadline=None)
@example(title="next\x85line", summary="a\u2028b\nc\rd", tag="x\u2029y")
@given(title=TEXT, summary=st.lists(TEXT, max_size=4).map("\n".join).map(typed_text), tag=TEXT)
def test_any_text_reads_back_from_the_front_matter(title: str, summary: str, tag: str) -> None:
    article = KnowledgeArticle(
        title=title,
        slug="s",
        summary=summary,
        body_markdown="Body",
        tags=tag,
        audience=PUBLIC,
        status=PUBLISHED,
    )
    meta, _ = files.split_front_matter(files.render_article(article))
    assert (meta["title"], meta["summary"], meta["tags"]) == (title, summary, article.tag_list)
