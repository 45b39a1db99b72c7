"""`helpdesk kb reindex | import | export`."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner

from helpdesk.kb import search
from helpdesk.kb.cli import kb_group
from helpdesk.models import User
from helpdesk.models.kb import PUBLIC
from helpdesk.reads import kb_articles

ARTICLE = "---\ntitle: Kestrel printing\nstatus: published\n---\nPrint with the kestrel.\n"


def test_reindex_reports_the_count(runner: FlaskCliRunner, demo: int) -> None:
    result = runner.invoke(kb_group, ["reindex"])
    assert result.exit_code == 0
    assert result.output.startswith(f"Indexed {demo} articles in ")


def test_import_and_export(runner: FlaskCliRunner, tmp_path: Path, admin: User) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "kestrel.md").write_text(ARTICLE, encoding="utf-8")
    result = runner.invoke(kb_group, ["import", str(tmp_path / "in")])
    assert result.exit_code == 0, result.output
    assert "Created 1, updated 0, unchanged 0, failed 0." in result.output
    assert kb_articles.article_by_slug("kestrel").author_id == admin.id
    assert [r.article.slug for r in search.search("kestrel", PUBLIC).results] == ["kestrel"]

    result = runner.invoke(kb_group, ["export", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "Exported 1 article to" in result.output
    assert (tmp_path / "out" / "kestrel.md").read_text(encoding="utf-8").startswith("---\n")


def test_import_as_a_named_agent(runner: FlaskCliRunner, tmp_path: Path, agent: User) -> None:
    (tmp_path / "kestrel.md").write_text(ARTICLE, encoding="utf-8")
    result = runner.invoke(kb_group, ["import", str(tmp_path), "--as", agent.email])
    assert result.exit_code == 0
    assert kb_articles.article_by_slug("kestrel").author_id == agent.id


def test_import_failures_exit_non_zero(runner: FlaskCliRunner, tmp_path: Path, admin: User) -> None:
    (tmp_path / "bad.md").write_text("no front matter", encoding="utf-8")
    result = runner.invoke(kb_group, ["import", str(tmp_path)])
    assert result.exit_code == 1
    assert "does not start with front matter" in result.output


def test_import_needs_someone_to_record_it_under(
    runner: FlaskCliRunner, tmp_path: Path, user: User
) -> None:
    (tmp_path / "kestrel.md").write_text(ARTICLE, encoding="utf-8")
    no_admin = runner.invoke(kb_group, ["import", str(tmp_path)])
    assert no_admin.exit_code != 0 and "There is no admin account" in no_admin.output
    not_agent = runner.invoke(kb_group, ["import", str(tmp_path), "--as", user.email])
    assert "No agent or admin account" in not_agent.output
    missing = runner.invoke(kb_group, ["import", str(tmp_path / "nope")])
    assert missing.exit_code == 2
