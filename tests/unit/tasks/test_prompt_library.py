"""The prompt library: shipped TOML files load and fill in; the user's own refinements are
saved, listed and reloaded, never replace a shipped one, and a broken one is skipped with a
sentence naming it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.errors import InvalidInputError
from app.paths import resolve_paths
from app.tasks.prompt_library import (
    EMAIL_LENGTHS,
    EMAIL_TONES,
    SHIPPED_DIR,
    TEMPLATE_FIELDS,
    PromptFileError,
    PromptLibrary,
    Refinement,
    shipped_library,
    user_prompts_dir,
)

SHIPPED_REFINEMENTS = ("shorter", "longer", "formal", "friendly", "grammar", "translate", "again")


@pytest.fixture
def library(tmp_path: Path) -> PromptLibrary:
    return PromptLibrary.load(tmp_path / "mine")


def filled(fields: tuple[str, ...]) -> dict[str, str]:
    return {field: f"<{field} value>" for field in fields}


@pytest.mark.parametrize("key", sorted(TEMPLATE_FIELDS))
def test_every_shipped_template_fills_in_every_field(library: PromptLibrary, key: str) -> None:
    template = library.template(key)
    values = filled(template.fields)
    system, user = template.messages(**values)
    assert (system.role, user.role) == ("system", "user")
    assert system.content.strip()
    assert user.content.strip()
    text = system.content + user.content
    for field, value in values.items():
        assert value in text, field
        assert f"{{{field}}}" not in text  # no blank left unfilled


def test_the_email_templates_have_the_fields_the_email_jobs_fill(library: PromptLibrary) -> None:
    assert set(library.template("email.compose").fields) == {
        *("recipient", "points", "tone", "words", "language", "sign_off"),
    }
    assert set(library.template("email.reply").fields) == {
        *("sender", "subject", "last_message", "history", "points"),
        *("tone", "words", "language", "sign_off"),
    }
    assert set(library.template("email.refine").fields) == {"draft", "instruction"}


def test_the_email_prompts_ask_for_a_subject_line_then_the_body(library: PromptLibrary) -> None:
    values = filled(library.template("email.reply").fields) | {"subject": "Lunch on Friday"}
    reply = library.template("email.reply").messages(**values)[1].content
    assert "Subject: Re: Lunch on Friday\n\n" in reply
    for key in ("email.compose", "email.refine"):
        template = library.template(key)
        assert "Subject: <" in template.messages(**filled(template.fields))[1].content, key


def test_a_missing_or_unknown_field_is_a_bug_named_in_the_error(library: PromptLibrary) -> None:
    template = library.template("email.refine")
    with pytest.raises(ValueError, match="'instruction'"):
        template.messages(draft="Subject: Hi\n\nHello")
    with pytest.raises(ValueError, match="'tone'"):
        template.messages(draft="Subject: Hi", instruction="Shorter", tone="formal")


def test_an_unknown_template_is_a_lookup_error_naming_it(library: PromptLibrary) -> None:
    with pytest.raises(LookupError, match=r"'email\.poem'") as raised:
        library.template("email.poem")
    assert not isinstance(raised.value, KeyError)


def test_values_with_braces_are_filled_in_as_written(library: PromptLibrary) -> None:
    values = filled(library.template("email.refine").fields) | {"draft": "Use {points} {0} }{"}
    assert "Use {points} {0} }{" in library.template("email.refine").messages(**values)[1].content


def test_the_tones_and_lengths_are_the_documented_choices() -> None:
    assert EMAIL_TONES == ("formal", "friendly", "concise", "apologetic", "persuasive")
    assert list(EMAIL_LENGTHS) == ["short", "medium", "long"]
    assert EMAIL_LENGTHS["short"] < EMAIL_LENGTHS["medium"] < EMAIL_LENGTHS["long"]


def test_the_shipped_refinements_come_in_their_order(library: PromptLibrary) -> None:
    refinements = library.refinements()
    assert tuple(refinement.key for refinement in refinements) == SHIPPED_REFINEMENTS
    assert not any(refinement.user_made for refinement in refinements)
    assert len({refinement.name for refinement in refinements}) == len(refinements)


def test_translate_takes_the_language_and_the_others_ignore_it(library: PromptLibrary) -> None:
    translate = library.refinement("translate")
    assert translate.fields == ("language",)
    assert "into German." in translate.text(language="German")
    with pytest.raises(ValueError, match="'language'"):
        translate.text()
    shorter = library.refinement("shorter")
    assert shorter.text(language="German") == shorter.instruction
    assert "{" not in shorter.instruction


def test_a_refinement_is_found_by_key_or_name(library: PromptLibrary) -> None:
    assert library.refinement("friendly").name == "Friendlier"
    assert library.refinement("more FORMAL").key == "formal"


def test_an_unknown_refinement_names_the_choices(library: PromptLibrary) -> None:
    with pytest.raises(InvalidInputError, match="'poetic'") as raised:
        library.refinement("poetic")
    assert all(key in raised.value.message for key in SHIPPED_REFINEMENTS)


def test_a_user_refinement_is_saved_listed_after_the_shipped_and_reloaded(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "prompts"  # not there yet: made on the first save
    library = PromptLibrary.load(folder)
    tweet = library.add_user_refinement("  Rewrite as a  tweet ", "Rewrite it in 280 characters.")
    simple = library.add_user_refinement("Explain simply", "Use short words.\nNo jargon.")
    assert tweet == Refinement(
        "user:rewrite-as-a-tweet", "Rewrite as a tweet", tweet.instruction, True
    )
    assert sorted(path.name for path in folder.iterdir()) == [
        "explain-simply.toml",
        "rewrite-as-a-tweet.toml",
    ]
    keys = [refinement.key for refinement in library.refinements()]
    assert keys == [*SHIPPED_REFINEMENTS, "user:explain-simply", "user:rewrite-as-a-tweet"]
    reloaded = PromptLibrary.load(folder)
    assert reloaded.refinements() == library.refinements()
    assert reloaded.refinement("user:explain-simply") == simple
    assert reloaded.problems == []


def test_a_user_refinement_keeps_its_text_exactly(tmp_path: Path) -> None:
    name = 'Sag "Hallo" \\ grüß'
    instruction = 'Line one with "quotes", a \\ backslash,\na tab\there, """ and\r\nünïcödé ✓'
    saved = PromptLibrary.load(tmp_path).add_user_refinement(name, instruction)
    [reloaded] = [ref for ref in PromptLibrary.load(tmp_path).refinements() if ref.user_made]
    assert reloaded == saved
    assert (reloaded.name, reloaded.instruction) == (name, instruction)


