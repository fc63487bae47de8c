"""The data contract as code: pandera schemas of every table and `validate_frames`.

`validate_frames` takes the tables as read (every cell a string, as in the file) and returns the
canonical `AgencyData` (dtypes as models/contract/tables.py says) when the export keeps the
contract, or
every problem found, each located by file, spreadsheet row (header = row 1) and column. It is
pure: no file I/O; pipelines/readers.py reads the files and pipelines/ingest.py writes snapshots.

Validation runs in three vectorised passes: structure (required tables and columns), parsing
(dates, numbers, required values; models/contract/parsing.py) and the contract rules
(models/contract/checks.py); the rules run through pandera with lazy error collection.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final, cast

import pandas as pd
import pandera.pandas as pa

from models.contract.checks import Rule, isin, reference_rules, value_rules
from models.contract.constraints import FOREIGN_KEYS, HISTORY_TABLES, UNIQUE_KEYS
from models.contract.enums import (
    COLUMNS,
    NIP_COLUMNS,
    PERSONAL_FIELDS,
    REQUIRED_TABLES,
    Table,
    all_columns,
)
from models.contract.parsing import FAILURE_COLUMNS, MESSAGES, parse_table
from models.contract.problems import MAX_PROBLEMS, Problem, ValidationResult
from models.contract.tables import AgencyData, column_dtypes, empty_table

TABLES_NEEDING_ROWS: Final[tuple[Table, ...]] = (Table.UNITS, Table.POSITIONS, Table.EMPLOYEES)


def default_source(table: Table) -> str:
    return f"{table.value}.csv"


def _rule_check(rule: Rule) -> pa.Check:
    return pa.Check(rule.test, name=_check_name(rule), ignore_na=True)


def _check_name(rule: Rule) -> str:
    return f"{rule.name}:{rule.column}"


def table_schema(table: Table, rules: list[Rule]) -> pa.DataFrameSchema:
    """pandera schema of a parsed table (before canonical casting) enforcing `rules`."""
    column_rules = {
        c: [_rule_check(r) for r in rules if r.column == c and not r.wide]
        for c in all_columns(table)
    }
    return pa.DataFrameSchema(
        {c: pa.Column(None, checks=checks, nullable=True) for c, checks in column_rules.items()},
        checks=[_rule_check(r) for r in rules if r.wide],
        name=table.value,
    )


def canonical_schema(table: Table) -> pa.DataFrameSchema:
    """pandera schema of a table of `AgencyData`: canonical dtypes and required values."""
    required = set(COLUMNS[table][0])
    return pa.DataFrameSchema(
        {c: pa.Column(d, nullable=c not in required) for c, d in column_dtypes(table).items()},
        strict=True,
        name=table.value,
    )


def contract_rules(table: Table, *, today: date, keys: Mapping[Table, pd.Series]) -> list[Rule]:
    """Every rule of a table; foreign keys only towards parents whose keys are known."""
    rules = value_rules(table, today=today)
    if all(parent in keys for child, _, parent, _ in FOREIGN_KEYS if child is table):
        rules += reference_rules(table, keys=keys)
    return rules


def _rule_failures(table: Table, frame: pd.DataFrame, rules: list[Rule]) -> pd.DataFrame:
    """Run the pandera schema; one row (index, column, rule) per failing cell."""
    try:
        table_schema(table, rules).validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        by_name = {_check_name(r): r for r in rules}
        cases = cases[cases["check"].isin(by_name) & cases["index"].notna()]
        found = pd.DataFrame(
            {
                "index": cases["index"].astype("int64"),
                "column": cases["check"].map({n: r.column for n, r in by_name.items()}),
                "rule": cases["check"],
            }
        )
        return found.drop_duplicates(["index", "rule"])
    return pd.DataFrame(columns=FAILURE_COLUMNS)


def _structure(
    raw: Mapping[Table, pd.DataFrame], sources: Mapping[Table, str]
) -> tuple[list[Problem], list[str]]:
    problems: list[Problem] = []
    notices: list[str] = []
    for table in Table:
        file = sources.get(table, default_source(table))
        if table not in sources:
            if table in REQUIRED_TABLES:
                problems.append(Problem(file, None, None, MESSAGES["missing_table"]))
            else:
                notices.append(f"{table.value}: {MESSAGES['absent_optional']}")
            continue
        if table not in raw:
            continue  # the reader could not read it and said so
        frame = raw[table]
        required = COLUMNS[table][0]
        missing = [c for c in required if c not in frame.columns]
        if len(missing) == len(required) > 1:
            text = MESSAGES["foreign_table"].format(columns=", ".join(required), table=table.value)
            problems.append(Problem(file, 1, None, text))
            continue
        problems += [Problem(file, 1, c, MESSAGES["missing_column"]) for c in missing]
        for column in frame.columns:
            if column not in all_columns(table):
                notices.append(f"{file}: {MESSAGES['extra_column'].format(column=column)}")
        if table in TABLES_NEEDING_ROWS and len(frame) == 0:
            problems.append(Problem(file, 2, None, MESSAGES["no_rows"]))
    return problems, notices


def _render(
    failures: pd.DataFrame,
    *,
    raw: Mapping[Table, pd.DataFrame],
    parsed: Mapping[Table, pd.DataFrame],
    sources: Mapping[Table, str],
    rules: Mapping[Table, list[Rule]],
) -> list[Problem]:
    """Problems for the first MAX_PROBLEMS failures, in file order then row order."""
    order = {t: i for i, t in enumerate(Table)}
    failures = failures.assign(order=failures["table"].map(order)).sort_values(
        ["order", "index", "column"], kind="stable"
    )
    rows = failures[["table", "index", "column", "rule"]].head(MAX_PROBLEMS)
    firsts = {
        (t, k): _first_rows(parsed[Table(t)], rules=rules[Table(t)], rule_key=k)
        for t, k in rows[["table", "rule"]].drop_duplicates().itertuples(index=False)
    }
    return [
        _problem(Table(t), int(i), c, k, raw=raw, first=firsts[t, k], sources=sources, rules=rules)
        for t, i, c, k in rows.itertuples(index=False)
    ]


def _problem(
    table: Table,
    index: int,
    column: str,
    rule_key: str,
    *,
    raw: Mapping[Table, pd.DataFrame],
    first: pd.Series | None,
    sources: Mapping[Table, str],
    rules: Mapping[Table, list[Rule]],
) -> Problem:
    """The located problem of one failing cell, with the value as the file holds it;
    `first` maps each row to the first row of its key for a uniqueness rule (else None)."""
    first_row = "" if first is None else str(int(cast(float, first.at[index])) + 2)
    text = _message(table, rule_key, first=first_row, rules=rules, sources=sources)
    got = raw[table].at[index, column] if column in raw[table].columns else None
    quoted = got.strip() if isinstance(got, str) and got.strip() else None
    if column in PERSONAL_FIELDS:
        quoted = None  # never quoted
    source = sources.get(table, default_source(table))
    return Problem(source, index + 2, column, text, got=quoted, personal=column in NIP_COLUMNS)


def _message(
    table: Table,
    rule_key: str,
    *,
    first: str,
    rules: Mapping[Table, list[Rule]],
    sources: Mapping[Table, str],
) -> str:
    """The message of a rule, with the referenced file or the first row of a duplicate."""
    rule = next((r for r in rules.get(table, []) if _check_name(r) == rule_key), None)
    if rule is None:
        return MESSAGES[rule_key]
    parent = Table(rule.name.removeprefix("fk_")) if rule.name.startswith("fk_") else table
    return rule.message.format(first=first, ref=sources.get(parent, default_source(parent)))


def _summary(
    failures: pd.DataFrame, *, rules: Mapping[Table, list[Rule]], sources: Mapping[Table, str]
) -> list[str]:
    """One line per file, column and rule with the number of rows breaking it, most first."""
    counts = failures.groupby(["table", "column", "rule"], sort=False).size()
    ranked = counts.sort_values(ascending=False).reset_index(name="count")
    lines = []
    for table, column, rule_key, count in ranked.itertuples(index=False):
        text = _message(Table(table), rule_key, first="…", rules=rules, sources=sources)
        file = sources.get(Table(table), default_source(Table(table)))
        lines.append(f"{file}:{column}: {count} baris / rows: {text}")
    return lines


def _first_rows(frame: pd.DataFrame, *, rules: list[Rule], rule_key: str) -> pd.Series | None:
    """For a uniqueness rule, the index of the first row holding each row's key (computed once
    per rule, not once per duplicate); None for other rules."""
    key = next((r.key for r in rules if _check_name(r) == rule_key), ())
    if not key:
        return None
    rows = frame.index.to_series()
    return rows.groupby([frame[c] for c in key], sort=False).transform("first")


def validate_frames(
    raw: Mapping[Table, pd.DataFrame],
    *,
    sources: Mapping[Table, str],
    today: date,
) -> ValidationResult:
    """Check raw string frames against the contract; canonical `AgencyData` when all is well.

    `raw` holds the tables as read (strings; index = data row number from 0), `sources` the file
    name of every table whose file exists (also those the reader could not read).
    """
    problems, notices = _structure(raw, sources)
    broken = {p.file for p in problems}
    usable = {t: f for t, f in raw.items() if sources.get(t, default_source(t)) not in broken}
    parsed: dict[Table, pd.DataFrame] = {}
    failures = []
    for table, frame in usable.items():
        parsed[table], parse_failures = parse_table(table, frame)
        failures.append(parse_failures.assign(table=table))
    keys = _reference_keys(parsed, sources)
    rules = {t: contract_rules(t, today=today, keys=keys) for t in parsed}
    for table, frame in parsed.items():
        failures.append(_rule_failures(table, frame, rules[table]).assign(table=table))
    all_failures = pd.concat(failures, ignore_index=True) if failures else None
    consequences: list[Problem] = []
    if all_failures is not None:
        all_failures, consequences = _root_causes(all_failures, sources)
    total = len(problems) + len(consequences) + (0 if all_failures is None else len(all_failures))
    if total:
        summary = []
        if all_failures is not None and len(all_failures):
            problems += _render(all_failures, raw=raw, parsed=parsed, sources=sources, rules=rules)
            summary = _summary(all_failures, rules=rules, sources=sources)
        problems += consequences
        return ValidationResult(None, problems[:MAX_PROBLEMS], notices, total, summary)
    return ValidationResult(to_canonical(parsed), [], notices + _departed(parsed, sources), 0)


def failing_rows(table: Table, raw: pd.DataFrame, *, today: date) -> int:
    """How many rows of one table break a rule that needs no other table (a cheap look at a
    sample, to stop early on a file of junk)."""
    parsed, parse_failures = parse_table(table, raw)
    rules = value_rules(table, today=today)
    rule_failures = _rule_failures(table, parsed, rules)
    return int(pd.concat([parse_failures["index"], rule_failures["index"]]).nunique())


def _root_causes(
    failures: pd.DataFrame, sources: Mapping[Table, str]
) -> tuple[pd.DataFrame, list[Problem]]:
    """Failures without the dangling references to a parent whose own keys have problems: one
    line per child column says they will be checked once the parent's keys are fixed."""
    consequences = []
    for child, column, parent, key in FOREIGN_KEYS:
        of_parent = failures["table"] == parent
        if not (of_parent & (failures["column"] == key)).any():
            continue
        follow = (failures["table"] == child) & (failures["rule"] == f"fk_{parent.value}:{column}")
        if follow.any():
            count, ref = int(follow.sum()), sources.get(parent, default_source(parent))
            text = MESSAGES["consequence"].format(count=count, ref=ref, key=key)
            consequences.append(
                Problem(sources.get(child, default_source(child)), None, column, text)
            )
            failures = failures[~follow]
    return failures, consequences


