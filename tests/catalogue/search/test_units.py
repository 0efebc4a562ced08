"""Units with pint: every unit the demo uses parses, offsets convert, SI strings compare."""

import pytest

from catalogue.demo import recipes
from catalogue.scimeta import scientific_entries
from catalogue.search import units


@pytest.mark.parametrize(
    ("value", "unit", "si_value", "si_unit"),
    [
        (300, "K", 300.0, "K"),
        (26.85, "degC", 300.0, "K"),  # offset unit: +273.15, not a factor
        (-173.15, "degC", 100.0, "K"),
        (80.33, "degF", 300.0, "K"),
        (26.85, "°C", 300.0, "K"),
        (9, "keV", 9000 * 1.602176634e-19, "kg * m ** 2 / s ** 2"),
        (9000, "eV", 9000 * 1.602176634e-19, "kg * m ** 2 / s ** 2"),
        (3.27, "meV", 3.27e-3 * 1.602176634e-19, "kg * m ** 2 / s ** 2"),
        (250, "mm", 0.25, "m"),
        (1.5, "angstrom", 1.5e-10, "m"),
        (1.5, "Å", 1.5e-10, "m"),
        (0.05, "1/angstrom", 5e8, "1 / m"),
        (50, "um", 5e-5, "m"),
        (50, "µm", 5e-5, "m"),
        (5, "bar", 5e5, "kg / m / s ** 2"),
        (500, "kPa", 5e5, "kg / m / s ** 2"),
        (2, "GPa", 2e9, "kg / m / s ** 2"),
        (42, "percent", 0.42, "1"),
        (42, "%", 0.42, "1"),
        (5, "mg/mL", 5.0, "kg / m ** 3"),
        (60, "rpm", 2 * 3.141592653589793, "rad / s"),
        (180, "deg", 3.141592653589793, "rad"),
        (750, "Hz", 750.0, "1 / s"),
        (1e12, "1/s", 1e12, "1 / s"),
        (2, "h", 7200.0, "s"),  # hour, not the Planck constant
        (20, "uA*h", 0.072, "A * s"),
        (20, "uA h", 0.072, "A * s"),
        (10, "ms", 0.01, "s"),
        (0.5, "T", 0.5, "kg / A / s ** 2"),
        (2, "g", 0.002, "kg"),
        (10, "N", 10.0, "kg * m / s ** 2"),
        (6, "degC/min", 0.1, "K / s"),  # in a compound, degC is a temperature difference
    ],
)
def test_to_si(value, unit, si_value, si_unit):
    si = units.to_si(value, unit)
    assert si.value == pytest.approx(si_value, rel=1e-9)
    assert si.unit == si_unit
    assert units.si_unit(unit) == si_unit


def test_every_demo_unit_parses():
    """The demo catalogue mixes units on purpose; each must convert (no silent gaps)."""
    import random

    seen = set()
    for make in recipes.RECIPES.values():
        for seed in range(12):
            for entry in scientific_entries(make(random.Random(seed))):
                if entry.unit:
                    seen.add(entry.unit)
                    assert units.is_known_unit(entry.unit), entry.unit
    wanted = {"K", "degC", "eV", "keV", "meV", "mm", "m", "bar", "kPa", "GPa", "angstrom",
              "1/angstrom", "um", "uA*h", "percent", "mg/mL", "rpm", "deg", "1/s",
              "Hz"}  # fmt: skip
    assert wanted <= seen


def test_same_quantity_same_si_value():
    assert units.to_si(9, "keV") == units.to_si(9000, "eV")
    assert units.to_si(300, "K").value == pytest.approx(units.to_si(26.85, "degC").value)


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        ("kelvinz", "Unknown unit 'kelvinz'"),
        ("10 K", "holds a number"),
        ("3", "holds a number"),
        ("", "No unit given"),
        ("K" * 70, "too long"),
        ("K)(", "Unknown unit"),
    ],
)
def test_bad_units_raise_unit_error(unit, message):
    with pytest.raises(units.UnitError, match=message.replace("(", r"\(")):
        units.to_si(1, unit)
    assert units.try_to_si(1, unit) is None


def test_non_numbers_are_not_converted():
    assert units.try_to_si("hot", "K") is None
    assert units.try_to_si(True, "K") is None
    assert units.try_to_si(float("nan"), "K") is None