@pytest.mark.parametrize(
    ("name", "instruction", "complaint"),
    [
        ("Shorter", "Cut it.", "built-in refinement 'Shorter'"),
        ("more formal!", "Be stiff.", "built-in refinement 'More formal'"),
        ("Formal", "Be stiff.", "built-in refinement 'More formal'"),  # the shipped key
        ("  ", "Anything.", "needs a name"),
        ("?!", "Anything.", "needs a name"),
        ("Tweet", "   ", "needs an instruction"),
        ("Tweet", "Answer in {language}.", "no blanks"),
    ],
)
def test_a_user_refinement_that_clashes_or_is_empty_is_refused(
    tmp_path: Path, name: str, instruction: str, complaint: str
) -> None:
    library = PromptLibrary.load(tmp_path)
    with pytest.raises(InvalidInputError) as raised:
        library.add_user_refinement(name, instruction)
    assert complaint in raised.value.message
    assert list(tmp_path.iterdir()) == []
    assert [ref.key for ref in library.refinements()] == list(SHIPPED_REFINEMENTS)


def test_the_same_user_name_twice_is_refused_and_the_first_kept(tmp_path: Path) -> None:
    library = PromptLibrary.load(tmp_path)
    first = library.add_user_refinement("Tweet", "Make it a tweet.")
    with pytest.raises(InvalidInputError, match="your own refinement 'Tweet'"):
        library.add_user_refinement("tweet", "Something else.")
    assert PromptLibrary.load(tmp_path).refinement("user:tweet") == first


def test_a_hand_written_file_cannot_replace_or_shadow_a_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "shorter.toml").write_text('name = "Tweet"\ninstruction = "Make it a tweet."\n')
    (tmp_path / "mine.toml").write_text('name = "Shorter"\ninstruction = "Write one word."\n')
    library = PromptLibrary.load(tmp_path)
    assert library.refinement("shorter").user_made is False
    assert library.refinement("Shorter").user_made is False
    assert library.refinement("user:shorter").name == "Tweet"
    [problem] = library.problems
    assert str(tmp_path / "mine.toml") in problem
    assert "built-in refinement 'Shorter'" in problem


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (b'name = "Tweet"\ninstruction = "unclosed\n', "not valid TOML"),
        (b'name = "Tweet"\n', "no 'instruction'"),
        (b'name = "Tweet"\ninstruction = 280\n', "'instruction' must be text in quotes, not a"),
        (b'name = ["Tweet"]\ninstruction = "x"\n', "'name' must be text in quotes, not a list"),
        (b'name = "Tweet"\ninstruction = "x"\nsytem = "y"\n', "'sytem' is not one of"),
        (b'name = "Tweet"\ninstruction = "In {language}."\n', "no blanks like {language}"),
        (b'name = "Tweet"\ninstruction = ""\n', "'instruction' is empty"),
        (b'name = "Tw\xe9et"\ninstruction = "x"\n', "not UTF-8"),
    ],
)
def test_a_broken_user_file_is_skipped_with_a_sentence_naming_it(
    tmp_path: Path, content: bytes, complaint: str
) -> None:
    (tmp_path / "broken.toml").write_bytes(content)
    (tmp_path / "fine.toml").write_text('name = "Explain simply"\ninstruction = "Short words."\n')
    library = PromptLibrary.load(tmp_path)
    [problem] = library.problems
    assert problem.startswith(f"Your prompt file {tmp_path / 'broken.toml'} was skipped: ")
    assert complaint in problem
    assert [ref.key for ref in library.refinements() if ref.user_made] == ["user:fine"]
    assert library.template("email.compose").fields  # the shipped prompts are all there


