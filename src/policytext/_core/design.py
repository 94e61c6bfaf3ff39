"""Design matrices of the document-level models: categorical and numeric covariates, fixed effects, formulas.

The ground floor of :func:`policytext.compare_rates`, :func:`policytext.rate_trend`
and :func:`policytext.estimate_effects`. A :class:`Design` holds the matrix and,
for each of its columns, what it stands for, so that a model's coefficients can
be named in a tidy table and the columns that are not reported (the intercept,
fixed effects) left out of it.

- A categorical covariate (text, or any column listed in ``categorical``) is
  treatment-coded: one column per level other than the reference.
- A numeric covariate (an integer or float column, such as ``year`` or GDP per
  capita) is one column, centred at its mean (which changes the intercept,
  never the slope): its coefficient is an effect per unit.
- A fixed effect is a categorical covariate whose columns are not reported.
- A formula (the right-hand side, as ``"cr(year, df=4) + level"``) is built by
  formulaic, the formula library statsmodels uses, with its splines
  (``bs()``, ``cr()``), interactions (``a:b``, ``a*b``) and transforms; each of
  its columns is reported under its formula name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["Design", "numeric_columns", "build_design", "formula_design", "formula_variables", "NONE_LEVEL"]

#: The level of a missing value of a categorical covariate.
NONE_LEVEL = "(none)"


@dataclass
class Design:
    """A design matrix and the meaning of its columns.

    ``kinds[j]`` is ``"intercept"``, ``"level"`` (a treatment dummy of
    ``covariates[j]`` for ``levels[j]``), ``"slope"`` (a numeric covariate),
    ``"fixed"`` (a fixed-effect dummy, not reported) or ``"formula"`` (a column
    of a formula, ``levels[j]`` its name).
    """

    X: np.ndarray
    kinds: list[str]
    covariates: list[str]
    levels: list[str]
    centres: dict = field(default_factory=dict)
    spec: object = None

    @property
    def reported(self) -> list[int]:
        """The columns whose coefficients a result table shows."""
        return [j for j, k in enumerate(self.kinds) if k in ("level", "slope", "formula")]


def numeric_columns(data: pd.DataFrame, cols, categorical=()) -> list[str]:
    """The columns of ``cols`` treated as numeric: integer or float dtype, not boolean, not listed as categorical.

    Examples
    --------
    >>> numeric_columns(pd.DataFrame({"year": [2020, 2021], "province": ["鄂", "川"]}), ["year", "province"])
    ['year']
    >>> numeric_columns(pd.DataFrame({"year": [2020, 2021]}), ["year"], categorical=["year"])
    []
    """
    categorical = {categorical} if isinstance(categorical, str) else set(categorical or ())
    unknown = categorical - set(cols)
    if unknown:
        raise KeyError(f"categorical names column(s) {sorted(unknown)} that are not covariates {list(cols)}")
    return [c for c in cols if c not in categorical and pd.api.types.is_numeric_dtype(data[c])
            and not pd.api.types.is_bool_dtype(data[c])]


def build_design(data: pd.DataFrame, *, covariates: list[str], references: dict, numeric: list[str] = (),
                 fixed_effects: list[str] = ()) -> Design:
    """The design of ``covariates`` (treatment-coded or numeric) and ``fixed_effects`` on the rows of ``data``.

    ``references`` gives the reference level of each categorical covariate
    and fixed effect. Numeric columns must hold no missing value (leave such
    rows out first).

    Examples
    --------
    >>> d = build_design(pd.DataFrame({"year": [2020, 2021, 2022], "p": ["a", "b", "b"]}), covariates=["year"],
    ...                  references={"p": "b"}, numeric=["year"], fixed_effects=["p"])
    >>> d.kinds, d.X[:, 1].tolist(), d.X[:, 2].tolist()
    (['intercept', 'slope', 'fixed'], [-1.0, 0.0, 1.0], [1.0, 0.0, 0.0])
    """
    columns, kinds, names, levels, centres = [np.ones(len(data))], ["intercept"], [""], [""], {}
    for col in list(covariates) + [c for c in fixed_effects if c not in covariates]:
        kind = "fixed" if col in fixed_effects and col not in covariates else "level"
        if col in numeric:
            values = pd.to_numeric(data[col]).to_numpy(dtype=float)
            if np.isnan(values).any():
                raise ValueError(f"the numeric covariate {col!r} has missing values: leave those documents out first")
            centres[col] = float(values.mean())
            columns.append(values - centres[col])
            kinds.append("slope")
            names.append(col)
            levels.append("")
            continue
        values = data[col].astype("object").where(data[col].notna(), NONE_LEVEL).astype(str)
        for lvl in sorted(values.unique()):
            if lvl == references[col]:
                continue
            columns.append((values == lvl).to_numpy(dtype=float))
            kinds.append(kind)
            names.append(col)
            levels.append(lvl)
    return Design(np.column_stack(columns), kinds, names, levels, centres)


def formula_variables(formula: str) -> list[str]:
    """The metadata columns a formula's right-hand side reads, sorted.

    Examples
    --------
    >>> formula_variables("cr(year, df=4) + year:level")
    ['level', 'year']
    """
    import formulaic

    if "~" in formula:
        raise ValueError(f"give the right-hand side of the formula only (the outcome is the model's): {formula!r}")
    try:
        return sorted(str(v) for v in formulaic.Formula(formula).required_variables)
    except Exception as err:  # formulaic raises several kinds; name the formula
        raise ValueError(f"the formula {formula!r} cannot be read: {err}") from err


def formula_design(data: pd.DataFrame, formula: str, *, fixed_effects: list[str] = (),
                   references: dict | None = None) -> Design:
    """The design of a formula's right-hand side (formulaic), plus treatment-coded ``fixed_effects``.

    A left-hand side (``y ~ ...``) is not allowed: the outcome is the model's.
    The intercept is always included (``- 1`` or ``+ 0`` is refused: the
    rate models need it as the baseline).

    Examples
    --------
    >>> d = formula_design(pd.DataFrame({"year": [2020.0, 2021, 2022, 2023], "level": list("abab")}),
    ...                    "year * level")
    >>> d.levels
    ['Intercept', 'year', 'level[T.b]', 'year:level[T.b]']
    """
    import formulaic

    if "~" in formula:
        raise ValueError(f"give the right-hand side of the formula only (the outcome is the model's): {formula!r}")
    try:
        matrix = formulaic.model_matrix(formula, data, na_action="raise")
    except Exception as err:  # formulaic raises several kinds; name the formula
        raise ValueError(f"the formula {formula!r} cannot be built on the documents' metadata: {err}") from err
    names = list(matrix.columns)
    if "Intercept" not in names:
        raise ValueError(f"the formula {formula!r} has no intercept: the rate models need one (drop '- 1' / '+ 0')")
    terms = {j: str(term) for term, idx in matrix.model_spec.term_indices.items() for j in idx}
    X = np.asarray(matrix, dtype=float)
    kinds = ["intercept" if n == "Intercept" else "formula" for n in names]
    covariates = ["" if n == "Intercept" else terms.get(j, n) for j, n in enumerate(names)]
    design = Design(X, kinds, covariates, names, spec=matrix.model_spec)
    if fixed_effects:
        fixed = build_design(data, covariates=[], references=references or {}, fixed_effects=list(fixed_effects))
        design.X = np.column_stack([design.X, fixed.X[:, 1:]])
        design.kinds += fixed.kinds[1:]
        design.covariates += fixed.covariates[1:]
        design.levels += fixed.levels[1:]
    return design
