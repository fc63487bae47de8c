"""Decisions from the console: adopt, change or reject a recommendation, by the API's own code.

A page that shows a recommendation (a plan's move, a shortlist's candidate) puts beside it a
signed token of the recommendation exactly as shown: source, plan, NIP, post, model version,
snapshot, fit, risk, reasons and fairness flags. The move's form posts the token back with the
decision; the token is checked and `record_decision` (serving/routers/decisions.py, the code
behind POST /v1/decisions) validates and appends it. A form the request model refuses (an
override without a reason, a change without a post) stores nothing: the page is shown again
with the error beside the move, in Indonesian and English.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Form, Request
from itsdangerous import BadSignature
from pydantic import ValidationError

from models.contract.errors import MutasiError
from serving.audit import AuditRecord
from serving.errors import _validation_message
from serving.pages.session import CsrfFailed, Session, check_csrf, session_seconds, shown_serializer
from serving.routers.decisions import get_decision_log, record_decision
from serving.schemas.decisions import DecisionRequest
from serving.state import LoadedState

MAX_SHOWN_LINES = 20  # the request model's limit on reasons and on flags
SHOWN_FIELDS = ("model_version", "snapshot_id", "fit", "risk", "reasons", "fairness_flags")

# (value posted, Indonesian, English): the three buttons of every recommendation.
CHOICES: tuple[tuple[str, str, str], ...] = (
    ("adopted", "Terima", "Adopt"),
    ("changed", "Ubah", "Change"),
    ("rejected", "Tolak", "Reject"),
)
DECIDED_WORDS: dict[str, str] = {
    "adopted": "diterima / adopted",
    "changed": "diubah / changed",
    "rejected": "ditolak / rejected",
}


def shown_lines(lines: list[str]) -> list[str]:
    """Lines as the request model takes them (at most 20, none empty, each ≤ 1000 characters)."""
    return [line[:1000] for line in lines if line.strip()][:MAX_SHOWN_LINES]


def sign_shown(request: Request, **shown: Any) -> str:
    """The token a recommendation's form carries: what the page showed, signed and dated."""
    return str(shown_serializer(request).dumps(shown))


def read_shown(request: Request, token: str) -> dict[str, Any]:
    try:
        shown = shown_serializer(request).loads(token, max_age=session_seconds(request))
    except BadSignature:  # includes an expired signature
        raise CsrfFailed from None
    if not isinstance(shown, dict):
        raise CsrfFailed
    return shown


@dataclass(frozen=True)
class DecisionForm:
    """One recommendation's form as posted: the button pressed, the other post, the reason."""

    csrf: str
    token: str
    decision: str
    other_post: str
    reason: str

    @classmethod
    def posted(
        cls,
        csrf: Annotated[str, Form(max_length=100)],
        rekomendasi: Annotated[str, Form(max_length=20_000)],
        keputusan: Annotated[str, Form(max_length=20)],
        jabatan_lain: Annotated[str, Form(max_length=200)] = "",
        alasan: Annotated[str, Form(max_length=2000)] = "",
    ) -> DecisionForm:
        return cls(csrf, rekomendasi, keputusan, jabatan_lain.strip(), alasan.strip())


@dataclass(frozen=True)
class Outcome:
    shown: dict[str, Any]  # the recommendation as shown (from the token)
    error: str | None  # the located error, when nothing was stored


@dataclass(frozen=True)
class Failed:
    """A refused decision form: its error, shown beside its recommendation with what was typed."""

    nip: str
    position_id: str
    message: str
    reason: str
    other_post: str


def _message(exc: ValidationError) -> str:
    """The request model's errors; its own rules are already "Indonesian / English"."""
    return "; ".join(
        str(e["msg"]).removeprefix("Value error, ")
        if e["type"] == "value_error"
        else _validation_message(dict(e))
        for e in exc.errors()
    )


def decide(
    request: Request,
    *,
    session: Session,
    form: DecisionForm,
    state: LoadedState,
    audit: AuditRecord,
    expected: dict[str, str],
) -> Outcome:
    """Check the form and record its decision through `record_decision`; a refused form
    stores nothing and its error names the recommendation (`label`) it belongs to. A token
    from another page than `expected` (source, plan or post) is refused like a forged form."""
    check_csrf(session, form.csrf)
    assert session.key is not None
    shown = read_shown(request, form.token)
    if any(shown.get(key) != value for key, value in expected.items()):
        raise CsrfFailed
    try:
        body = DecisionRequest.model_validate(
            {
                "source": shown["source"],
                "plan_id": shown.get("plan_id"),
                "nip": shown["nip"],
                "position_id": shown["position_id"],
                "decision": form.decision,
                "chosen_position_id": form.other_post or None,
                "reason": form.reason or None,
                "shown": {key: shown[key] for key in SHOWN_FIELDS},
            }
        )
        record_decision(body, session.key, state, audit, get_decision_log(request))
    except ValidationError as exc:
        return Outcome(shown, f"{shown['label']} (NIP {shown['nip']}): {_message(exc)}")
    except MutasiError as exc:
        return Outcome(shown, f"{shown['label']} (NIP {shown['nip']}): {exc.message}")
    return Outcome(shown, None)


def decided(row: dict[str, Any] | None) -> dict[str, str] | None:
    """A recorded decision as the page shows it."""
    if row is None:
        return None
    at = row["at"]
    return {
        "decision": str(row["decision"]),
        "words": DECIDED_WORDS[str(row["decision"])],
        "who": str(row["key_label"]),
        "when": at.strftime("%d-%m-%Y %H:%M UTC"),
        "reason": str(row["reason"] or ""),
        "chosen": str(row["chosen_position_id"] or ""),
    }
