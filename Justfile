# `just` runs what CI runs: the linters, then the tests.
default: lint test

# ruff (lint and format check) and strict mypy on the package
lint:
    ruff check trakt_plan tests benchmarks
    ruff format --check trakt_plan tests benchmarks
    mypy

test *ARGS:
    python -m pytest {{ARGS}}

# speed, memory and safety figures (about two minutes)
bench *SECTIONS:
    python benchmarks/run.py {{SECTIONS}}
