"""The plan language: :mod:`.model` (pydantic models, no I/O) and :mod:`.load` (YAML -> models).

Import the submodules directly; this package re-exports nothing so that importing
the models never pulls in the YAML parser.
"""
