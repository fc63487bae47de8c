"""The consultation's service functions: one code path for the API routes and the console page.

What an employee sees is built from their own NIP only: the positions on offer that the
transfer policy lets them take, each with Mutasi's reasons (the fit factors in words, as the
shortlist words them) and the trainings that would prepare them (the shortlist's planner).
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from fastapi import Request
from sqlalchemy import Engine

from models.features.build import current_pair_features
from models.planning.instance import default_slots
from models.planning.staffing import position_balance
from models.scoring.explain import top_factors
from serving.consultation import store
from serving.consultation.crypto import NoteCipher
from serving.errors import InvalidInputError, NotFoundError
from serving.explain import FIT_FACTORS
from serving.ranking import score_frame
from serving.schemas.consultations import (
    AnswerRequest,
    AnswerResponse,
    MyConsultationResponse,
    MyRound,
    Offer,
    RoundRequest,
    RoundResponse,
    WishModel,
)
from serving.state import LoadedState
from serving.training import suggest_training


def note_cipher(request: Request) -> NoteCipher:
    """The note cipher of this app, its key read (or made) in the data home on first use."""
    cipher = getattr(request.app.state, "note_cipher", None)
    if cipher is None:
        cipher = NoteCipher.from_home(request.app.state.settings.home)
        request.app.state.note_cipher = cipher
    return cipher


def now() -> datetime:
    return datetime.now(UTC)


def round_response(consultation: store.Round, at: datetime) -> RoundResponse:
    return RoundResponse(
        id=consultation.id,
        opened_by=consultation.opened_by,
        window_from=consultation.window_from,
        window_until=consultation.window_until,
        positions=consultation.positions,
        invitation=consultation.invitation,
        closed_at=consultation.closed_at,
        is_open=consultation.is_open(at),
    )


def rounds_overview(engine: Engine) -> list[dict[str, object]]:
    """Every round, newest first, as `round` (RoundResponse) and `answered` (respondents)."""
    at, counts = now(), store.answer_counts(engine)
    return [
        {"round": round_response(r, at), "answered": counts.get(r.id, 0)}
        for r in store.list_rounds(engine)
    ]


def wishes_of(answer: store.Answer) -> list[WishModel]:
    return [WishModel(**w.__dict__) for w in answer.wishes]


def answer_response(answer: store.Answer) -> AnswerResponse:
    return AnswerResponse(
        round_id=answer.round_id,
        nip=answer.nip,
        positions=answer.positions,
        wishes=wishes_of(answer),
        note=answer.note,
        consent_at=answer.consent_at,
        updated_at=answer.updated_at,
        version=answer.version,
    )


def open_slot_positions(state: LoadedState) -> list[str]:
    """A round's default offer: every position short of its ABK need."""
    slots = default_slots(position_balance(state.data.positions, state.data.employees))
    return [str(p) for p in slots["position_id"]]


def open_round_for(
    state: LoadedState, engine: Engine, *, opened_by: str, body: RoundRequest
) -> store.Round:
    """Open a round; positions on offer default to every open slot, unknown ones refused."""
    positions = list(body.positions) if body.positions else open_slot_positions(state)
    unknown = [p for p in positions if p not in state.lookups.positions.index]
    if unknown:
        raise NotFoundError(f"Jabatan tidak dikenal / Unknown positions: {', '.join(unknown[:20])}")
    return store.open_round(
        engine,
        opened_by=opened_by,
        window_from=body.window_from,
        window_until=body.window_until,
        positions=positions,
        invitation=body.invitation,
    )


def constraint_note(engine: Engine, cipher: NoteCipher, round_id: str, nip: str) -> str | None:
    """One respondent's constraint note (None: they wrote none); the caller audits the NIP."""
    answer = store.answer_of(engine, cipher, round_id, nip, with_note=True)
    if answer is None:
        raise NotFoundError(f"Tidak ada jawaban / No answer: {round_id}")
    return answer.note


def eligible_positions(state: LoadedState, nip: str, positions: list[str]) -> list[str]:
    """The positions among `positions` the transfer policy lets `nip` move to, in order."""
    known = [p for p in positions if p in state.lookups.positions.index]
    if not known or nip not in state.lookups.employees.index:
        return []
    scores = score_frame(state, np.full(len(known), nip, dtype=object), np.asarray(known))
    return [p for p, ok in zip(known, scores["eligible"].to_numpy(bool), strict=True) if ok]


def offers_for(state: LoadedState, nip: str, positions: list[str]) -> list[Offer]:
    """Eligible positions on offer with the reasons and the suggested trainings."""
    eligible = eligible_positions(state, nip, positions)
    if not eligible:
        return []
    targets = np.asarray(eligible, dtype=object)
    features = current_pair_features(
        state.context, np.full(len(targets), nip, dtype=object), targets
    )
    fit_contrib, _ = state.bundle.scorer.contributions(features)
    rows = state.lookups.positions.loc[eligible]
    sectors = rows["sector"].astype(str).to_numpy(dtype=object)
    factors = top_factors(features, fit_contrib, count=FIT_FACTORS, sectors=sectors)
    reasons = factors.groupby("row")["text"].agg(list)
    offers = []
    for i, (position_id, row) in enumerate(rows.iterrows()):
        trainings = suggest_training(state, [nip], str(position_id)).get(nip, [])
        offers.append(
            Offer(
                position_id=str(position_id),
                title=str(row["title"]),
                unit_id=str(row["unit_id"]),
                unit_name=str(row["unit_name"]),
                reasons=list(reasons.get(i, [])),
                suggested_training=trainings,
            )
        )
    return offers


def my_consultation(
    state: LoadedState, engine: Engine, cipher: NoteCipher, nip: str, at: datetime
) -> MyConsultationResponse:
    """The employee's open rounds: their eligible offers and their current answer."""
    mine = []
    for consultation in store.open_rounds(engine, at):
        answer = store.answer_of(engine, cipher, consultation.id, nip, with_note=True)
        mine.append(
            MyRound(
                round=round_response(consultation, at),
                offers=offers_for(state, nip, consultation.positions),
                answer=None if answer is None else answer_response(answer),
            )
        )
    return MyConsultationResponse(nip=nip, rounds=mine)


def submit_answer(
    state: LoadedState,
    engine: Engine,
    cipher: NoteCipher,
    *,
    nip: str,
    round_id: str,
    body: AnswerRequest,
    at: datetime,
) -> AnswerResponse:
    """Save the employee's answer; every ranked position must be on offer and eligible."""
    consultation = store.get_round(engine, round_id)
    allowed = set(eligible_positions(state, nip, consultation.positions))
    refused = [p for p in body.positions if p not in allowed]
    if refused:
        listed = ", ".join(refused)
        raise InvalidInputError(
            f"Jabatan tidak ditawarkan atau tidak layak bagi Anda: {listed} / "
            f"Positions not on offer or not eligible for you: {listed}"
        )
    answer = store.save_answer(
        engine,
        cipher,
        consultation=consultation,
        nip=nip,
        positions=list(body.positions),
        wishes=[store.Wish(w.kind, w.value, w.priority) for w in body.wishes],
        note=body.note,
        now=at,
    )
    return answer_response(store.answer_of(engine, cipher, round_id, nip, with_note=True) or answer)
