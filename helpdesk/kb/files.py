"""Articles as Markdown files with front matter, for keeping a knowledge base in git or
moving one from a wiki.

A file is front matter between `---` lines, then the Markdown body:

    ---
    title: "Connect to the VPN from home"
    slug: vpn-from-home                  # optional: defaults to the file name
    summary: Install GlobalProtect, sign in, and check the padlock.
    category: Network                    # created on import when the helpdesk lacks it
    tags: [vpn, remote access]           # or `- item` lines, or: tags: vpn, remote access
    audience: public                     # public (default) or agents: see AUDIENCE_WORDS
    status: published                    # draft (default), published or archived
    ---
    Body in **Markdown**...

The front matter is read as YAML (PyYAML's safe loader), so what wikis and static-site
generators write imports as it is: block scalars, dates, other keys (ignored), and
`description` for the summary. Known keys nested one level down (`meta: {tags: [...]}`)
are read when the top level lacks them. Hugo-style TOML front matter between `+++` lines
is read too. Export writes YAML that reads back to the same article.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from helpdesk import directory
from helpdesk.core.errors import DomainError, InvalidInput, NotAllowed
from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from helpdesk.kb import index, service
from helpdesk.models import Category, KnowledgeArticle, User
from helpdesk.models.kb import AGENTS, ARTICLE_STATUSES, DRAFT, PUBLIC
from helpdesk.reads import kb_articles

# The words wikis use for who may read a page, and the audience each means here.
AUDIENCE_WORDS = {
    **dict.fromkeys(("agents", "agent", "internal", "staff", "private"), AGENTS),
    **dict.fromkeys(("public", "everyone", "all"), PUBLIC),
}
# Front matter keys the import reads; `description` is the summary's other common name.
KNOWN_KEYS = ("title", "slug", "summary", "description", "category", "tags", "audience", "status")

CategoryFinder = Callable[[str], int | None]


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
    """What an import did, file by file, and the categories it had to create."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


def _yaml(head: str) -> dict[str, Any]:
    """Front matter read as YAML; a problem names its line in the file (`head` starts with
    the end of the opening fence's line, so its lines count as the file's)."""
    try:
        data = yaml.safe_load(head)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        if problem == "mapping values are not allowed here":
            problem += " (put a value that holds ': ' in quotes)"
        raise FrontMatterError(f"The front matter is not valid YAML{where}: {problem}.") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError("The front matter is not `key: value` lines.")
    return data


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Separate the front matter (as a dict) from the Markdown body."""
    first, _, rest = text.lstrip("\ufeff").partition("\n")
    fence = first.strip()
    if fence not in ("---", "+++"):
        raise FrontMatterError("The file does not start with front matter (a --- line).")
    head, found, body = f"\n{rest}".partition(f"\n{fence}\n")
    if not found:
        head, found, body = f"\n{rest}".partition(f"\n{fence}")
        if not found or body.strip():
            raise FrontMatterError(f"The front matter is not closed by a {fence} line.")
    if fence == "+++":
        try:
            return tomllib.loads(head), body
        except tomllib.TOMLDecodeError as error:
            raise FrontMatterError(f"The TOML front matter is invalid: {error}") from error
    return _yaml(head), body


def known_fields(meta: dict[Any, Any]) -> dict[str, Any]:
    """The keys the import reads, by lower-case name: from the top level, else from a
    mapping nested in it (wikis group some under `meta:` or `params:`)."""
    nested = [value for value in meta.values() if isinstance(value, dict)]
    found: dict[str, Any] = {}
    for source in (meta, *nested):
        for key, value in source.items():
            name = str(key).strip().lower()
            if name in KNOWN_KEYS and name not in found:
                found[name] = value
    return found


def _text(meta: dict[str, Any], key: str) -> str:
    """A field as text: YAML may have read it as a number or a date; a list or mapping
    where text belongs is refused."""
    value = meta.get(key)
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        raise FrontMatterError(f"`{key}` should be text, not a {type(value).__name__}.")
    return value.isoformat() if isinstance(value, date) else str(value)


def _tags(meta: dict[str, Any]) -> str | list[str]:
    """Tags as a list (flow or block style) or as one comma-separated text."""
    tags = meta.get("tags")
    if not isinstance(tags, list):
        return _text(meta, "tags")
    return [_text({"tags": tag}, "tags") for tag in tags if tag is not None]


def _audience(word: str) -> str:
    """The audience a wiki's word for it means (public when none is given)."""
    if not word.strip():
        return PUBLIC
    audience = AUDIENCE_WORDS.get(word.strip().lower())
    if audience is None:
        raise InvalidInput(
            f"Unknown audience {word!r}: use public (or everyone, all) or agents "
            "(or internal, staff, private)."
        )
    return audience


def _clean_category(name: str) -> str:
    """A category name as the directory stores it: single spaces."""
    return " ".join(name.split())


def _category_id(name: str) -> int | None:
    """The id of the category with this (clean) name in any letter case, if there is one."""
    return db.session.scalar(select(Category.id).where(func.lower(Category.name) == name.lower()))


