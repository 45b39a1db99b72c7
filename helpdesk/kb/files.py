"""Articles as Markdown files with front matter, for keeping a knowledge base in git or
moving one from a wiki.

A file is front matter between `---` lines, then the Markdown body:

    ---
    title: "Connect to the VPN from home"
    slug: vpn-from-home                  # optional: defaults to the file name
    summary: "Install GlobalProtect, sign in, and check the padlock."
    category: "Network"                  # a category name known to the helpdesk
    tags: ["vpn", "remote access"]       # or: tags: vpn, remote access
    audience: public                     # public (default) or agents
    status: published                    # draft (default), published or archived
    ---
    Body in **Markdown**...

The front matter is the common subset of YAML that static-site generators and wikis
write: `key: value` lines with plain, "double-quoted" or 'single-quoted' values, and lists
as `[a, b]` or as `- item` lines. It is parsed here rather than with PyYAML, which the
helpdesk does not otherwise need. Hugo-style TOML front matter between `+++` lines is
read too. Export writes double-quoted values, which are valid YAML and JSON strings.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.incidents.errors import DomainError, InvalidInput
from helpdesk.kb import index, queries, service
from helpdesk.models import Category, KnowledgeArticle, User
from helpdesk.models.kb import ARTICLE_STATUSES, DRAFT, PUBLIC


class FrontMatterError(InvalidInput):
    """The file's front matter cannot be read."""


@dataclass(frozen=True)
class ArticleFile:
    """One article as read from a file."""

    slug: str
    status: str
    content: service.ArticleContent


@dataclass
class ImportReport:
    """What an import did, file by file."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


_DOUBLE = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$')
_SINGLE = re.compile(r"^'((?:[^']|'')*)'\s*(?:#.*)?$")


def _scalar(raw: str) -> str:
    """A YAML scalar: "double-quoted" (JSON escapes), 'single-quoted', or plain; a
    trailing # comment is dropped."""
    raw = raw.strip()
    if double := _DOUBLE.match(raw):
        try:
            return str(json.loads(f'"{double.group(1)}"'))
        except json.JSONDecodeError as error:
            raise FrontMatterError(f"Badly quoted value: {raw}") from error
    if single := _SINGLE.match(raw):
        return single.group(1).replace("''", "'")
    if raw.startswith(('"', "'")):
        raise FrontMatterError(f"Badly quoted value: {raw}")
    return raw.split(" #", 1)[0].strip()


def _flow_list(raw: str) -> list[str]:
    """A YAML flow list `[a, "b, c"]` of scalars."""
    inner = raw.strip()[1:-1]
    items, current, quote = [], "", ""
    for char in inner:
        if char in "\"'" and (not quote or quote == char):
            quote = "" if quote else char
        if char == "," and not quote:
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    return [_scalar(item) for item in items if item.strip()]


