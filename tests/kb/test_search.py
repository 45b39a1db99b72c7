"""Search: ranking, snippets, paging, filters, did-you-mean, typos, synonyms, odd input,
and who sees what."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from helpdesk.kb import index, search, service
from helpdesk.kb.service import ArticleContent
from helpdesk.models import KnowledgeArticle, User
from helpdesk.models.kb import AGENTS, ARCHIVED, PUBLIC
from tests.conftest import reconfigure
from tests.factories import gen_category


def publish(author: User, title: str, body: str = "Some text.", **fields: object):
    """Create and publish an article."""
    article = service.create_article(author, ArticleContent(title, body, **fields))  # type: ignore[arg-type]
    return service.publish_article(article, author)


def slugs(query: str, audience: str = PUBLIC, **options: object) -> list[str]:
    """The slugs of the first page of results."""
    return [r.article.slug for r in search.search(query, audience, **options).results]  # type: ignore[arg-type]


def test_title_matches_rank_above_body_matches(agent: User) -> None:
    publish(agent, "Printing at home", "How to use a scanner with your laptop.")
    publish(agent, "Scanner setup", "Install the driver.")
    assert slugs("scanner") == ["scanner-setup", "printing-at-home"]


def test_more_matching_words_rank_higher(agent: User) -> None:
    publish(agent, "Outlook calendar", "Share a calendar.")
    publish(agent, "Outlook rules", "Rules move mail into folders; check the calendar too.")
    assert slugs("outlook rules calendar")[0] == "outlook-rules"


def test_snippets_mark_the_matches_and_escape_everything_else(agent: User) -> None:
    publish(
        agent,
        "Error <script>alert(1)</script> in the VPN",
        "Type &lt;img src=x onerror=alert(1)&gt; and the VPN <b>bold</b> fails.",
    )
    [result] = search.search("vpn <img>", PUBLIC).results
    assert isinstance(result.snippet, Markup)
    assert "<mark>VPN</mark>" in result.snippet
    assert "<img" not in result.snippet
    assert "&lt;<mark>img</mark> src=x onerror=alert(1)&gt;" in result.snippet
    assert "<script>" not in result.title and "<mark>VPN</mark>" in result.title


def test_a_hyphenated_word_is_marked_whole(agent: User) -> None:
    publish(agent, "Office Wi-Fi", "Join the Wi-Fi called Corp-WLAN.")
    [result] = search.search("wifi", PUBLIC).results
    assert "<mark>Wi-Fi</mark>" in result.snippet


def test_pages_of_results(agent: User) -> None:
    for number in range(25):
        publish(agent, f"Badger tip {number}", f"Badger advice number {number}.")
    first = search.search("badger", PUBLIC, per_page=10)
    third = search.search("badger", PUBLIC, page=3, per_page=10)
    beyond = search.search("badger", PUBLIC, page=99, per_page=10)
    assert (len(first.results), first.has_next, first.has_prev) == (10, True, False)
    assert (len(third.results), third.has_next, third.first, third.last) == (5, False, 21, 25)
    assert beyond.page == 3
    every = {
        r.article.slug for n in (1, 2, 3) for r in search.search("badger", PUBLIC, page=n).results
    }
    assert len(every) == 25


def test_category_filter(agent: User) -> None:
    network, email = gen_category("Network"), gen_category("Email")
    publish(agent, "Mailbox quota", "Storage limits.", category_id=email.id)
    publish(agent, "Storage for network files", "Quota.", category_id=network.id)
    assert slugs("quota storage", category_id=email.id) == ["mailbox-quota"]
    assert len(slugs("quota storage")) == 2


def test_one_typo_per_word_still_finds_the_article(agent: User) -> None:
    publish(agent, "Printer offline", "The printer shows offline.")
    publish(agent, "Password reset", "Reset your password.")
    assert slugs("pritner ofline") == ["printer-offline"]
    assert slugs("pasword") == ["password-reset"]


def test_the_exact_word_ranks_above_a_typo_neighbour(agent: User) -> None:
    publish(agent, "Printr queue", "Someone misspelt the printr queue.")
    publish(agent, "Printer queue", "Jobs waiting.")
    assert slugs("printer") == ["printer-queue", "printr-queue"]


def test_common_words_are_taken_as_spelt(agent: User) -> None:
    for number in range(3):
        publish(agent, f"Mail server {number}", "Mail.")
    publish(agent, "Main menu", "Menu.")
    assert "main-menu" not in slugs("mail")


def test_synonyms(agent: User) -> None:
    publish(agent, "Connect to the office wifi", "Use Corp-WLAN.")
    publish(agent, "Laptop battery", "Charge it.")
    publish(agent, "Set up MFA", "Use the authenticator app.")
    assert slugs("wireless") == ["connect-to-the-office-wifi"]
    assert slugs("notebook battery") == ["laptop-battery"]
    assert slugs("two-factor") == ["set-up-mfa"]
    assert slugs("2fa") == ["set-up-mfa"]


def test_accents_and_umlauts_are_folded(agent: User) -> None:
    publish(agent, "Drücker im Büro", "Der Drücker druckt nicht.")
    assert slugs("drucker buro") == ["drucker-im-buro"]
    assert slugs("¿DRÜCKER?") == ["drucker-im-buro"]


def test_did_you_mean_suggests_known_words(agent: User) -> None:
    publish(agent, "Password reset", "Reset your password in the portal.")
    assert search.search("pasword resett", PUBLIC).suggestion == "password reset"
    assert search.search("password reset", PUBLIC).suggestion is None


def test_did_you_mean_never_reveals_hidden_articles(agent: User) -> None:
    publish(agent, "Zanzibar gateway", "Internal notes.", audience=AGENTS)
    service.create_article(agent, ArticleContent("Madagascar plans", "Secret draft."))
    assert search.search("zanzibat", PUBLIC).suggestion is None
    assert search.search("madagascat", AGENTS).suggestion is None
    assert search.search("zanzibat", AGENTS).suggestion == "zanzibar"


@pytest.mark.parametrize(
    "query",
    [
        "title:(vpn AND",
        '"unclosed quote',
        "*",
        "OR OR NOT",
        "\\",
        "[]{}()^~:!",
        "vpn" * 100,
        "🙂 vpn 🙂",
        "\x00vpn",
        "-vpn +vpn",
    ],
)
def test_query_syntax_is_plain_words(agent: User, query: str) -> None:
    publish(agent, "VPN", "Connect.")
    page = search.search(query, PUBLIC)
    assert page.query == search.search(query, PUBLIC).query
    if "vpn" in query.lower() and len(query) < 100:
        assert [r.article.slug for r in page.results] == ["vpn"]


def test_blank_and_filler_queries_find_nothing(agent: User) -> None:
    publish(agent, "VPN", "Connect.")
    assert search.search("   ", PUBLIC).results == []
    assert search.search("how do I the", PUBLIC).results == []
    assert search.search(None, PUBLIC).results == []


def test_users_see_public_published_articles_only(agent: User, admin: User) -> None:
    publish(agent, "Llama public", "Llama text.")
    publish(agent, "Llama internal", "Llama text.", audience=AGENTS)
    service.create_article(agent, ArticleContent("Llama draft", "Llama text."))
    archived = publish(agent, "Llama archived", "Llama text.")
    service.set_status(archived, admin, ARCHIVED)
    assert slugs("llama") == ["llama-public"]
    assert sorted(slugs("llama", AGENTS)) == ["llama-internal", "llama-public"]


def test_the_database_has_the_last_word_on_visibility(app, agent: User) -> None:
    article = publish(agent, "Ocelot guide", "Ocelot text.")
    reconfigure(app, KB_INDEX_LOCK_SECONDS=0.01)
    with index.write_lock(index.index_root(), wait=0):
        service.edit_article(
            article, agent, ArticleContent("Ocelot guide", "Ocelot text.", audience=AGENTS)
        )
        assert slugs("ocelot") == []  # the index still says public; the database does not
    assert slugs("ocelot", AGENTS) == ["ocelot-guide"]


def test_suggestions_for_an_incident_text(agent: User) -> None:
    publish(agent, "VPN disconnects", "GlobalProtect drops the tunnel at home.")
    publish(agent, "VPN internal checks", "Gateway.", audience=AGENTS)
    publish(agent, "Printer jam", "Open the doors.")
    short = search.suggest("vpn keeps disconecting", PUBLIC)
    long = search.suggest(
        "Since this morning the VPN disconnects every few minutes when I work at home. "
        "GlobalProtect says connected and then the tunnel drops, I have restarted the "
        "laptop twice and my home internet works fine otherwise, please help me.",
        PUBLIC,
    )
    assert [r.article.slug for r in short] == ["vpn-disconnects"]
    assert long[0].article.slug == "vpn-disconnects"
    assert all(r.article.audience == PUBLIC for r in short + long)
    assert search.suggest("", PUBLIC) == []


def test_related_articles_leave_out_itself_and_hidden_ones(agent: User) -> None:
    vpn = publish(agent, "VPN at home", "GlobalProtect VPN tunnel from home.")
    publish(agent, "VPN slow", "The GlobalProtect VPN tunnel is slow.")
    publish(agent, "VPN gateway", "GlobalProtect VPN tunnel gateway.", audience=AGENTS)
    public = [a.slug for a in search.related(vpn, PUBLIC)]
    agents = [a.slug for a in search.related(vpn, AGENTS)]
    assert public == ["vpn-slow"]
    assert sorted(agents) == ["vpn-gateway", "vpn-slow"]


def test_audience_for_each_role(agent: User, admin: User, user: User) -> None:
    assert [search.audience_for(who) for who in (None, user, agent, admin)] == [
        PUBLIC,
        PUBLIC,
        AGENTS,
        AGENTS,
    ]


def test_results_carry_the_article(agent: User) -> None:
    publish(agent, "Koala", "Koala text.")
    [result] = search.search("koala", PUBLIC).results
    assert isinstance(result.article, KnowledgeArticle) and result.score > 0
