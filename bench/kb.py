"""Benchmark knowledge base search on a large generated knowledge base.

    python bench/kb.py                 # 20,000 articles, 500 queries
    python bench/kb.py --n 5000        # quicker
    python bench/kb.py --keep          # keep the instance folder and print where it is
    python bench/kb.py --corpus bag-of-words   # worst case: see below

Builds a SQLite database of N generated articles - each one a demo article's title,
summary and shuffled sentences about one of 3,000 made-up products, with a few sentences
of other articles mixed in (or, with --corpus bag-of-words, random runs of the demo
vocabulary: a worst case where every common word is in most articles) - then times
`helpdesk kb reindex`'s rebuild, then times 500 queries - one to four words, some with a
typo, some with a category filter, made from the demo articles' titles and summaries -
through helpdesk.kb.search.search, the code the
portal's search page calls: top 10 with highlighted titles and snippets, did-you-mean,
and the database check of the hits. Also times one edit reaching the index after commit.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpdesk import create_app
from helpdesk.extensions import db
from helpdesk.kb import files, index, search, service
from helpdesk.kb.demo_articles import ARTICLES_DIR
from helpdesk.kb.render import plain_text
from helpdesk.models import Category, KnowledgeArticle, User, utcnow
from helpdesk.models.kb import AGENTS, PUBLIC, PUBLISHED

CATEGORIES = ["Network", "Email", "Printing", "Hardware", "Software", "Access & accounts"]
SYLLABLES = "zor plim tar vex quo lan mir dax fen ober kli sut ran bel cor nix tal ver gon pix"
EDITIONS = ["", " Pro", " Suite", " Agent", " Portal", " Cloud", " 2", " 7", " 11"]

Row = dict[str, Any]


@dataclass(frozen=True)
class Template:
    """A demo article cut into what generated articles reuse."""

    title: str
    summary: str
    tags: list[str]
    sentences: list[str]


def templates() -> list[Template]:
    """The demo articles, their bodies split into sentences."""
    found = []
    for path in sorted(ARTICLES_DIR.glob("*.md")):
        meta, body = files.split_front_matter(path.read_text(encoding="utf-8"))
        sentences = re.split(r"(?<=[.!?])\s+", plain_text(body))
        found.append(Template(meta["title"], meta["summary"], list(meta["tags"]), sentences))
    return found


def products(rng: random.Random, count: int = 3000) -> list[str]:
    """Made-up product names ("Plimvex Portal"): each knowledge base has its own."""
    syllables = SYLLABLES.split()
    names = set()
    while len(names) < count:
        stem = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3)))
        names.add(stem.capitalize() + rng.choice(EDITIONS))
    return sorted(names)


def article(rng: random.Random, shapes: list[Template], names: list[str]) -> Row:
    """An article like a demo one, about one of many products, with some off-topic text."""
    shape, product = rng.choice(shapes), rng.choice(names)
    sentences = rng.sample(shape.sentences, min(len(shape.sentences), rng.randint(6, 14)))
    sentences += [rng.choice(rng.choice(shapes).sentences) for _ in range(rng.randint(1, 4))]
    rng.shuffle(sentences)
    code = f"0x{rng.randint(0, 0xFFFF):04X}"
    sentences.append(f"If {product} shows error {code}, note the time and report an incident.")
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    return {
        "title": f"{product}: {shape.title}",
        "summary": f"{shape.summary} Applies to {product}.",
        "body_markdown": "\n\n".join(paragraphs),
        "tags": ",".join([*shape.tags, product.lower()]),
    }


def bag_of_words(rng: random.Random, words: list[str]) -> Row:
    """A worst case: every field a random run of the demo vocabulary, so every common word
    is in most articles (no real knowledge base looks like this)."""

    def run(low: int, high: int) -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(low, high)))

    return {
        "title": run(4, 9).capitalize(),
        "summary": run(12, 25).capitalize() + ".",
        "body_markdown": "\n\n".join(run(25, 60) for _ in range(rng.randint(3, 6))),
        "tags": ",".join(sorted({rng.choice(words) for _ in range(3)})),
    }


def vocabulary() -> list[str]:
    """Words of the demo articles, repeated as often as they occur."""
    text = " ".join(path.read_text(encoding="utf-8") for path in ARTICLES_DIR.glob("*.md"))
    return [word.lower() for word in re.findall(r"[A-Za-z][A-Za-z-]{2,}", text)]


def fill(n: int, rng: random.Random, corpus: str) -> None:
    """Insert N articles in bulk (bulk inserts bypass the index queue, like a restore)."""
    author = User(email="author@bench.test", name="Bench Author", role="agent")
    db.session.add(author)
    db.session.add_all(Category(name=name) for name in CATEGORIES)
    db.session.commit()
    categories = [category.id for category in db.session.query(Category)]
    shapes, names, words = templates(), products(random.Random(7)), vocabulary()
    now = utcnow()
    for start in range(0, n, 2000):
        rows = []
        for number in range(start, min(n, start + 2000)):
            made = article(rng, shapes, names) if corpus == "articles" else bag_of_words(rng, words)
            made |= {
                "slug": f"generated-{number}",
                "category_id": rng.choice(categories),
                "audience": AGENTS if rng.random() < 0.1 else PUBLIC,
                "status": PUBLISHED,
                "author_id": author.id,
                "created_at": now,
                "updated_at": now,
                "published_at": now,
            }
            rows.append(made)
        db.session.execute(insert(KnowledgeArticle), rows)
        db.session.commit()


def typo(rng: random.Random, word: str) -> str:
    """The word with one letter dropped, doubled or swapped with its neighbour."""
    if len(word) < 5:
        return word
    at = rng.randint(1, len(word) - 2)
    kind = rng.choice(("drop", "double", "swap"))
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    if kind == "double":
        return word[:at] + word[at] + word[at:]
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def phrases() -> list[list[str]]:
    """The demo articles' titles and summaries as word lists: what people type resembles
    them ("outlook not receiving email", "reset password")."""
    found = []
    for path in ARTICLES_DIR.glob("*.md"):
        head = path.read_text(encoding="utf-8").split("---")[1]
        for line in head.splitlines():
            if line.startswith(("title:", "summary:")):
                found.append(re.findall(r"[A-Za-z][A-Za-z-]+", line.split(":", 1)[1]))
    return found


def queries(rng: random.Random, count: int) -> list[tuple[str, int | None]]:
    """Realistic queries: 1-4 consecutive words of a title or summary, a quarter of them
    with a product name, a fifth with a typo, a tenth with a category filter."""
    sources, names = phrases(), products(random.Random(7))
    made = []
    for _ in range(count):
        source = rng.choice(sources)
        length = rng.randint(1, min(4, len(source)))
        start = rng.randint(0, len(source) - length)
        picked = [word.lower() for word in source[start : start + length]]
        if rng.random() < 0.2:
            at = rng.randrange(len(picked))
            picked[at] = typo(rng, picked[at])
        if rng.random() < 0.25:
            picked.insert(0, rng.choice(names).lower())
        category = rng.randint(1, len(CATEGORIES)) if rng.random() < 0.1 else None
        made.append((" ".join(picked), category))
    return made


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the sorted values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(n: int, count: int, keep: bool, corpus: str) -> None:
    """Build, index, query and print the figures."""
    folder = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    app = create_app({"INSTANCE_PATH": str(folder), "SECRET_KEY": "bench"})
    rng = random.Random(20_000)
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        fill(n, rng, corpus)
        print(f"database: {n:,} articles inserted in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        indexed = index.rebuild()
        build = time.perf_counter() - started
        size = sum(f.stat().st_size for f in Path(app.config["SEARCH_INDEX_DIR"]).rglob("*"))
        print(f"index build: {indexed:,} articles in {build:.1f} s, {size / 1e6:.0f} MB on disk")

        timings, found = [], 0
        for text, category in queries(rng, count):
            started = time.perf_counter()
            page = search.search(text, PUBLIC, category_id=category)
            timings.append((time.perf_counter() - started) * 1000)
            found += bool(page.results)
            db.session.remove()
        print(
            f"search: {count} queries (top 10, highlighted), {found} with results; "
            f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
            f"max {max(timings):.1f} ms"
        )
        article = db.session.get(KnowledgeArticle, 1)
        editor = db.session.get(User, article.author_id)
        started = time.perf_counter()
        service.edit_article(article, editor, service_content(article), note="bench")
        print(f"one edit, committed and indexed: {(time.perf_counter() - started) * 1000:.0f} ms")
    if keep:
        print(f"kept: {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)


def service_content(article: KnowledgeArticle) -> service.ArticleContent:
    """The article's content with one more sentence, for the edit timing."""
    return service.ArticleContent(
        title=article.title,
        body_markdown=article.body_markdown + "\n\nUpdated by the benchmark.",
        summary=article.summary,
        category_id=article.category_id,
        tags=article.tags,
        audience=article.audience,
    )


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="articles to generate")
    parser.add_argument("--queries", type=int, default=500, help="queries to time")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    parser.add_argument(
        "--corpus",
        choices=["articles", "bag-of-words"],
        default="articles",
        help="articles: like the demo ones, about 3,000 products; bag-of-words: worst case",
    )
    options = parser.parse_args()
    run(options.n, options.queries, options.keep, options.corpus)


if __name__ == "__main__":
    main()
