"""A seeded generator of bureaux with known effects, to test and benchmark the models.

Communes hold a skewed number of bureaux (most have one to three, a few have dozens, as in
France); each bureau has census-like shares (``cadres``, ``ouvriers``, ``retraites``) that
vary around a commune level, a size (inscrits) and a proportion drawn as

``y = Binomial(inscrits, expit(intercept + X @ coef + u_commune + eps_bureau)) / inscrits``

with commune effects ``u ~ N(0, tau^2)`` and bureau over-dispersion ``eps ~ N(0, sigma^2)``.
Everything the models should recover is returned alongside the data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from swingcast.model._modelinput import expit
from swingcast.schema import BUREAU_ID, COMMUNE_CODE, INSCRITS

__all__ = ["SyntheticBureaux", "make_bureaux", "redraw"]

#: default true coefficients of the generator (logit scale, per unit of share)
DEFAULT_COEF = {"cadres": 1.5, "ouvriers": -1.2, "retraites": 0.8}


@dataclass(frozen=True)
class SyntheticBureaux:
    """Synthetic bureaux and the truth behind them.

    Attributes
    ----------
    X : DataFrame
        Features, ``commune_code`` and ``inscrits``, indexed by ``bureau_id``.
    y : numpy.ndarray
        Observed proportions.
    eta : numpy.ndarray
        True linear predictor (logit of the expected proportion, with commune effect and
        bureau noise).
    coef : pandas.Series
        True coefficients.
    intercept : float
        True intercept.
    effects : pandas.Series
        True commune effects, indexed by commune code.
    tau, sigma : float
        Standard deviations of commune effects and bureau over-dispersion.
    """

    X: pd.DataFrame
    y: np.ndarray
    eta: np.ndarray
    coef: pd.Series
    intercept: float
    effects: pd.Series
    tau: float
    sigma: float


def make_bureaux(
    n_communes: int = 200,
    *,
    coef: dict[str, float] | None = None,
    intercept: float = 0.3,
    tau: float = 0.25,
    sigma: float = 0.1,
    mean_bureaux: float = 4.0,
    max_bureaux: int = 40,
    inscrits_range: tuple[int, int] = (150, 1500),
    seed: int = 0,
) -> SyntheticBureaux:
    """Generate bureaux in communes with known coefficients and commune effects.

    Parameters
    ----------
    n_communes : int
        Number of communes.
    coef : dict, optional
        True coefficient per feature (default :data:`DEFAULT_COEF`).
    intercept : float
        True intercept (logit scale).
    tau : float
        Standard deviation of the commune effects.
    sigma : float
        Standard deviation of the bureau-level over-dispersion.
    mean_bureaux : float
        Mean number of bureaux per commune (geometric distribution, at least 1).
    max_bureaux : int
        Cap on the number of bureaux of a commune.
    inscrits_range : (int, int)
        Uniform range of inscrits per bureau.
    seed : int
        Seed of the generator.

    Returns
    -------
    SyntheticBureaux

    Examples
    --------
    >>> data = make_bureaux(n_communes=10, seed=0)
    >>> data.X.columns.tolist()
    ['cadres', 'ouvriers', 'retraites', 'commune_code', 'inscrits']
    >>> int(data.X.groupby("commune_code").size().sum()) == len(data.y)
    True
    """
    coef = dict(DEFAULT_COEF if coef is None else coef)
    rng = np.random.default_rng(seed)
    counts = np.minimum(rng.geometric(1.0 / mean_bureaux, n_communes), max_bureaux)
    communes = np.array([f"C{g:05d}" for g in range(n_communes)], dtype=object)
    commune_of = np.repeat(np.arange(n_communes), counts)
    n = commune_of.shape[0]
    bureau_no = np.concatenate([np.arange(1, c + 1) for c in counts])
    ids = [f"{communes[g]}_{b}" for g, b in zip(commune_of, bureau_no, strict=True)]
    columns = {}
    for j, name in enumerate(coef):
        level = rng.beta(2 + j, 6 - j, n_communes)  # commune level of the share
        columns[name] = np.clip(level[commune_of] + rng.normal(0, 0.08, n), 0.0, 1.0)
    features = pd.DataFrame(columns)
    effects = pd.Series(rng.normal(0, tau, n_communes), index=communes, name="effect")
    eta = (
        intercept
        + features.to_numpy() @ np.array(list(coef.values()))
        + effects.to_numpy()[commune_of]
        + rng.normal(0, sigma, n)
    )
    inscrits = rng.integers(inscrits_range[0], inscrits_range[1] + 1, n)
    y = rng.binomial(inscrits, expit(eta)) / inscrits
    X = features.assign(**{COMMUNE_CODE: communes[commune_of], INSCRITS: inscrits})
    X.index = pd.Index(ids, name=BUREAU_ID)
    X[COMMUNE_CODE] = X[COMMUNE_CODE].astype(str)
    return SyntheticBureaux(
        X=X,
        y=y,
        eta=eta,
        coef=pd.Series(coef, name="coef"),
        intercept=intercept,
        effects=effects,
        tau=tau,
        sigma=sigma,
    )


def redraw(data: SyntheticBureaux, seed: int) -> SyntheticBureaux:
    """Fresh outcomes for the same bureaux: new bureau noise and binomial draws.

    Features, sizes and commune effects are kept; only the bureau over-dispersion and the
    binomial sampling are redrawn (the situation of a new election in the same places).

    Examples
    --------
    >>> data = make_bureaux(n_communes=10, seed=0)
    >>> again = redraw(data, seed=1)
    >>> again.X is data.X and not np.array_equal(again.y, data.y)
    True
    """
    rng = np.random.default_rng(seed)
    base = (
        data.intercept
        + data.X[list(data.coef.index)].to_numpy() @ data.coef.to_numpy()
        + data.effects.reindex(data.X[COMMUNE_CODE]).to_numpy()
    )
    eta = base + rng.normal(0, data.sigma, len(base))
    n = data.X[INSCRITS].to_numpy()
    y = rng.binomial(n, expit(eta)) / n
    return replace(data, y=y, eta=eta)
