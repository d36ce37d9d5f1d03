"""The lines where a quoted earlier message begins, as mail programs write them.

Three kinds: an attribution ("On 4 March, Ada wrote:", "Le … a écrit :", "Am … schrieb
Ada:"), a header block (Outlook's "From: … / Sent: … / To: … / Subject: …", in several
languages, often under "-----Original Message-----" or a line of underscores), and a bare
separator ("-----Original Message-----" alone). Each tells who wrote the earlier message and
when, as far as it says.

A marker is *strong* when it cannot be ordinary prose (it names a date, or it is a header
block): everything after it is the earlier message even without "> " quoting, which is how
HTML mails and Outlook quote. A weak one ("Ada wrote:") only counts when "> " lines follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.mail.headers import parse_addresses
from app.mail.model import MailAddress

_MAX_MARKER_CHARS = 300  # attributions are short; longer lines are text (and cheap to skip)
_MAX_WRAPPED_LINES = 3  # clients wrap a long attribution over two or three lines

# "rest" holds the date and the author together; they are split apart afterwards.
_ATTRIBUTIONS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^On\s+(?P<rest>.+?)\s+wrote\s*:$",
        r"^Le\s+(?P<rest>.+?)\s+a\s+écrit\s*:$",
        r"^El\s+(?P<rest>.+?)\s+escribió\s*:$",
        r"^Em\s+(?P<rest>.+?)\s+escreveu\s*:$",
        r"^Il\s+(?:giorno\s+)?(?P<rest>.+?)\s+ha\s+scritto\s*:$",
        r"^Am\s+(?P<date>.+?)\s+schrieb\s+(?P<author>.+?)\s*:$",
        r"^Op\s+(?P<date>.+?)\s+schreef\s+(?P<author>.+?)\s*:$",
        r"^(?:Den\s+)?(?P<date>.+?)\s+skrev\s+(?P<author>.+?)\s*:$",
    )
)
# "Ada wrote:" alone: one line only, or "Thanks,\nAda wrote:" would take the "Thanks,".
_BARE_ATTRIBUTION = re.compile(
    r"^(?P<author>[^:]{1,100}?)\s+(?:wrote|writes|a\s+écrit|schrieb|escribió|escreveu"
    r"|ha\s+scritto|schreef|skrev)\s*:$",
    re.IGNORECASE,
)
_TIME = re.compile(r"\d{1,2}[:.h]\d{2}(?::\d{2})?(?:\s*[AaPp]\.?\s?[Mm]\.?)?(?:\s*Uhr)?")
_ANGLED_IN_PARENS = re.compile(r"\(\s*(<[^<>]*>)\s*\)")
_SEPARATOR = re.compile(r"^\s*(?:-{2,}\s*(?P<phrase>[^-].{0,60}?)\s*-{2,}|_{10,}|-{10,})\s*$")
_SEPARATOR_PHRASES = (
    "original message", "forwarded message", "ursprüngliche nachricht", "message d'origine",
    "message d’origine", "mensaje original", "messaggio originale", "oorspronkelijk bericht",
    "originalmeddelande", "opprinnelig melding", "oprindelig meddelelse", "mensagem original",
    "weitergeleitete nachricht", "message transféré",
)  # fmt: skip
_FORWARD_INTRO = re.compile(
    r"^\s*(?:begin forwarded message|début du message réexpédié)\s*:$", re.I
)
_HEADER_LINE = re.compile(
    r"^\s*\*{0,2}(?P<label>[^\W\d_][\w .'-]{0,24}?)\s?:\*{0,2}\s*(?P<value>.*)$"
)
_FROM_LABELS = frozenset({"from", "de", "von", "van", "da", "från", "fra", "od"})
_DATE_LABELS = frozenset(
    {"sent", "date", "envoyé", "gesendet", "datum", "verzonden", "inviato", "data", "enviado",
     "fecha", "skickat", "sendt", "wysłano"}
)  # fmt: skip
_SUBJECT_LABELS = frozenset(
    {"subject", "objet", "betreff", "onderwerp", "oggetto", "asunto", "assunto", "ämne", "emne",
     "temat"}
)  # fmt: skip
_OTHER_LABELS = frozenset(
    {"to", "cc", "bcc", "reply-to", "importance", "attachments", "à", "an", "aan", "a", "para",
     "till", "til", "do", "kopie", "cci"}
)  # fmt: skip
_RECIPIENT_LABELS = frozenset({"to", "cc", "bcc", "à", "an", "aan", "a", "para", "till", "til"})
_MAX_HEADER_LINES = 16


@dataclass(frozen=True)
class Marker:
    """Where an earlier message starts: who wrote it, when and about what (None / "" when
    not said), whether it is strong (see the module docstring), and the index of the first
    line after the marker's own lines."""

    author: MailAddress | None
    date: str
    strong: bool
    end: int
    subject: str = ""


