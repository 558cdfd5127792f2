"""Every nuance, list and candidate of the real files of the data folder has a bloc."""

from __future__ import annotations

from pathlib import Path

import pytest

from swingcast import read_results
from swingcast.model.blocs import unknown_names

FILES = ["france/results/2019-europeennes_par_bureau_large.csv.gz",
         "hauts-de-seine-13/results/departementales_2021_t1.xlsx",
         "hauts-de-seine-13/results/europeennes_2024.xlsx",
         "hauts-de-seine-13/results/legislatives2022_t2_9213.xlsx",
         "hauts-de-seine-13/results/legislatives2024_t1_9213.xlsx",
         "hauts-de-seine-13/results/legislatives2024_t2_9213.xlsx",
         "hauts-de-seine-13/results/municipales_2014_t1_antony.xlsx",
         "hauts-de-seine-13/results/municipales_2020_t1_antony.xlsx"]


@pytest.mark.shared
@pytest.mark.parametrize("name", FILES)
def test_no_unknown_name(shared_dir: Path, name: str) -> None:
    assert unknown_names(read_results(shared_dir / name).votes) == []
