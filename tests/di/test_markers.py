"""The `Depends` marker, in both of its forms."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Annotated

import pytest
from microapi_di import Container, Depends, DependsMarker, InvalidDependencyError


def one() -> int:
    return 1


def two() -> int:
    return 2


def test_marker_carries_dependency_and_cache_flag() -> None:
    marker = Depends(one, use_cache=False)
    assert isinstance(marker, DependsMarker)
    assert marker.dependency is one
    assert marker.use_cache is False
    assert Depends(one).use_cache is True
    assert repr(marker) == "Depends(one, use_cache=False)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        marker.use_cache = True  # type: ignore[misc]  # proving the marker is frozen


def test_default_and_annotated_forms_resolve_alike() -> None:
    def handler(a: int = Depends(one), b: Annotated[int, Depends(two)] = 0) -> int:
        return a * 10 + b

    container = Container()
    prepared = container.prepare(handler)

    async def main() -> int:
        async with container.app_scope() as app:
            return await app.run(prepared)

    assert asyncio.run(main()) == 12


def test_depends_in_both_places_is_refused_naming_the_parameter() -> None:
    def handler(a: Annotated[int, Depends(one)] = Depends(two)) -> int:
        return a

    container = Container()
    with pytest.raises(InvalidDependencyError, match=r"handler\(a\).*both"):
        container.prepare(handler)
    assert container.prepare(one).fn is one


def test_two_depends_in_annotated_metadata_are_refused() -> None:
    def handler(a: Annotated[int, Depends(one), Depends(two)]) -> int:
        return a

    container = Container()
    with pytest.raises(InvalidDependencyError, match=r"handler\(a\).*more than one Depends"):
        container.prepare(handler)
    assert container.prepare(one).fn is one