def parse_yaml_subset(text: str) -> dict[str, Any]:
    """Parse `key: value` lines, flow lists and `- item` block lists."""
    data: dict[str, Any] = {}
    key = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("- ") and key is not None:
            data.setdefault(key, []).append(_scalar(stripped[2:]))
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or name.startswith((" ", "\t")):
            raise FrontMatterError(f"Line {number} of the front matter is not `key: value`.")
        key = name.strip().lower()
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            data[key] = _flow_list(value)
        elif value:
            data[key] = _scalar(value)
    return data


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Separate the front matter (as a dict) from the Markdown body."""
    text = text.lstrip("\ufeff")
    fence = text.split("\n", 1)[0].strip()
    if fence not in ("---", "+++"):
        raise FrontMatterError("The file does not start with front matter (a --- line).")
    rest = text.split("\n", 1)[1] if "\n" in text else ""
    head, found, body = rest.partition(f"\n{fence}\n")
    if not found:
        head, found, body = rest.partition(f"\n{fence}")
        if not found or body.strip():
            raise FrontMatterError(f"The front matter is not closed by a {fence} line.")
    if fence == "+++":
        try:
            return tomllib.loads(head), body
        except tomllib.TOMLDecodeError as error:
            raise FrontMatterError(f"The TOML front matter is invalid: {error}") from error
    return parse_yaml_subset(head), body


def _category_id(name: str) -> int | None:
    """The id of the category with this name (any case), None for none; unknown is refused."""
    if not name.strip():
        return None
    found = db.session.scalar(
        select(Category.id).where(func.lower(Category.name) == name.strip().lower())
    )
    if found is None:
        raise InvalidInput(f"Unknown category {name!r}. Create it under Admin first.")
    return found


def read_article(path: Path) -> ArticleFile:
    """Read one Markdown file into what the service needs."""
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    status = str(meta.get("status") or DRAFT).lower()
    if status not in ARTICLE_STATUSES:
        raise InvalidInput(f"Unknown status {status!r}: use draft, published or archived.")
    tags = meta.get("tags") or []
    return ArticleFile(
        slug=str(meta.get("slug") or path.stem).strip().lower(),
        status=status,
        content=service.ArticleContent(
            title=str(meta.get("title") or ""),
            body_markdown=body.strip("\n"),
            summary=str(meta.get("summary") or ""),
            category_id=_category_id(str(meta.get("category") or "")),
            tags=[str(tag) for tag in tags] if isinstance(tags, list) else str(tags),
            audience=str(meta.get("audience") or PUBLIC).lower(),
        ),
    )


def _apply(item: ArticleFile, actor: User, note: str) -> str:
    """Create or update the article the file describes; say which it was."""
    article = queries.article_by_slug(item.slug)
    outcome = "unchanged"
    if article is None:
        article = service.create_article(actor, item.content, slug=item.slug, note=note)
        outcome = "created"
    else:
        try:
            service.edit_article(article, actor, item.content, note=note)
            outcome = "updated"
        except service.Unchanged:
            pass
    if item.status != article.status:
        service.set_status(article, actor, item.status, note=note)
        outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


def markdown_files(paths: list[Path]) -> list[Path]:
    """The .md files named, and those in the folders named (recursively), in order."""
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.rglob("*.md")) if path.is_dir() else [path])
    return found


def import_paths(paths: list[Path], actor: User) -> ImportReport:
    """Import Markdown files and folders; an article whose slug exists is updated (a new
    revision only if something changed). A bad file is reported and skipped."""
    report = ImportReport()
    with index.deferred():
        for path in markdown_files(paths):
            try:
                outcome = _apply(read_article(path), actor, f"Imported from {path.name}")
            except (DomainError, OSError, UnicodeDecodeError) as error:
                db.session.rollback()
                report.failed.append((str(path), str(error)))
                continue
            getattr(report, outcome).append(str(path))
    return report


def _quoted(value: str) -> str:
    """A double-quoted YAML (and JSON) string."""
    return json.dumps(value, ensure_ascii=False)


def render_article(article: KnowledgeArticle) -> str:
    """One article as a Markdown file with front matter."""
    tags = ", ".join(_quoted(tag) for tag in article.tag_list)
    lines = [
        "---",
        f"title: {_quoted(article.title)}",
        f"slug: {article.slug}",
        f"summary: {_quoted(article.summary)}",
        f"category: {_quoted(article.category.name if article.category else '')}",
        f"tags: [{tags}]",
        f"audience: {article.audience}",
        f"status: {article.status}",
        "---",
    ]
    return "\n".join(lines) + "\n" + article.body_markdown.rstrip("\n") + "\n"


def export_articles(folder: Path) -> int:
    """Write every article to `folder` as <slug>.md; returns how many."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for article in db.session.scalars(select(KnowledgeArticle).order_by(KnowledgeArticle.slug)):
        (folder / f"{article.slug}.md").write_text(render_article(article), encoding="utf-8")
        count += 1
    return count
