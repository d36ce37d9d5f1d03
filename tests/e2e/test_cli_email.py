"""`hearth draft`, `hearth reply` and `hearth refine` end to end: the real command, a generated
model that writes a Subject line and a body, a real history file, real .eml files."""

from __future__ import annotations

import email
import json
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.e2e.cli_helpers import conversation_ids, hearth
from tests.support.mail import build_mail
from tests.support.tiny_gguf import write_scripted_model

DRAFT = "Subject: Lunch on Friday\n\nDear Ana, see you at noon.\nBest, Bo"
PRINTED = DRAFT + "\n"


@pytest.fixture(scope="module")
def mail_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scripted_model(tmp_path_factory.mktemp("mail") / "mail.gguf", reply=DRAFT)


def write_mail(path: Path) -> Path:
    headers = {
        "From": "Ana Lima <ana@example.org>",
        "Reply-To": "Ana at home <ana.home@example.org>",
        "To": "Bo <bo@example.org>",
        "Subject": "Re: Lunch?",
        "Message-ID": "<2@example.org>",
        "References": "<1@example.org>",
    }
    text = "Can we meet on Friday?\n\nOn Monday, Bo wrote:\n> Lunch soon?\n"
    path.write_bytes(build_mail(text=text, headers=headers))
    return path


def parsed(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_draft_prints_subject_blank_line_body_and_writes_the_eml(
    mail_model: Path, tmp_path: Path
) -> None:
    out = tmp_path / "lunch.eml"
    result = hearth(
        "draft", "--to", "Ana", "--points", "Lunch at noon on Friday", "--tone", "formal",
        "--length", "short", "--language", "English", "--model", str(mail_model),
        "--out", str(out),
    )  # fmt: skip
    assert result.stdout == PRINTED
    saved = parsed(out)
    assert saved["Subject"] == "Lunch on Friday"
    assert saved["X-Unsent"] == "1"
    body = saved.get_body(("plain",))
    assert body is not None
    assert "Dear Ana, see you at noon." in body.get_content()
    (cid,) = conversation_ids()
    exported = json.loads(hearth("history", "export", str(cid), "--format", "json").stdout)
    assert exported["kind"] == "email"


def test_reply_answers_the_mail_and_threads_the_eml(mail_model: Path, tmp_path: Path) -> None:
    mail = write_mail(tmp_path / "lunch.eml")
    out = tmp_path / "reply.eml"
    result = hearth(
        "reply", str(mail), "--points", "Friday works", "--model", str(mail_model),
        "--out", str(out),
    )  # fmt: skip
    assert result.stdout == PRINTED
    reply = parsed(out)
    assert reply["To"] == "Ana at home <ana.home@example.org>"  # Reply-To wins over From
    assert reply["Subject"] == "Re: Lunch on Friday"  # the draft's subject, as a reply
    assert reply["In-Reply-To"] == "<2@example.org>"
    assert reply["References"].split() == ["<1@example.org>", "<2@example.org>"]
    assert reply["X-Unsent"] == "1"
    hits = hearth("history", "search", "Friday").stdout
    assert hits.strip()  # the draft is found like any conversation


def test_refine_prints_a_new_version_beside_the_first(mail_model: Path, tmp_path: Path) -> None:
    hearth("draft", "--to", "Ana", "--points", "Lunch", "--model", str(mail_model))
    (cid,) = conversation_ids()
    assert hearth("refine", str(cid), "--how", "shorter").stdout == PRINTED
    assert hearth("refine", str(cid), "--how", "translate:French").stdout == PRINTED
    assert hearth("refine", str(cid), "--how", "mention {the rain}").stdout == PRINTED
    exported = json.loads(hearth("history", "export", str(cid), "--format", "json").stdout)
    drafts = [m for m in exported["messages"] if m["role"] == "assistant"]
    assert len(drafts) == 4
    assert len({m["parent_id"] for m in drafts}) == 1  # versions side by side


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("notes.txt", b"Just some notes, not a mail.", "not a saved e-mail"),
        ("missing.eml", None, "does not exist"),
        ("empty.eml", b"From: a@example.org\nSubject: Hi\n\n", "no text"),
    ],
)
def test_a_file_that_is_not_a_readable_mail_is_refused_and_nothing_is_stored(
    mail_model: Path, tmp_path: Path, name: str, content: bytes | None, says: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = hearth("reply", str(path), "--model", str(mail_model), check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("hearth: ")
    assert says.lower() in line.lower()
    assert conversation_ids() == []


def test_refine_refuses_what_is_not_a_draft(mail_model: Path) -> None:
    hearth("chat", "Hi", "--model", str(mail_model))
    (cid,) = conversation_ids()
    result = hearth("refine", str(cid), "--how", "shorter", check=False)
    assert result.returncode == 1
    assert "not an e-mail draft" in result.stderr


def test_a_draft_without_a_subject_line_gets_one_from_the_points(scripted_model: Path) -> None:
    """The scripted model answers "Hello, world!" only: the output still starts with a
    Subject line (the first words of the points), then the model's words."""
    result = hearth(
        "draft", "--to", "Ana", "--points", "Lunch at noon", "--model", str(scripted_model)
    )
    assert result.stdout == "Subject: Lunch at noon\n\nHello, world!\n"
