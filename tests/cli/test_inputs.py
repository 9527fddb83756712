"""Commands take their input file from the option or from the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from cartera.cli.inputs import input_path
from cartera.config import load_config
from cartera.errors import ConfigError


def test_option_wins_over_config(tmp_path: Path) -> None:
    config_file = tmp_path / "cartera.toml"
    config_file.write_text('[input.leads]\npath = "leads.csv"\n', encoding="utf-8")
    config = load_config(config_file)
    option = tmp_path / "other.csv"
    assert input_path(option, config, "leads") == option


def test_config_path_used_without_option(tmp_path: Path) -> None:
    config_file = tmp_path / "cartera.toml"
    config_file.write_text('[input.leads]\npath = "leads.csv"\n', encoding="utf-8")
    config = load_config(config_file)
    assert input_path(None, config, "leads") == tmp_path / "leads.csv"


def test_neither_is_config_error() -> None:
    with pytest.raises(ConfigError, match="no invoices file given"):
        input_path(None, load_config(None), "invoices")
