"""safe_next accepts only same-site paths."""

import pytest

from helpdesk.web.safety import safe_next


@pytest.mark.parametrize("target", ["/", "/my/incidents?open=1", "/agent/incidents/INC-000001"])
def test_local_paths_pass(target):
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "http://evil.example",
        "//evil.example",
        "/\\evil",
        "javascript:alert(1)",
        "evil.example/path",
        "/\tx",
    ],
)
def test_everything_else_is_refused(target):
    assert safe_next(target) is None
