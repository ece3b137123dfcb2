"""Read-only views of the loaded policy."""

from __future__ import annotations


def summary(settings) -> dict:
    return settings.policy().summary()


def full(settings) -> dict:
    return settings.policy().model_dump(mode="json")


def full_yaml(settings) -> str:
    import yaml

    return yaml.safe_dump(full(settings), allow_unicode=True, sort_keys=False).rstrip()
