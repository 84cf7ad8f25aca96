"""Certificates of completion: their verification codes, their PDF, and the public check of a code."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from training.models import Completion, ModuleRevision, Person

from . import NotFound

# Base32 without I, O, 0 and 1, which people misread when they type a code from paper.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16  # 80 random bits: guessing a valid code is hopeless
CODE_EXAMPLE = "ABCD-EFGH-JKLM-NPQR"


def new_certificate_code() -> str:
    """A fresh random code, grouped in fours like ABCD-EFGH-JKLM-NPQR."""
    return _grouped("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))


def normalise_code(text: str) -> str | None:
    """The stored form of a code as someone typed it (any case, spaces or dashes), or None if it cannot be one."""
    compact = re.sub(r"[\s\-‐-―]", "", text).upper()
    if len(compact) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in compact):
        return None
    return _grouped(compact)


def _grouped(compact: str) -> str:
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))


@dataclass(frozen=True)
class Certificate:
    """Everything a certificate shows, and nothing more: the public check reveals exactly this."""

    code: str
    person_name: str
    module_title: str
    version: str
    completed_at: dt.datetime
    percent: float
    pass_mark: int

    @property
    def completed_on(self) -> str:
        return f"{self.completed_at.day} {self.completed_at:%B %Y}"

    @property
    def score(self) -> str:
        return f"{self.percent:g}%"


def _certificate_rows() -> Select[Completion, str, str]:
    return (
        select(Completion, Person.name, ModuleRevision.title)
        .join(Person, Person.id == Completion.person_id)
        .join(ModuleRevision, ModuleRevision.id == Completion.revision_id)
    )


def certificate_for(session: Session, person_id: int, completion_id: int) -> Certificate:
    """A person's own certificate; anyone else's is indistinguishable from a missing one.

    A completion recorded before certificates existed gets its code here, once."""
    row = session.execute(_certificate_rows().where(Completion.id == completion_id, Completion.person_id == person_id)).first()
    if row is None:
        raise NotFound("no such certificate")
    completion, name, title = row
    code = completion.certificate_code or _give_code(session, completion)
    return _certificate(completion, name, title, code)


def _give_code(session: Session, completion: Completion) -> str:
    # Completions are append-only: the one change allowed is giving a code-less record its code.
    # The IS NULL guard keeps a code from ever changing; if another request got there first, theirs stands.
    session.execute(
        update(Completion)
        .where(Completion.id == completion.id, Completion.certificate_code.is_(None))
        .values(certificate_code=new_certificate_code())
        .execution_options(synchronize_session=False)
    )
    session.refresh(completion, ["certificate_code"])
    if completion.certificate_code is None:  # pragma: no cover - the UPDATE above leaves a code either way
        raise RuntimeError(f"completion {completion.id} has no certificate code")
    return completion.certificate_code


def verify_certificate(session: Session, text: str) -> Certificate | None:
    """The certificate a code belongs to, or None: the public page learns genuine or not, and what the certificate shows."""
    code = normalise_code(text)
    if code is None:
        return None
    row = session.execute(_certificate_rows().where(Completion.certificate_code == code)).first()
    if row is None:
        return None
    completion, name, title = row
    return _certificate(completion, name, title, code)


def _certificate(completion: Completion, name: str, title: str, code: str) -> Certificate:
    return Certificate(
        code=code, person_name=name, module_title=title, version=completion.version, completed_at=completion.completed_at,
        percent=completion.percent, pass_mark=completion.pass_mark,
    )  # fmt: skip


def certificate_id_for_attempt(session: Session, person_id: int, attempt_id: int) -> int | None:
    """The completion a person's passing attempt recorded, so the result page can offer its certificate."""
    return session.scalar(select(Completion.id).where(Completion.attempt_id == attempt_id, Completion.person_id == person_id))


# ---------------------------------------------------------------- the PDF

# DejaVu Sans (Bitstream Vera licence, see fonts/LICENSE-DejaVu.txt) is embedded, subset to the characters used:
# names and titles in Latin, Greek and Cyrillic scripts print as written. Anything it lacks prints as a '?'.
FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVuSans"


def printable(text: str) -> str:
    """The text, with characters the embedded font cannot draw replaced by '?'."""
    return "".join(char if ord(char) in _glyphs() else "?" for char in unicodedata.normalize("NFC", text))


@lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(FONTS / "DejaVuSans.ttf", lazy=True) as font:
        return frozenset(font.getBestCmap())


NAVY = (20, 40, 64)
TEAL = (15, 118, 110)
GREY = (82, 92, 107)


def certificate_pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    """A one-page A4 landscape certificate; the same certificate always gives the same bytes."""
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.add_font(FONT, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_title(printable(f"Certificate of completion: {certificate.module_title}"))
    pdf.set_author("Conduit")
    pdf.set_subject(printable(f"{certificate.person_name} completed {certificate.module_title} version {certificate.version}"))
    pdf.set_creator("Conduit")
    pdf.set_lang("en")
    pdf.set_creation_date(certificate.completed_at)
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(30, 20, 30)
    pdf.add_page()
    width, height = pdf.w, pdf.h

    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, width - 20, height - 20)
    pdf.set_draw_color(*TEAL)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, width - 28, height - 28)

    def line(text: str, size: float, *, style: str = "", colour: tuple[int, int, int] = NAVY, gap: float = 0) -> None:
        pdf.set_font(FONT, style=style, size=size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(0, size * 0.5, printable(text), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_y(30)
    line("CONDUIT  ·  SECURITY AWARENESS TRAINING", 11, style="B", colour=TEAL, gap=8)
    line("Certificate of completion", 32, style="B", gap=10)
    line("This certifies that", 13, colour=GREY, gap=3)
    line(certificate.person_name, 26, style="B", gap=6)
    line("has completed the training module", 13, colour=GREY, gap=3)
    line(certificate.module_title, 19, style="B", gap=8)
    line(
        f"Version {certificate.version}   ·   Completed {certificate.completed_on}   ·   "
        f"Score {certificate.score} (pass mark {certificate.pass_mark}%)",
        12,
        colour=NAVY,
    )

    pdf.set_draw_color(*TEAL)
    pdf.set_line_width(0.3)
    pdf.line(width / 2 - 60, height - 52, width / 2 + 60, height - 52)
    pdf.set_y(height - 47)
    line(f"Verification code  {certificate.code}", 12, style="B", gap=1)
    line(f"Check this certificate at {verify_url}", 9, colour=GREY)
    return bytes(pdf.output())