def existing_category(name: str) -> int | None:
    """The id of the category with this name (any case), None for none; unknown is refused."""
    clean = _clean_category(name)
    if not clean:
        return None
    found = _category_id(clean)
    if found is None:
        raise InvalidInput(f"Unknown category {clean!r}. Create it under Admin first.")
    return found


def _category_maker(actor: User, created: list[str]) -> CategoryFinder:
    """A finder that creates (as `actor`, through the directory) a category the helpdesk
    lacks, so a wiki export's categories come with it; it notes what it created."""

    def find_or_create(name: str) -> int | None:
        clean = _clean_category(name)
        if not clean:
            return None
        found = _category_id(clean)
        if found is not None:
            return found
        try:
            category = directory.create_entry(actor, "categories", clean)
        except NotAllowed as error:
            raise NotAllowed(
                f"Unknown category {clean!r}: only an admin can create it. Import as an "
                "admin, or create it under Admin first."
            ) from error
        created.append(category.name)
        return category.id

    return find_or_create


def article_from_text(text: str, stem: str, category: CategoryFinder) -> ArticleFile:
    """Read one file's text (`stem` is its name without .md, the default slug)."""
    meta, body = split_front_matter(text)
    meta = known_fields(meta)
    status = (_text(meta, "status") or DRAFT).strip().lower()
    if status not in ARTICLE_STATUSES:
        raise InvalidInput(f"Unknown status {status!r}: use draft, published or archived.")
    audience = _audience(_text(meta, "audience"))
    title, summary = _text(meta, "title"), _text(meta, "summary") or _text(meta, "description")
    tags, slug = _tags(meta), (_text(meta, "slug") or stem).strip().lower()
    return ArticleFile(
        slug=slug,
        status=status,
        content=service.ArticleContent(
            title=title,
            body_markdown=body.strip("\n"),
            summary=summary,
            category_id=category(_text(meta, "category")),
            tags=tags,
            audience=audience,
        ),
    )


def read_article(path: Path, category: CategoryFinder = existing_category) -> ArticleFile:
    """Read one Markdown file into what the service needs."""
    return article_from_text(path.read_text(encoding="utf-8"), path.stem, category)


def _apply(item: ArticleFile, actor: User, note: str) -> str:
    """Create or update the article the file describes; say which it was."""
    article = kb_articles.article_by_slug(item.slug)
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


def _import_file(path: Path, actor: User, report: ImportReport) -> None:
    """Import one file in one transaction: a category it creates is kept only with its
    article, and an article is never left half updated."""
    text = path.read_text(encoding="utf-8")
    created: list[str] = []
    with transaction():
        item = article_from_text(text, path.stem, _category_maker(actor, created))
        outcome = _apply(item, actor, f"Imported from {path.name}")
    getattr(report, outcome).append(str(path))
    report.categories.extend(created)


def import_paths(paths: list[Path], actor: User) -> ImportReport:
    """Import Markdown files and folders; an article whose slug exists is updated (a new
    revision only if something changed). A bad file is reported and skipped."""
    report = ImportReport()
    with index.deferred():
        for path in markdown_files(paths):
            try:
                _import_file(path, actor, report)
            except (DomainError, OSError, UnicodeDecodeError) as error:
                report.failed.append((str(path), str(error)))
    return report


class _FrontMatterDumper(yaml.SafeDumper):
    """YAML as people write front matter: multi-line text as a `|` block, lists in one line."""


# Line breaks YAML reads as such that a block or a plain scalar would turn into "\n".
_OTHER_BREAKS = frozenset("\r\x85\u2028\u2029")


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """A multi-line string as a literal block (PyYAML quotes it where a block cannot hold it
    exactly, e.g. with trailing spaces); other line breaks only survive escaped, in double
    quotes."""
    style = '"' if _OTHER_BREAKS & set(value) else "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    """A list in flow style: `[a, b]`."""
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_FrontMatterDumper.add_representer(str, _represent_text)
_FrontMatterDumper.add_representer(list, _represent_list)


def front_matter(article: KnowledgeArticle) -> str:
    """An article's front matter as YAML that `split_front_matter` reads back exactly."""
    fields = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "category": article.category.name if article.category else "",
        "tags": article.tag_list,
        "audience": article.audience,
        "status": article.status,
    }
    return yaml.dump(
        fields, Dumper=_FrontMatterDumper, sort_keys=False, allow_unicode=True, width=10_000
    )


def render_article(article: KnowledgeArticle) -> str:
    """One article as a Markdown file with front matter."""
    body = article.body_markdown.rstrip("\n")
    return f"---\n{front_matter(article)}---\n{body}\n"


def export_articles(folder: Path) -> int:
    """Write every article to `folder` as <slug>.md; returns how many."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for article in db.session.scalars(select(KnowledgeArticle).order_by(KnowledgeArticle.slug)):
        (folder / f"{article.slug}.md").write_text(render_article(article), encoding="utf-8")
        count += 1
    return count
