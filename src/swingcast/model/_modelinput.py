"""Input checks shared by the estimators of :mod:`swingcast.model.estimators` and :mod:`swingcast.model.baselines`.

Every check refuses bad input with a :class:`~swingcast.errors.ModelError` naming the
offending bureau ids (the index of ``X``) and the column, never with a silent NaN.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

from swingcast.errors import ModelError, where
from swingcast.errors import NotFittedError as _SwingcastNotFittedError

__all__ = [
    "ModelNotFittedError",
    "as_frame",
    "require_columns",
    "check_finite",
    "check_sizes",
    "check_proportions",
    "check_weights",
    "check_nonnegative",
    "check_fitted",
    "logit",
    "expit",
    "weighted_mean",
]

#: proportions are clipped to [EPS, 1 - EPS] before taking a logit
EPS = 1e-6


class ModelNotFittedError(_SwingcastNotFittedError, _SklearnNotFittedError):
    """``predict`` before ``fit``: a swingcast error that scikit-learn also recognises."""


def as_frame(X: object, what: str = "X") -> pd.DataFrame:
    """Return ``X`` as a DataFrame (an array gets positional ids ``"0"``, ``"1"``, ...).

    Examples
    --------
    >>> as_frame(np.array([[0.5], [0.25]])).index.tolist()
    ['0', '1']
    """
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, pd.Series):
        return X.to_frame()
    arr = np.asarray(X)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ModelError(f"{what}: expected a 2-D table (DataFrame indexed by bureau_id), got shape {arr.shape}")
    return pd.DataFrame(arr, index=[str(i) for i in range(arr.shape[0])]).rename(columns=str)


def require_columns(X: pd.DataFrame, columns: Sequence[str], what: str = "X") -> None:
    """Raise :class:`ModelError` when a needed column is absent.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"])
    >>> require_columns(pd.DataFrame({"a": [1]}), ["b"])
    Traceback (most recent call last):
    ...
    swingcast.errors.ModelError: X: missing column(s) 'b'; columns present: 'a'
    """
    missing = [c for c in columns if c not in X.columns]
    if missing:
        present = ", ".join(repr(str(c)) for c in X.columns[:20])
        raise ModelError(
            f"{what}: missing column(s) {', '.join(repr(c) for c in missing)}; columns present: {present}"
        )


def check_finite(X: pd.DataFrame, columns: Sequence[str], what: str = "X") -> np.ndarray:
    """Return ``X[columns]`` as a float array; NaN/inf or non-numeric values are refused.

    Examples
    --------
    >>> check_finite(pd.DataFrame({"a": [1.0, np.nan]}, index=["b1", "b2"]), ["a"])
    Traceback (most recent call last):
    ...
    swingcast.errors.ModelError: X: column 'a', id b2: missing or infinite value; expected a finite number for every bureau
    """
    out = np.empty((len(X), len(columns)), dtype=float)
    for j, col in enumerate(columns):
        try:
            values = pd.to_numeric(X[col], errors="raise").to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise ModelError(f"{what}: {where(column=str(col))}: expected numbers ({exc})") from None
        bad = ~np.isfinite(values)
        if bad.any():
            raise ModelError(
                f"{what}: {where(column=str(col), ids=X.index[bad])}: missing or infinite value; "
                "expected a finite number for every bureau"
            )
        out[:, j] = values
    return out


def check_sizes(X: pd.DataFrame, size_col: str, what: str = "X") -> np.ndarray:
    """Return the bureau sizes (``inscrits``); zero, negative or missing sizes are refused.

    Examples
    --------
    >>> check_sizes(pd.DataFrame({"inscrits": [900, 0]}, index=["b1", "b2"]), "inscrits")
    Traceback (most recent call last):
    ...
    swingcast.errors.ModelError: X: column 'inscrits', id b2: size must be > 0 (a bureau with no registered voters cannot be modelled)
    """
    require_columns(X, [size_col], what)
    sizes = check_finite(X, [size_col], what)[:, 0]
    bad = sizes <= 0
    if bad.any():
        raise ModelError(
            f"{what}: {where(column=size_col, ids=X.index[bad])}: size must be > 0 "
            "(a bureau with no registered voters cannot be modelled)"
        )
    return sizes


def check_proportions(y: object, index: pd.Index, what: str = "y") -> np.ndarray:
    """Return ``y`` as a float array of proportions in [0, 1] (NaN or outside refused).

    Examples
    --------
    >>> check_proportions([0.5, 1.2], pd.Index(["b1", "b2"]))
    Traceback (most recent call last):
    ...
    swingcast.errors.ModelError: y: id b2: proportion outside [0, 1] or missing; expected a share such as votants/inscrits
    """
    arr = np.asarray(y, dtype=float)
    if arr.shape[0] != len(index):
        raise ModelError(f"{what}: {arr.shape[0]} values for {len(index)} bureaux in X")
    flat = arr.reshape(arr.shape[0], -1)
    bad = ~np.all(np.isfinite(flat) & (flat >= 0) & (flat <= 1), axis=1)
    if bad.any():
        raise ModelError(
            f"{what}: {where(ids=index[bad])}: proportion outside [0, 1] or missing; "
            "expected a share such as votants/inscrits"
        )
    return arr


def check_weights(weights: object, index: pd.Index, what: str = "sample_weight") -> np.ndarray:
    """Return non-negative finite weights with at least one positive value.

    Examples
    --------
    >>> check_weights([1, 2], pd.Index(["a", "b"])).tolist()
    [1.0, 2.0]
    """
    w = check_nonnegative(weights, index, what, noun="weight")
    if not (w > 0).any():
        raise ModelError(f"{what}: every weight is zero")
    return w


def check_nonnegative(values: object, index: pd.Index, what: str, noun: str = "value") -> np.ndarray:
    """Return one finite value >= 0 per bureau of ``index`` as a flat float array.

    Examples
    --------
    >>> check_nonnegative([1.0, -2.0], pd.Index(["a", "b"]), "scale")
    Traceback (most recent call last):
    ...
    swingcast.errors.ModelError: scale: id b: expected a finite value >= 0
    """
    v = np.asarray(values, dtype=float).reshape(-1)
    if v.shape[0] != len(index):
        raise ModelError(f"{what}: {v.shape[0]} {noun}s for {len(index)} bureaux")
    bad = ~np.isfinite(v) | (v < 0)
    if bad.any():
        raise ModelError(f"{what}: {where(ids=index[bad])}: expected a finite {noun} >= 0")
    return v


def check_fitted(estimator: object, attribute: str) -> None:
    """Raise :class:`ModelNotFittedError` unless ``estimator`` has ``attribute``.

    Examples
    --------
    >>> class M:
    ...     pass
    >>> check_fitted(M(), "coef_")
    Traceback (most recent call last):
    ...
    swingcast.model._modelinput.ModelNotFittedError: M is not fitted yet: call fit(X, y) before predict
    """
    if not hasattr(estimator, attribute):
        raise ModelNotFittedError(
            f"{type(estimator).__name__} is not fitted yet: call fit(X, y) before predict"
        )


def logit(p: np.ndarray | float) -> np.ndarray:
    """Log-odds of ``p`` clipped to ``[EPS, 1 - EPS]``.

    Examples
    --------
    >>> float(logit(0.5))
    0.0
    """
    q = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(q) - np.log1p(-q)


def expit(x: np.ndarray | float) -> np.ndarray:
    """Inverse of :func:`logit`.

    Examples
    --------
    >>> float(expit(0.0))
    0.5
    """
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def weighted_mean(values: np.ndarray, weights: np.ndarray | None) -> float:
    """Weighted mean (plain mean when ``weights`` is None).

    Examples
    --------
    >>> weighted_mean(np.array([0.25, 0.75]), np.array([3.0, 1.0]))
    0.375
    """
    v = np.asarray(values, dtype=float)
    if weights is None:
        return float(v.mean())
    return float(np.average(v, weights=np.asarray(weights, dtype=float)))
