"""Units of scientific metadata, with pint: one registry, SI base values for comparison.

Search compares quantities in SI base units, so a condition in one unit matches values stored
in any compatible unit: 300 K matches 26.85 degC, 9 keV matches 9000 eV. Offset units (degC,
degF) convert with their offset (the registry turns them into kelvin before multiplying).

Two quantities are comparable when their SI base units are the same string (``si_unit``):
``kg * m ** 2 / s ** 2`` for eV, keV and J. Dimensionless quantities (percent, counts) have
the SI unit ``"1"``. Angles stay angles (pint keeps radians), so ``deg`` and ``mrad`` compare,
and ``rpm`` (radian per second) does not compare with ``Hz``.
"""

import functools
import math
import re
from dataclasses import dataclass

import pint
from django.utils.translation import gettext

MAX_UNIT_LENGTH = 64
DIMENSIONLESS = "1"

# What facilities write that pint spells differently. Applied before parsing.
_REPLACEMENTS = (
    ("°C", "degC"),
    ("℃", "degC"),
    ("°F", "degF"),
    ("°", "deg"),
    ("Å", "angstrom"),
    ("Å", "angstrom"),
    ("µ", "u"),
    ("μ", "u"),
    ("%", "percent"),
    ("‰", "permille"),
    ("²", "**2"),
    ("³", "**3"),
    ("⁻¹", "**-1"),
)
# SciCat/NeXus spellings pint lacks or reads otherwise. "h" is hour here (pint would also
# accept it as the Planck constant in some versions): "uA*h" is a proton charge.
_DEFINITIONS = (
    "hour = 60 * minute = h = hr",
    "counts = count",
    "cps = count / second",
    "Angstrom = angstrom",
    "angstroms = angstrom",
    "permille = 0.001 = ‰",
)


_OFFSET_ALONE = re.compile(r"\s*(degC|degF|degree_Celsius|degree_Fahrenheit|celsius|fahrenheit)\s*")
_OFFSET_IN_COMPOUND = re.compile(
    r"(?<![A-Za-z_])(degC|degF|degree_Celsius|degree_Fahrenheit|celsius|fahrenheit)(?![A-Za-z_])"
)


class UnitError(ValueError):
    """A unit that cannot be parsed; the message names it, for people."""


@functools.cache
def registry() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry(
        autoconvert_offset_to_baseunit=True,
        on_redefinition="ignore",
        preprocessors=[_preprocess],
    )
    for definition in _DEFINITIONS:
        ureg.define(definition)
    return ureg


def _preprocess(text: str) -> str:
    for old, new in _REPLACEMENTS:
        text = text.replace(old, new)
    # Spaces between units mean multiplication ("uA h"), as in UDUNITS.
    return re.sub(r"(?<=[A-Za-z0-9)])\s+(?=[A-Za-z(])", "*", text.strip())


@dataclass(frozen=True)
class SIValue:
    value: float
    unit: str  # SI base units, e.g. "K", "kg * m ** 2 / s ** 2", "1"


@functools.lru_cache(maxsize=4096)
def _parse(unit: str):
    if len(unit) > MAX_UNIT_LENGTH:
        raise UnitError(
            gettext("The unit %(unit)s… is too long.") % {"unit": repr(unit[:MAX_UNIT_LENGTH])}
        )
    ureg = registry()
    text = _preprocess(unit)
    if not _OFFSET_ALONE.fullmatch(text):
        # In a compound (degC/min) an offset unit is a temperature difference.
        text = _OFFSET_IN_COMPOUND.sub(lambda m: "delta_" + m.group(0), text)
    try:
        parsed = ureg.parse_expression(text)
    except Exception as exc:  # pint raises many kinds (UndefinedUnitError, tokenizer errors)
        raise UnitError(gettext("Unknown unit %(unit)s.") % {"unit": repr(unit)}) from exc
    if not isinstance(parsed, ureg.Quantity) and not isinstance(parsed, ureg.Unit):
        raise UnitError(gettext("%(unit)s is a number, not a unit.") % {"unit": repr(unit)})
    if isinstance(parsed, ureg.Quantity):
        magnitude = parsed.magnitude
        if isinstance(magnitude, bool) or not isinstance(magnitude, int | float):
            raise UnitError(gettext("Unknown unit %(unit)s.") % {"unit": repr(unit)})
        if magnitude != 1:
            raise UnitError(
                gettext("%(unit)s holds a number; give the unit alone.") % {"unit": repr(unit)}
            )
        return parsed.units
    return parsed


def parse_unit(unit: str):
    """The pint unit for a string, or UnitError naming the problem."""
    unit = (unit or "").strip()
    if not unit:
        raise UnitError(gettext("No unit given."))
    return _parse(unit)


def is_known_unit(unit: str) -> bool:
    try:
        parse_unit(unit)
    except UnitError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def si_unit(unit: str) -> str:
    """The SI base unit string of a unit (what comparable values share)."""
    ureg = registry()
    base = ureg.Quantity(1.0, parse_unit(unit)).to_base_units().units
    text = f"{base:~D}"
    return text or DIMENSIONLESS


@functools.lru_cache(maxsize=4096)
def _affine(unit: str) -> tuple[float, float, str] | None:
    """(scale, offset, SI unit) when converting is ``value * scale + offset`` (every unit
    but logarithmic ones): indexing a million datasets cannot afford pint per value."""
    ureg = registry()
    parsed = parse_unit(unit)

    def si(x: float) -> float:
        return float(ureg.Quantity(x, parsed).to_base_units().magnitude)

    offset = si(0.0)
    scale = si(1.0) - offset
    probe = si(1000.0)
    if not math.isclose(probe, 1000.0 * scale + offset, rel_tol=1e-9, abs_tol=1e-300):
        return None
    return scale, offset, si_unit(unit)


def to_si(value: float, unit: str) -> SIValue:
    """A value in SI base units; offset units convert with their offset (26.85 degC → 300 K)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number.")
    affine = _affine(unit)
    if affine is not None:
        scale, offset, base = affine
        return SIValue(value=value * scale + offset, unit=base)
    quantity = registry().Quantity(float(value), parse_unit(unit)).to_base_units()
    return SIValue(value=float(quantity.magnitude), unit=f"{quantity.units:~D}" or DIMENSIONLESS)


def try_to_si(value, unit: str) -> SIValue | None:
    """Like :func:`to_si`, but None for non-numbers, missing or unknown units."""
    if not unit:
        return None
    try:
        return to_si(value, unit)
    except (UnitError, ValueError, pint.errors.PintError, TypeError, OverflowError):
        return None


def describe_si_unit(si: str) -> str:
    """The SI unit for people: '1' reads as 'dimensionless'."""
    return "dimensionless" if si == DIMENSIONLESS else si
