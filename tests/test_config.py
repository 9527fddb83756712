from pathlib import Path

import pytest

from cartera.config import AgeingConfig, Config, describe_keys, load_config
from cartera.errors import ConfigError


def test_defaults_without_file() -> None:
    config = load_config(None)
    assert config.pyramid.shares == [0.10, 0.30, 0.60]
    assert config.ageing.bucket_names() == [
        "current",
        "1_30",
        "31_60",
        "61_90",
        "over_90",
    ]


def test_custom_bucket_names() -> None:
    assert AgeingConfig(bounds=[15, 45]).bucket_names() == [
        "current",
        "1_15",
        "16_45",
        "over_45",
    ]


def test_invalid_key_names_it(tmp_path: Path) -> None:
    path = tmp_path / "cartera.toml"
    path.write_text("[pyramid]\nshares = [0.5, 0.3, 0.2]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="pyramid"):
        load_config(path)


def test_relative_paths_resolve_to_config_folder(tmp_path: Path) -> None:
    path = tmp_path / "cartera.toml"
    path.write_text('[input.invoices]\npath = "ledger.csv"\n', encoding="utf-8")
    config = load_config(path)
    assert config.input.invoices.path == tmp_path / "ledger.csv"


def test_missing_file_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml")


def test_default_config_roundtrip() -> None:
    assert Config.model_validate(Config().model_dump()) == Config()


def test_configuration_doc_is_current() -> None:
    doc = Path(__file__).parents[1] / "docs" / "configuration.md"
    expected = describe_keys() + "\n"
    assert doc.read_text(encoding="utf-8") == expected, (
        "regenerate docs/configuration.md with "
        "python -c 'from cartera.config import describe_keys; print(describe_keys())'"
    )


def test_every_key_described() -> None:
    assert "|  |" not in describe_keys()
