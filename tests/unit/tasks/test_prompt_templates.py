"""A prompt's blanks are plain `{names}`, all declared and all used; anything else is refused
when the prompt is made, with the offending blank named."""

from __future__ import annotations

import re

import pytest

from app.tasks.prompt_templates import PromptTemplate, Refinement, placeholders


def test_placeholders_are_the_names_in_braces_in_order() -> None:
    assert placeholders("Dear {recipient}, {points} {{not a blank}} {recipient}") == [
        "recipient",
        "points",
        "recipient",
    ]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{0}", "{0}"),
        ("{}", "{}"),
        ("{draft.subject}", "{draft.subject}"),
        ("{tone!r}", "{tone!r}"),
        ("{words:>5}", "{words:>5}"),
        ("{points", "do not pair up"),
        ("points}", "do not pair up"),
    ],
)
def test_anything_but_a_plain_blank_is_refused_and_named(text: str, named: str) -> None:
    with pytest.raises(ValueError, match=re.escape("write {{ or }} for a brace")) as raised:
        placeholders(text)
    assert named in str(raised.value)


def test_a_literal_brace_is_written_doubled_and_comes_out_single() -> None:
    template = PromptTemplate("t", "T", "Answer as JSON: {{}}.", "About {topic}.", ("topic",))
    system, user = template.messages(topic="cats")
    assert (system.content, user.content) == ("Answer as JSON: {}.", "About cats.")


def test_a_template_made_in_code_gets_the_same_checks_as_a_file() -> None:
    with pytest.raises(ValueError, match="fields lists 'topic' more than once"):
        PromptTemplate("t", "T", "S", "{topic}", ("topic", "topic"))
    with pytest.raises(ValueError, match=re.escape("uses {points}")):
        PromptTemplate("t", "T", "S {points}", "{topic}", ("topic",))


def test_a_users_refinement_has_no_blanks_so_any_caller_may_format_it() -> None:
    mine = Refinement("user:tweet", "Tweet", "Make it a tweet.", True)
    assert mine.text(language="German") == mine.instruction.format(language="German")
    with pytest.raises(ValueError, match="no blanks"):
        Refinement("user:tweet", "Tweet", "Make it a tweet in {language}.", True)