def _departed(parsed: Mapping[Table, pd.DataFrame], sources: Mapping[Table, str]) -> list[str]:
    """One notice per history table naming people not in employees.csv (retired or left):
    their rows are kept for training and skipped where a current record is needed."""
    if Table.EMPLOYEES not in parsed:
        return []  # unreadable: the reader reported it
    current = parsed[Table.EMPLOYEES]["nip"].dropna()
    staff = sources.get(Table.EMPLOYEES, default_source(Table.EMPLOYEES))
    notices = []
    for table in HISTORY_TABLES:
        if table not in parsed or len(parsed[table]) == 0:
            continue
        nips = parsed[table]["nip"]
        gone = nips.notna() & ~isin(nips, current)
        if gone.any():
            file = sources.get(table, default_source(table))
            rows, people = int(gone.sum()), nips[gone].nunique()
            notices.append(
                f"{file}: {rows} baris dari {people} pegawai yang tidak lagi di {staff} "
                f"(pensiun/keluar), disimpan untuk pelatihan model / {rows} rows of {people} "
                f"people no longer in {staff} (retired or left), kept for training"
            )
    return notices


def _reference_keys(
    parsed: Mapping[Table, pd.DataFrame], sources: Mapping[Table, str]
) -> dict[Table, pd.Series]:
    """Key values of every parent table: present ones as parsed, absent optional ones empty."""
    keys: dict[Table, pd.Series] = {}
    for _, _, parent, key in FOREIGN_KEYS:
        if parent in parsed:
            keys[parent] = parsed[parent][key].dropna()
        elif parent not in sources:
            keys[parent] = pd.Series([], dtype="string")
    return keys


def to_canonical(parsed: Mapping[Table, pd.DataFrame]) -> AgencyData:
    """Cast parsed tables to the canonical dtypes of models/contract/tables.py (index from 0)."""
    frames: dict[Table | str, pd.DataFrame] = {}
    for table in Table:
        if table not in parsed:
            frames[table] = empty_table(table)
            continue
        frame = parsed[table][list(all_columns(table))].reset_index(drop=True)
        if table is Table.TRAININGS:
            frame = frame.assign(level_gain=frame["level_gain"].fillna(1.0))
        frames[table] = frame.astype(column_dtypes(table))
    return AgencyData.from_frames(frames)


__all__ = [
    "UNIQUE_KEYS",
    "canonical_schema",
    "failing_rows",
    "table_schema",
    "validate_frames",
]