def test_the_user_folder_is_in_the_config_folder(tmp_path: Path) -> None:
    paths = resolve_paths({"HEARTH_HOME": str(tmp_path)})
    assert user_prompts_dir(paths) == paths.config_dir / "prompts"


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "prompts"
    shutil.copytree(SHIPPED_DIR, copy)
    return copy


def test_the_shipped_copy_loads_like_the_original(shipped_copy: Path) -> None:
    copied = PromptLibrary.load(shipped_dir=shipped_copy)
    assert copied.template_keys() == shipped_library().template_keys()
    assert copied.refinements() == shipped_library().refinements()


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# What breaks: the file, its (old, new) text replacements, and what the error must say.
BREAKAGES: dict[str, tuple[str, list[tuple[str, str]], str]] = {
    "bad TOML": ("email.compose.toml", [('name = "', "name = ")], "not valid TOML (Invalid"),
    "missing key": ("email.reply.toml", [("system = ", "sytem = ")], "it has no 'system'"),
    "wrong type": (
        "email.refine.toml",
        [('["draft", "instruction"]', '"draft"')],
        "'fields' must be a list of names in quotes, not text",
    ),
    "undeclared blank": (
        "summary.map.toml",
        [("\n{text}\n", "\n{text} {page}\n")],
        "uses {page} but fields does not list it",
    ),
    "unused field": (
        "summary.whole.toml",
        [('"language_rule"]', '"language_rule", "page"]')],
        "fields lists 'page' but the text never uses {page}",
    ),
    "unpaired brace": (
        "summary.merge.toml",
        [("\n{notes}\n", "\n{notes\n")],
        "braces do not pair up",
    ),
    "other fields than the code fills": (
        "summary.final.toml",
        [('"instruction"', '"ask"'), ("{instruction} {language_rule}", "{ask} {language_rule}")],
        "fields must be exactly instruction, language_rule, name, notes",
    ),
    "unknown key in a refinement": (
        "refinements.toml",
        [("[longer]\n", "[longer]\nx = 1\n")],
        "in [longer], 'x' is not one of 'name', 'instruction', 'fields'",
    ),
    "refinement not a table": (
        "refinements.toml",
        [("[shorter]\n", 'stray = "x"\n[shorter]\n')],
        "'stray' must be a table ([stray]), not text in quotes",
    ),
    "note without label": (
        "summary-wording.toml",
        [("Notes on {label}:", "Notes:")],
        "'note' must use the blanks {label}, {text}",
    ),
    "style with a blank": (
        "summary-wording.toml",
        [("one line each.", "one line {each}.")],
        "the style 'points' has a { or }",
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_broken_shipped_file_is_a_bug_that_names_the_file(
    shipped_copy: Path, breakage: str
) -> None:
    file_name, replacements, complaint = BREAKAGES[breakage]
    path = shipped_copy / file_name
    for old, new in replacements:
        text = path.read_text(encoding="utf-8")
        assert old in text, (file_name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PromptFileError) as raised:
        PromptLibrary.load(shipped_dir=shipped_copy)
    assert raised.value.path == path
    assert raised.value.message.startswith(f"The prompt file {path} cannot be used: ")
    assert complaint in raised.value.problem


def test_a_missing_shipped_template_is_named(shipped_copy: Path) -> None:
    (shipped_copy / "email.refine.toml").unlink()
    with pytest.raises(PromptFileError, match=r"refine\.toml cannot be used: it is missing"):
        PromptLibrary.load(shipped_dir=shipped_copy)


def test_summaries_read_the_shipped_files_once() -> None:
    assert shipped_library() is shipped_library()
