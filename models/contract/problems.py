"""Contract problems: one located `Problem`, the result of a validation, and the error raised.

A problem is located as a spreadsheet shows it (file, row with header = row 1, column); messages
are Indonesian with English alongside, for an HR data team.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from models.contract.errors import MutasiError
from models.contract.tables import AgencyData

MAX_PROBLEMS: Final[int] = 1000  # problems rendered; the total is always counted
MAX_PROBLEMS_SHOWN: Final[int] = 50  # problems printed in a ContractViolation message
MAX_SUMMARY_SHOWN: Final[int] = 30  # summary lines printed after them
# How a problem line marks, and masks, a quoted personal value (`mutasi ingest --mask-personal`).
PERSONAL_NOTE: Final[str] = "memuat data pribadi / quotes personal data"
MASKED: Final[str] = "<disamarkan / masked>"


@dataclass(frozen=True)
class Problem:
    """One contract violation, located as a spreadsheet shows it (header = row 1).

    Renders as `file:row:column: message`; a problem of a whole row drops the column
    (`file:row: message`) and one of a whole file drops both (`file: message`)."""

    file: str
    row: int | None
    column: str | None
    message: str
    got: str | None = None  # the cell as the file holds it, quoted after the message
    personal: bool = False  # `got` is personal (a NIP): the line says so and can mask it

    def __str__(self) -> str:
        return self.render()

    def render(self, *, mask_personal: bool = False) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(str(self.row))
            if self.column is not None:
                where.append(self.column)
        text = f"{':'.join(where)}: {self.message}"
        if self.got is None:
            return text
        if not self.personal:
            return f'{text} (got "{self.got}")'
        got = MASKED if mask_personal else f'"{self.got}"'
        return f"{text} (got {got}; {PERSONAL_NOTE})"


@dataclass(frozen=True)
class Normalisation:
    """One kind of change made to a column of an export so that it keeps the contract: how many
    cells, and one example before → after (personal values and NIPs only by their shape).
    A change of the whole file (encoding, separator) has no column."""

    file: str
    column: str | None
    count: int
    what: str
    before: str
    after: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.column}" if self.column else self.file
        return (
            f'{where}: {self.count:,} sel / cells: {self.what} (contoh / e.g. "{self.before}" → '
            f'"{self.after}")'
        )


@dataclass(frozen=True)
class ValidationResult:
    data: AgencyData | None
    problems: list[Problem]
    notices: list[str]
    total_problems: int = 0
    summary: list[str] = field(default_factory=list)  # rows per file, column and rule
    normalised: list[Normalisation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.data is not None


class ContractViolation(MutasiError):  # noqa: N818 (the name the team agreed on)
    """The export breaks the data contract; `problems` holds them (at most MAX_PROBLEMS)."""

    def __init__(
        self, problems: list[Problem], *, total: int | None = None, summary: list[str] | None = None
    ) -> None:
        self.problems = list(problems)
        self.total = max(total or 0, len(self.problems))
        self.summary = list(summary or [])
        super().__init__(self.render())

    def render(self, *, mask_personal: bool = False) -> str:
        """The message, with quoted personal values masked when asked."""
        lines = [
            f"Data melanggar kontrak: {self.total} masalah / "
            f"Data breaks the contract: {self.total} problems",
            *(p.render(mask_personal=mask_personal) for p in self.problems[:MAX_PROBLEMS_SHOWN]),
        ]
        more = self.total - min(len(self.problems), MAX_PROBLEMS_SHOWN)
        if more > 0:
            lines.append(f"… dan {more} lagi / … and {more} more")
            if self.summary:
                lines.append("Ringkasan per kolom / Summary by column:")
                lines += self.summary[:MAX_SUMMARY_SHOWN]
        return "\n".join(lines)
