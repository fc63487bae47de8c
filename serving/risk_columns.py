"""The risk check's columnar body: parsed by orjson into arrays and checked column by column.

A planner's client checking a draft decree of thousands of rows sends one list per column (as
MLflow's scoring server takes `dataframe_split`), `{"columns": {"nip": [...], "position_id":
[...], "initiated_by": [...]}}`; it is read straight into numpy arrays and checked vectorised
(the row form validates 10,000 dicts one by one). Errors are located like pydantic's, by column
and index (`columns.nip[12]`), and leave through the app's 422 handler; the shape (keys, types,
lengths, at most MAX_RISK_PAIRS) is checked after parsing and before any element, so too many
pairs are refused before a value is checked (an oversized body is refused earlier still, by
its size, before it is parsed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
from fastapi.exceptions import RequestValidationError

from models.contract.enums import NIP_LENGTH
from serving.schemas.common import MAX_POSITION_ID_LENGTH, MAX_RISK_PAIRS, NIP_PATTERN

REQUIRED = ("nip", "position_id")
INITIATORS = ("agency", "employee")
SHOWN_PER_COLUMN = 20  # located errors listed per column; the rest are counted
Error = dict[str, Any]
Rule = Callable[[np.ndarray, np.ndarray, np.ndarray], list[Error]]


@dataclass(frozen=True)
class RiskColumns:
    """A checked columnar request: the id columns as the client sent them (lists of str, written
    back as they came) and as object arrays; which moves the employee initiates (None: all the
    agency's)."""

    nips: list[str]
    position_ids: list[str]
    nip_array: np.ndarray
    position_array: np.ndarray
    initiated_by_employee: np.ndarray | None


def parse_risk_columns(body: bytes) -> RiskColumns:
    """The checked request, or RequestValidationError naming every bad column and index."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise _invalid([_error("json_invalid", (), f"JSON decode error: {exc.msg}")]) from None
    columns = _columns(document)
    strings = {name: _object_array(values) for name, values in columns.items()}
    errors = [
        *_check(columns["nip"], strings["nip"], "nip", _nip_errors),
        *_check(columns["position_id"], strings["position_id"], "position_id", _position_errors),
    ]
    if "initiated_by" in strings:
        initiators = columns["initiated_by"]
        errors += _check(initiators, strings["initiated_by"], "initiated_by", _initiator_errors)
    if errors:
        raise _invalid(errors)
    initiated = strings.get("initiated_by")
    employee = None if initiated is None else (initiated == "employee").astype(float)
    return RiskColumns(
        nips=columns["nip"],
        position_ids=columns["position_id"],
        nip_array=strings["nip"],
        position_array=strings["position_id"],
        initiated_by_employee=employee if employee is not None and employee.any() else None,
    )


def _columns(document: Any) -> dict[str, list[Any]]:
    """The body's shape: {"columns": {name: list}} with the known names and equal lengths."""
    if not isinstance(document, dict):
        raise _invalid([_error("model_attributes_type", (), "Input should be an object")])
    errors = [
        _error("extra_forbidden", (k,), "Extra inputs are not permitted")
        for k in document
        if k != "columns"
    ]
    columns = document.get("columns")
    if not isinstance(columns, dict):
        absent = "columns" not in document
        kind = "missing" if absent else "model_attributes_type"
        message = "Field required" if absent else "Input should be an object"
        raise _invalid([*errors, _error(kind, ("columns",), message)])
    allowed = (*REQUIRED, "initiated_by")
    errors += [
        _error("extra_forbidden", ("columns", k), "Extra inputs are not permitted")
        for k in columns
        if k not in allowed
    ]
    errors += [
        _error("missing", ("columns", k), "Field required") for k in REQUIRED if k not in columns
    ]
    errors += [
        _error("list_type", ("columns", k), "Input should be a valid list")
        for k in allowed
        if k in columns and not isinstance(columns[k], list)
    ]
    if errors:
        raise _invalid(errors)
    raise_on_lengths({k: len(v) for k, v in columns.items() if k in allowed})
    return {k: v for k, v in columns.items() if k in allowed}


def raise_on_lengths(lengths: dict[str, int]) -> None:
    """1..MAX_RISK_PAIRS values in `nip`, and as many in every other column."""
    count = lengths["nip"]
    if count > MAX_RISK_PAIRS:
        message = f"List should have at most {MAX_RISK_PAIRS} items after validation, not {count}"
        context = {"max_length": MAX_RISK_PAIRS}
        raise _invalid([_error("too_long", ("columns", "nip"), message, context)])
    if count < 1:
        message = "List should have at least 1 item after validation, not 0"
        raise _invalid([_error("too_short", ("columns", "nip"), message, {"min_length": 1})])
    mismatched = [
        _error("length_mismatch", ("columns", k), f"Column has {n} values, nip has {count}")
        for k, n in lengths.items()
        if n != count
    ]
    if mismatched:
        raise _invalid(mismatched)


def _object_array(values: list[Any]) -> np.ndarray:
    return np.fromiter(values, dtype=object, count=len(values))


def _check(listed: list[Any], values: np.ndarray, name: str, rule: Rule) -> list[Error]:
    """Non-strings first, then the column's own rule on the strings (`is_text`: the rule
    reports only those, so no value is counted twice) and their lengths. `listed` holds the
    same values as `values` (a list is read faster than an object array)."""
    if set(map(type, listed)) == {str}:  # the usual case: one pass, no mask
        lengths = np.fromiter(map(len, listed), dtype=np.int64, count=len(listed))
        return rule(values, lengths, np.ones(len(values), dtype=bool))
    is_text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
    text = np.where(is_text, values, "")
    lengths = np.fromiter(map(len, text), dtype=np.int64, count=len(text))
    wrong_type = _located(~is_text, name, "string_type", "Input should be a valid string")
    return wrong_type + rule(text, lengths, is_text)


def _decimal(text: str) -> bool:
    """`str.isdecimal` (the pattern's `\\d`), read as bytes when the text is ASCII: there the
    decimals are 0-9 and `bytes.isdigit` tests them without str's per-character lookup."""
    return text.encode("ascii").isdigit() if text.isascii() else text.isdecimal()


def _fixed_width(text: np.ndarray, fits: np.ndarray, width: int) -> np.ndarray:
    """The strings as numpy's fixed-width unicode, those that do not fit as "": a width the
    column's rule bounds, never the longest string a client sent."""
    return np.where(fits, text, "").astype(f"U{width}")


def _nip_errors(text: np.ndarray, lengths: np.ndarray, is_text: np.ndarray) -> list[Error]:
    right_length = lengths == NIP_LENGTH
    if right_length.all() and _decimal("".join(text)):  # every NIP good: one string test
        return []
    digits = np.strings.isdecimal(_fixed_width(text, right_length, NIP_LENGTH))
    message = f"String should match pattern '{NIP_PATTERN}'"
    bad = ~(right_length & digits) & is_text
    return _located(bad, "nip", "string_pattern_mismatch", message, {"pattern": NIP_PATTERN})


def _position_errors(_text: np.ndarray, lengths: np.ndarray, is_text: np.ndarray) -> list[Error]:
    short = _located(
        (lengths < 1) & is_text,
        "position_id",
        "string_too_short",
        "String should have at least 1 character",
    )
    long = _located(
        (lengths > MAX_POSITION_ID_LENGTH) & is_text,
        "position_id",
        "string_too_long",
        f"String should have at most {MAX_POSITION_ID_LENGTH} characters",
        {"max_length": MAX_POSITION_ID_LENGTH},
    )
    return short + long


def _initiator_errors(text: np.ndarray, lengths: np.ndarray, is_text: np.ndarray) -> list[Error]:
    if set(text) <= set(INITIATORS):
        return []
    width = max(map(len, INITIATORS))
    fixed = _fixed_width(text, lengths <= width, width)
    known = (fixed == INITIATORS[0]) | (fixed == INITIATORS[1])
    message = "Input should be 'agency' or 'employee'"
    return _located(~known & is_text, "initiated_by", "literal_error", message)


def _located(
    bad: np.ndarray, name: str, kind: str, message: str, context: dict[str, Any] | None = None
) -> list[Error]:
    """One error per bad index (the first SHOWN_PER_COLUMN, then one counting the rest)."""
    where = np.flatnonzero(bad)
    errors = [
        _error(kind, ("columns", name, int(i)), message, context) for i in where[:SHOWN_PER_COLUMN]
    ]
    if len(where) > SHOWN_PER_COLUMN:
        more = len(where) - SHOWN_PER_COLUMN
        message = f"{more} more values like these"
        errors.append(_error(kind, ("columns", name), message, {**(context or {}), "more": more}))
    return errors


def _error(
    kind: str, loc: tuple[Any, ...], message: str, context: dict[str, Any] | None = None
) -> Error:
    error: Error = {"type": kind, "loc": ("body", *loc), "msg": message}
    if context:
        error["ctx"] = context
    return error


def _invalid(errors: list[Error]) -> RequestValidationError:
    return RequestValidationError(errors)