def marker_at(lines: list[str], index: int) -> Marker | None:
    """The marker starting at `lines[index]`, if one does."""
    line = lines[index].strip()
    if not line or len(line) > _MAX_MARKER_CHARS or line.startswith(">"):
        return None
    return (
        _separator_at(lines, index)
        or _header_block_at(lines, index)
        or _attribution_at(lines, index)
    )


def _attribution_at(lines: list[str], index: int) -> Marker | None:
    joined = ""
    for end in range(index + 1, min(index + _MAX_WRAPPED_LINES, len(lines)) + 1):
        line = lines[end - 1].strip()
        if not line or line.startswith(">") or len(joined) > _MAX_MARKER_CHARS:
            return None
        joined = f"{joined} {line}".strip()
        if not joined.endswith(":"):
            continue
        patterns = _ATTRIBUTIONS if end > index + 1 else (*_ATTRIBUTIONS, _BARE_ATTRIBUTION)
        for pattern in patterns:
            if match := pattern.match(joined):
                return _attribution(match, end)
    return None


def _attribution(match: re.Match[str], end: int) -> Marker:
    groups = match.groupdict()
    if "rest" in groups:
        date, author = split_date_and_author(groups["rest"])
    else:
        date, author = groups.get("date") or "", groups["author"]
    strong = any(char.isdigit() for char in date)
    return Marker(person(author), date.strip(" ,"), strong, end)


def split_date_and_author(rest: str) -> tuple[str, str]:
    """ "Tue, Mar 4, 2025 at 10:15 AM Ada <ada@x.org>" → the date and the author.

    The author follows the last comma when that part has no digits (Apple Mail, Thunderbird,
    most languages), else the last time of day (Gmail in English and Italian)."""
    rest = _ANGLED_IN_PARENS.sub(r"\1", rest)
    if ", " in rest:
        head, tail = rest.rsplit(", ", 1)
        if not any(char.isdigit() for char in re.sub(r"<[^>]*>|\S+@\S+", "", tail)):
            return head, tail
    times = list(_TIME.finditer(rest))
    if times and rest[times[-1].end() :].strip():
        return rest[: times[-1].end()], rest[times[-1].end() :].strip(" ,")
    return rest, ""


def person(text: str) -> MailAddress | None:
    """Who `text` names ("Ada <ada@x.org>", "Ada", "ada@x.org"), or None when nobody."""
    people = parse_addresses(text)
    return people[0] if people else None


def _separator_at(lines: list[str], index: int) -> Marker | None:
    """ "-----Original Message-----" (or a rule of underscores) with the header block below
    it; a known phrase alone also counts, with nobody named."""
    match = _SEPARATOR.match(lines[index])
    if not match and not _FORWARD_INTRO.match(lines[index]):
        return None
    below = next((i for i in range(index + 1, len(lines)) if lines[i].strip()), len(lines))
    block = _header_block_at(lines, below) if below < len(lines) else None
    if block is not None:
        return block
    phrase = (match.group("phrase") or "").lower() if match else ""
    if not match or any(known in phrase for known in _SEPARATOR_PHRASES):
        return Marker(None, "", True, index + 1)  # "Begin forwarded message:" or a phrase
    return None  # a bare rule of dashes or underscores is decoration


def _header_block_at(lines: list[str], index: int) -> Marker | None:
    """Outlook's header block: a From line, then header lines including a date and a
    recipient or subject, up to a blank line (long recipient lists may wrap)."""
    fields: dict[str, str] = {}
    previous = ""
    end = index  # the first line after the block, once the loop has found it
    for end in range(index, min(index + _MAX_HEADER_LINES, len(lines))):
        line = lines[end]
        match = _HEADER_LINE.match(line)
        label = match.group("label").strip().lower() if match else ""
        if not fields and label not in _FROM_LABELS:
            return None
        if match and (kind := _label_kind(label)):
            fields.setdefault(kind, match.group("value").strip())
            previous = label
        elif not (line.strip() and previous in _RECIPIENT_LABELS):
            break
    else:  # the block runs to the last line looked at
        end += 1
    if "date" not in fields or len(fields) < 3:  # mail programs add To and Subject too
        return None
    return Marker(person(fields["from"]), fields["date"], True, end, fields.get("subject", ""))


def _label_kind(label: str) -> str:
    """ "from", "date", "subject", "other", or "" for a label no header block uses."""
    kinds = (
        ("from", _FROM_LABELS), ("date", _DATE_LABELS), ("subject", _SUBJECT_LABELS),
        ("other", _OTHER_LABELS),
    )  # fmt: skip
    return next((kind for kind, labels in kinds if label in labels), "")
