"""Shared pieces of the property-based tests: the hypothesis settings, the text strategies that
people and files throw at the parsers, the "clear error" check and the count of inputs tried."""

import os
from collections import Counter
from collections.abc import Iterator, Mapping

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from bot.i18n import Catalogs

# CI (.ci/run sets THIDUA_REQUIRE_POSTGRES) tries the same inputs every run, so a red build can be
# replayed; locally every run explores new ones. No example database: nothing is written to the
# working tree, and a failure prints the input to turn into an @example.
_IN_CI = os.environ.get("THIDUA_REQUIRE_POSTGRES") == "1"
# A longer hunt multiplies every property's examples: THIDUA_PROPERTY_SCALE=20 pytest tests/...
_SCALE = max(1, int(os.environ.get("THIDUA_PROPERTY_SCALE") or "1"))
STRING_PARSERS = settings(
    max_examples=250 * _SCALE,
    deadline=None,
    derandomize=_IN_CI,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FILE_IMPORTS = settings(
    max_examples=60 * _SCALE,
    deadline=None,
    derandomize=_IN_CI,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

_VI = Catalogs().get("vi")

# Characters of numbers as phones type them, with the look-alikes that trip `int()`: superscript
# and Arabic-Indic digits, full-width digits, a no-break space.
NUMBER_CHARS = "0123456789.,%-+ eE²³٣٤０１\u00a0\t"
_LONG_UNITS = ["9", "1.000", ",5", "a", "ừ", "😀", "\x00", " ", "-", "%", "²"]

numbery = st.text(alphabet=NUMBER_CHARS, max_size=30)
long_text = st.builds(
    lambda unit, count: unit * count, st.sampled_from(_LONG_UNITS), st.integers(200, 2500)
)
# Any text: unicode with control characters and emoji, number-like text, and very long strings.
any_text = st.one_of(st.text(max_size=60), numbery, long_text)


def assert_clear(message: str, params: Mapping[str, object] | None = None) -> str:
    """The error reads as a sentence in English and in Vietnamese, with every parameter filled."""
    params = params or {}
    assert message.strip(), "an empty error message"
    assert message.format(**params).strip()
    vietnamese = _VI(message, **params)
    assert _VI(message) != message, f"no Vietnamese translation for {message!r}"
    assert vietnamese.strip()
    return vietnamese


class InputCounter:
    """How many inputs each property fed its parser, printed when the module's tests end."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def tried(self, name: str) -> None:
        self.counts[name] += 1

    def summary(self, what: str) -> str:
        total = sum(self.counts.values())
        return f"{what}: {total} inputs tried across {len(self.counts)} parsers"


def report_counts(
    counter: InputCounter, what: str, config: pytest.Config
) -> Iterator[InputCounter]:
    """Yield the counter to a module fixture, then print its summary line (quoted in the docs)."""
    yield counter
    lines = [counter.summary(what)]
    lines += [f"  {name}: {count}" for name, count in sorted(counter.counts.items())]
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print("\n".join(lines))
        return
    with capture.global_and_fixture_disabled():  # shown even when the tests pass
        reporter.write_line("")
        for line in lines:
            reporter.write_line(line)
