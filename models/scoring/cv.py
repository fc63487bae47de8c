"""Time-ordered cross-validation losses of a scorer configuration, and the IPW decision.

CV: for each of the latest `folds` decree years with outcomes, train on every earlier decree
and validate on that year (expanding window, never a later year in training). Fit is scored
by the squared error against the post-move outcome (the SKP rating refined by the score where
kept), risk by the log loss of the calibrated probability: both proper, both what the served
numbers claim to be.

Selection bias: when the history carries inverse-propensity weights of its moves
(models/scoring/propensity.py), the fit loss is the self-normalised IPW mean of the squared
errors: importance-weighted CV (Sugiyama, Krauledat and Müller, JMLR 2007), an estimate of the
loss over the people HR could have picked rather than the ones it did. It is that for ANY
fixed model, weighted in training or not, so it compares a weighted and an unweighted model
on one yardstick.

Whether the fit model trains on the weights is decided by `decide_ipw`, BEFORE any
hyperparameter search, on one configuration (the hand-set default or the previous pick) with
and without the weights, on the same CV years. Why first and on one configuration: the
weighted loss is noisy (its effective sample is ~40 % of the moves), and a search that mixes
the weighting with a few dozen hyperparameter draws picks whichever arm happened to get the
luckiest draw (the winner's curse), not the arm that is better. A two-arm comparison, with
everything else equal, asks the one question the weighting answers, and the weights are kept
only beyond one paired standard error; the search then tunes the rest with that choice fixed,
still on the weighted loss.

The IPW and in-post decisions train each arm on at most `DECISION_MOVES` of the moves
before the CV year, a seeded random sample (the in-post appraisals before it in the same
proportion), and validate on all of the year's moves. The arms differ in one thing, so a sample
asks nearly the same question (beside fewer moves, extra rows are worth a little more);
without the cap one year's three in-post arms took 251 s at 100,000
employees (65,741 moves), past the third of a 480 s budget they may use. Below the cap (at the
demo agency's move rate, about 30,000 employees) nothing is sampled.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.features.skp_scale import score_on_rating_scale
from models.scoring.config import ScorerConfig
from models.scoring.estimators import TransferScorer, appraisal_weight, move_weights


@dataclass(frozen=True)
class History:
    """The development examples the search validates on (features and labels)."""

    X: pd.DataFrame
    rating: np.ndarray
    score: np.ndarray
    resisted: np.ndarray
    decree_date: pd.Series
    weight: np.ndarray | None = None  # inverse-propensity weights of the moves, if modelled
    in_post: pd.DataFrame | None = None  # in-post appraisals (features, labels, decree_date)

    @property
    def year(self) -> np.ndarray:
        return np.asarray(pd.to_datetime(self.decree_date).dt.year)

    def for_year(self, year: int, *, moves: int, seed: int) -> History:
        """What a decision needs for CV `year`: the year's moves, and at most `moves` of the
        moves before it (a random sample drawn by `seed` and the year, the in-post appraisals
        before the year sampled in the same proportion). The whole history when under."""
        earlier = np.flatnonzero(self.year < year)
        if len(earlier) <= moves:
            return self
        rng = np.random.default_rng([seed, year])
        keep = np.sort(
            np.concatenate(
                [rng.choice(earlier, moves, replace=False), np.flatnonzero(self.year == year)]
            )
        )
        in_post = self.in_post_before(year)
        if in_post is not None:
            size = round(len(in_post) * moves / len(earlier))
            in_post = in_post.iloc[np.sort(rng.choice(len(in_post), size, replace=False))]
        return History(
            X=self.X.iloc[keep],
            rating=self.rating[keep],
            score=self.score[keep],
            resisted=self.resisted[keep],
            decree_date=self.decree_date.iloc[keep],
            weight=self.weight[keep] if self.weight is not None else None,
            in_post=in_post,
        )

    def in_post_before(self, year: int) -> pd.DataFrame | None:
        """The in-post appraisals of years before `year` (None without any)."""
        if self.in_post is None:
            return None
        return self.in_post.loc[pd.to_datetime(self.in_post["decree_date"]).dt.year < year]


def cv_years(decree_date: pd.Series, labelled: pd.Series, *, folds: int) -> list[int]:
    """The latest `folds` decree years with outcomes that have at least two earlier years."""
    year = pd.to_datetime(decree_date).dt.year
    years = np.sort(year[labelled].unique())
    return [int(y) for y in years[2:][-folds:]]


@dataclass(frozen=True)
class CvErrors:
    """Every validated example's error (a move's squared fit error, a decree's risk log
    loss), its weight and its CV year."""

    error: np.ndarray  # each example's: squared error (fit), log loss (risk)
    weight: np.ndarray
    year: np.ndarray

    def shares(self) -> np.ndarray:
        """Each example's share of the loss: its weight over its year's total, over the years
        (so the loss is the mean over CV years of each year's weighted mean)."""
        years, index = np.unique(self.year, return_inverse=True)
        totals = np.bincount(index, weights=self.weight)
        return np.asarray(self.weight / totals[index] / len(years))

    def loss(self) -> float:
        """Mean over CV years of the (weighted) mean error."""
        return float(np.sum(self.shares() * self.error))


def fit_cv_errors(config: ScorerConfig, history: History, years: list[int], seed: int) -> CvErrors:
    """Each CV year's moves with an outcome: squared error of the fit predicted by a model
    trained on the earlier years, against the refined outcome."""
    weight = history.weight if history.weight is not None else np.ones(len(history.rating))
    parts = []
    for year in years:
        train, valid = history.year < year, (history.year == year) & ~np.isnan(history.rating)
        scorer = TransferScorer(config, random_state=seed).fit_rating_model(
            history.X.loc[train],
            y_rating=history.rating[train],
            decree_date=history.decree_date[train],
            y_score=history.score[train],
            fit_weight=weight[train] if history.weight is not None else None,
            in_post=history.in_post_before(year),
        )
        target = score_on_rating_scale(
            history.rating[valid], history.score[valid], map_unrated=False
        )
        predicted = scorer.predict_fit(history.X.loc[valid])
        parts.append(((predicted - target) ** 2, weight[valid], np.full(valid.sum(), year)))
    squared, weights, year_of = (np.concatenate(column) for column in zip(*parts, strict=True))
    return CvErrors(error=squared, weight=weights, year=year_of)


def fit_cv_loss(config: ScorerConfig, history: History, years: list[int], seed: int) -> float:
    """Mean over CV years of the squared error of predicted fit against the refined outcome,
    weighted by the moves' inverse-propensity weights when the history has them."""
    return fit_cv_errors(config, history, years, seed).loss()


def risk_cv_errors(config: ScorerConfig, history: History, years: list[int], seed: int) -> CvErrors:
    """Each CV year's decrees: log loss of the calibrated risk predicted by a model trained on
    the earlier years."""
    parts = []
    for year in years:
        train, valid = history.year < year, history.year == year
        scorer = TransferScorer(config, random_state=seed).fit_risk_model(
            history.X.loc[train],
            y_resisted=history.resisted[train],
            decree_date=history.decree_date[train],
        )
        predicted = np.clip(scorer.predict_risk(history.X.loc[valid]), 1e-6, 1 - 1e-6)
        resisted = history.resisted[valid]
        loss = -np.where(resisted == 1, np.log(predicted), np.log1p(-predicted))
        parts.append(CvErrors(error=loss, weight=np.ones(len(loss)), year=np.full(len(loss), year)))
    return joined(parts)


def risk_cv_loss(config: ScorerConfig, history: History, years: list[int], seed: int) -> float:
    """Mean over CV years of the log loss of the calibrated risk (every decree of the year)."""
    return risk_cv_errors(config, history, years, seed).loss()


# Moves before a CV year that a decision's arms train on at most (a random sample above it).
DECISION_MOVES = 20_000

# Shares (in-post appraisals' total weight over the moves') the in-post decision compares.
IN_POST_SHARES = (0.0, 1.0, 3.0)


@dataclass(frozen=True)
class InPostDecision:
    """The in-post arms on one configuration: CV loss per share, and the share kept."""

    share: float
    losses: dict[float, float]  # CV loss (moves only) per share
    gain_se: float  # standard error of loss(0) - loss(best share), paired over the moves
    seconds: float
    years: tuple[int, ...] = ()  # the CV years compared


@dataclass(frozen=True)
class IpwDecision:
    """The two arms of the IPW question on one configuration, and the answer."""

    use: bool
    loss_off: float  # IPW-weighted CV loss of the configuration trained without the weights
    loss_on: float  # ... and with them
    gain_se: float  # standard error of loss_off - loss_on (paired over the validated moves)
    seconds: float


def paired_gain_se(off: CvErrors, on: CvErrors) -> float:
    """Standard error of loss_off - loss_on: the per-move differences (same moves, same
    weights in both arms) as a weighted mean, its variance over Kish's effective size."""
    difference = off.error - on.error
    share = off.shares()
    mean = float(np.sum(share * difference))
    variance = float(np.sum(share * (difference - mean) ** 2))
    return float(np.sqrt(variance * np.sum(share**2)))


def joined(parts: list[CvErrors]) -> CvErrors:
    return CvErrors(
        *(
            np.concatenate(column)
            for column in zip(*(dataclasses.astuple(p) for p in parts), strict=True)
        )
    )


Errors = Callable[[ScorerConfig, History, list[int], int], CvErrors]


def paired_errors(
    configs: list[ScorerConfig],
    history: History,
    years: list[int],
    seed: int,
    *,
    moves: int = DECISION_MOVES,
    errors_of: Errors = fit_cv_errors,
) -> list[CvErrors] | None:
    """Each configuration's errors (`errors_of`: fit's by default) on the same CV years (a
    paired comparison), each year's arms trained on at most `moves` earlier moves. A year too
    early to train on (too few of a kind) is left out for all; None when no year is left."""
    arms: list[list[CvErrors]] = [[] for _ in configs]
    for year in years:
        sample = history.for_year(year, moves=moves, seed=seed)
        try:
            errors = [errors_of(config, sample, [year], seed) for config in configs]
        except ValueError:
            continue
        for arm, error in zip(arms, errors, strict=True):
            arm.append(error)
    return [joined(arm) for arm in arms] if arms and arms[0] else None


def decide_ipw(
    config: ScorerConfig,
    history: History,
    years: list[int],
    seed: int,
    *,
    moves: int = DECISION_MOVES,
) -> IpwDecision:
    """Train `config` with and without the IPW weights on the same CV years and keep the
    weights only if they lower the IPW-weighted CV loss (the estimate of the loss over everyone
    HR could have picked) by more than the paired standard error: the one-SE rule, as for the
    fit search and the calibrator, with the unweighted model as the reference. Needs the
    history's weights. Each year's arms train on at most `moves` earlier moves.

    Why the rule: the weights cost variance, and a lower loss within the noise is no evidence
    they pay for it. Under the lower-loss rule, on design worlds (seeds 10-12, 3,000 employees,
    two grids of 15 worlds) the weights were kept on 9 worlds of one grid with gains of
    0.17-0.94 SE, and on 5 of those 6 the ranking of the held-out pools was better without them
    (by 0.0002-0.0092 NDCG@10; mean over the grid +0.0010, the other grid +0.0008)."""
    if history.weight is None:
        raise ValueError("the IPW decision needs the moves' inverse-propensity weights")
    started = time.perf_counter()
    arms = paired_errors(
        [config.model_copy(update={"fit_ipw": ipw}) for ipw in (False, True)],
        history,
        years,
        seed,
        moves=moves,
    )
    if arms is None:
        nan = float("nan")
        return IpwDecision(False, nan, nan, nan, seconds=time.perf_counter() - started)
    off, on = arms
    return IpwDecision(
        use=off.loss() - on.loss() > paired_gain_se(off, on),
        loss_off=off.loss(),
        loss_on=on.loss(),
        gain_se=paired_gain_se(off, on),
        seconds=time.perf_counter() - started,
    )


def decide_in_post(
    config: ScorerConfig,
    history: History,
    years: list[int],
    seed: int,
    *,
    seconds: float = float("inf"),
    shares: tuple[float, ...] = IN_POST_SHARES,
    moves: int = DECISION_MOVES,
) -> InPostDecision:
    """Train `config` with each share of in-post appraisals on the same CV years (validated
    on the moves alone) and keep the share with the lowest loss (the gain's standard error over
    moves alone is reported beside it). `shares` starts with 0 (moves alone), which wins ties.
    Not under the one-SE rule (unlike the IPW decision): the appraisals add evidence rather
    than reweight it, and no design world has yet been looked at for it.

    Years are taken latest first: the first always, more while another one still fits in
    `seconds`. Each year's arms train on at most `moves` earlier moves."""
    started = time.perf_counter()
    nan = float("nan")
    arms: dict[float, list[CvErrors]] = {share: [] for share in shares}
    compared: list[int] = []
    for year in sorted(years, reverse=True) if history.in_post is not None else []:
        used = time.perf_counter() - started
        if compared and used + used / len(compared) > seconds:
            break
        sample = history.for_year(year, moves=moves, seed=seed)
        try:  # a year too early to train on is left out
            errors = _in_post_arms(config, sample, year, seed, shares)
        except ValueError:
            continue
        for share, error in errors.items():
            arms[share].append(error)
        compared.append(year)
    elapsed = time.perf_counter() - started
    if not compared:
        return InPostDecision(shares[0], {}, nan, seconds=elapsed)
    merged = {share: joined(errors) for share, errors in arms.items()}
    losses = {share: errors.loss() for share, errors in merged.items()}
    best = min(losses, key=losses.__getitem__)
    gain_se = paired_gain_se(merged[shares[0]], merged[best]) if best else nan
    keep = best if losses[best] < losses[shares[0]] else shares[0]
    return InPostDecision(keep, losses, gain_se, seconds=elapsed, years=tuple(compared))


def _in_post_arms(
    config: ScorerConfig, history: History, year: int, seed: int, shares: tuple[float, ...]
) -> dict[float, CvErrors]:
    """Each share's errors on CV `year`. Shares that give every appraisal the same weight
    (the cap at a move's mean weight binds: at 100,000 employees 1 and 3 both did) train the
    same model, so it is trained once."""
    train = history.year < year
    in_post = history.in_post_before(year)
    appraisals = 0 if in_post is None else len(in_post)
    fit_weight = history.weight[train] if history.weight is not None else None
    trained: dict[float | None, CvErrors] = {}  # by each appraisal's weight (None: left out)
    errors = {}
    for share in shares:
        arm = config.model_copy(update={"fit_in_post_share": share})
        weight = move_weights(arm, fit_weight)
        each = appraisal_weight(arm, history.rating[train], weight, appraisals)
        if each not in trained:
            trained[each] = fit_cv_errors(arm, history, [year], seed)
        errors[share] = trained[each]
    return errors
