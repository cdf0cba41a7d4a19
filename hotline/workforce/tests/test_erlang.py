"""The staffing formulas against published figures and independent computations.

Check values come from (1) the Erlang B table every traffic-engineering text prints (1 %
blocking: 10 circuits carry 4.461 erlangs, 100 circuits 84.06 erlangs), (2) the textbook
M/M/10 example with an offered load of 6 erlangs whose probability of waiting the Erlang C curve
gives as "about 0.10", (3) the textbook sum-of-factorials form of Erlang C evaluated exactly in
rational arithmetic (Python's Fraction, no rounding at all) — a different computation from the
recurrence the code uses — up to 300 agents, and (4) for Erlang A, the stationary distribution
of the M/M/N+M birth-death chain solved numerically and the offered wait computed by a matrix
exponential of the queue's pure-death chain, which shares nothing with the incomplete-gamma
closed forms.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.workforce import erlang


def exact_erlang_c(n: int, a: Fraction) -> Fraction:
    """Erlang C as textbooks print it:
    (a^n/n! · n/(n−a)) / (Σ_{k<n} a^k/k! + a^n/n! · n/(n−a))."""
    top = a**n / math.factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


# --- Erlang B ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("circuits", "erlangs"), [(10, 4.461), (100, 84.06)])
def test_erlang_b_matches_the_one_percent_table(circuits, erlangs):
    assert erlang.erlang_b(circuits, erlangs) == pytest.approx(0.01, abs=2e-4)


def test_erlang_b_small_cases_by_hand():
    assert erlang.erlang_b(0, 3.0) == 1.0
    assert erlang.erlang_b(1, 1.0) == pytest.approx(0.5)  # a/(1+a)
    # B(2, 2) = (2²/2!)/(1 + 2 + 2²/2!) = 2/5
    assert erlang.erlang_b(2, 2.0) == pytest.approx(0.4)


def test_erlang_b_refuses_negative_input():
    with pytest.raises(ValueError):
        erlang.erlang_b(-1, 2.0)


# --- Erlang C ---------------------------------------------------------------------------------
def test_erlang_c_textbook_mm10_example():
    # λ = 2/min, mean service 3 min, 10 servers: "probability of waiting is about 0.10".
    assert erlang.erlang_c(10, 6.0) == pytest.approx(0.10, abs=0.005)


@pytest.mark.parametrize(
    ("agents", "load"),
    [
        (2, Fraction(1)),
        (11, Fraction(10)),
        (14, Fraction(10)),
        (60, Fraction(523, 10)),
        (300, Fraction(2853, 10)),
        (320, Fraction(2853, 10)),
    ],
)
def test_erlang_c_equals_the_exact_factorial_form(agents, load):
    assert erlang.erlang_c(agents, float(load)) == pytest.approx(
        float(exact_erlang_c(agents, load)), rel=1e-9
    )


def test_erlang_c_is_one_when_agents_cannot_keep_up_and_zero_without_calls():
    assert erlang.erlang_c(10, 10.0) == 1.0
    assert erlang.erlang_c(10, 12.0) == 1.0
    assert erlang.erlang_c(10, 0.0) == 0.0


def test_no_overflow_at_hundreds_and_thousands_of_agents():
    for agents, load in ((300, 290.0), (1000, 975.0), (3000, 2950.0)):
        c = erlang.erlang_c(agents, load)
        assert 0.0 < c < 1.0 and math.isfinite(c)
        a = erlang.erlang_a_figures(agents, load / 300, 300, 120, 20)
        assert 0.0 <= a.abandon_probability <= 1.0 and 0.0 <= a.service_level <= 1.0


def test_service_level_and_asa_of_the_ten_erlang_example():
    # 100 calls in 30 minutes, 180 s handle time: 10 erlangs. With 12 agents P(wait) is 0.4494
    # (exact form above), SL(20 s) = 1 − 0.4494·e^{−2·20/180}, ASA = 0.4494·180/2.
    figures = erlang.erlang_c_figures(12, 100 / 1800, 180, 20)
    wait = float(exact_erlang_c(12, Fraction(10)))
    assert figures.wait_probability == pytest.approx(wait, rel=1e-9)
    assert figures.service_level == pytest.approx(1 - wait * math.exp(-40 / 180), rel=1e-9)
    assert figures.average_speed_of_answer == pytest.approx(wait * 90, rel=1e-9)
    assert figures.occupancy == pytest.approx(10 / 12)


def test_agents_needed_is_the_smallest_that_meets_the_target():
    rate, aht = 100 / 1800, 180
    n = erlang.agents_erlang_c(rate, aht, 0.8, 20)
    assert n == 14
    assert erlang.erlang_c_figures(n, rate, aht, 20).service_level >= 0.8
    assert erlang.erlang_c_figures(n - 1, rate, aht, 20).service_level < 0.8
    assert erlang.agents_erlang_c(0, aht, 0.8, 20) == 0


def test_occupancy_cap_adds_agents():
    rate, aht = 600 / 900, 300  # 200 erlangs
    plain = erlang.agents_erlang_c(rate, aht, 0.8, 20)
    capped = erlang.agents_erlang_c(rate, aht, 0.8, 20, max_occupancy=0.85)
    assert capped >= math.ceil(200 / 0.85) > plain


@settings(max_examples=60, deadline=None)
@given(
    agents=st.integers(min_value=1, max_value=400),
    load=st.floats(min_value=0.01, max_value=399.0, allow_nan=False),
)
def test_erlang_c_is_a_probability_that_falls_with_more_agents(agents, load):
    c = erlang.erlang_c(agents, load)
    assert 0.0 <= c <= 1.0
    assert erlang.erlang_c(agents + 1, load) <= c + 1e-12
    # Erlang C is never below Erlang B: C = B / (1 − ρ(1 − B)).
    assert c >= erlang.erlang_b(agents, load) - 1e-12


# --- Erlang A ---------------------------------------------------------------------------------
def chain_figures(agents: int, rate: float, aht: float, patience: float, t: float):
    """Independent Erlang A: the birth-death chain's stationary law (truncated far out) and
    P(V > t) by the matrix exponential of the pure-death chain of the callers ahead."""
    from scipy.linalg import expm

    mu, theta = 1 / aht, 1 / patience
    size = agents + 400
    log_pi = np.zeros(size + 1)
    for k in range(1, size + 1):
        death = min(k, agents) * mu + max(0, k - agents) * theta
        log_pi[k] = log_pi[k - 1] + math.log(rate / death)
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    waiting = pi[agents:].sum()
    queue = sum((k - agents) * pi[k] for k in range(agents, size + 1))
    abandon = theta * queue / rate
    # With j callers ahead (the arrival saw N + j), the queue ahead empties at rate Nμ + iθ
    # when i are ahead; V > t while fewer than j + 1 have left. States 0..J of "ahead + 1".
    depth = 200
    gen = np.zeros((depth + 2, depth + 2))
    for i in range(depth + 1):
        out = agents * mu + i * theta
        gen[i + 1, i] = out
        gen[i + 1, i + 1] = -out
    trans = expm(gen * t)
    late = sum(pi[agents + j] * (1.0 - trans[j + 1, 0]) for j in range(depth))
    return waiting, abandon, late


@pytest.mark.parametrize(
    ("agents", "calls_per_hour", "aht", "patience"),
    [(12, 200, 180, 120), (30, 650, 240, 60), (50, 900, 200, 300), (8, 200, 180, 90)],
)
def test_erlang_a_agrees_with_the_birth_death_chain(agents, calls_per_hour, aht, patience):
    rate = calls_per_hour / 3600
    figures = erlang.erlang_a_figures(agents, rate, aht, patience, 20)
    waiting, abandon, late = chain_figures(agents, rate, aht, patience, 20)
    assert figures.wait_probability == pytest.approx(waiting, rel=1e-6)
    assert figures.abandon_probability == pytest.approx(abandon, rel=1e-6)
    assert 1 - figures.service_level == pytest.approx(late, rel=1e-5)
    assert figures.average_wait == pytest.approx(abandon * patience, rel=1e-6)


def test_erlang_a_tends_to_erlang_c_as_callers_never_hang_up():
    a = erlang.erlang_a_figures(12, 100 / 1800, 180, 1e9, 20)
    c = erlang.erlang_c_figures(12, 100 / 1800, 180, 20)
    assert a.wait_probability == pytest.approx(c.wait_probability, rel=1e-5)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
    assert a.abandon_probability < 1e-6


def test_erlang_a_needs_no_more_than_erlang_c_and_is_stable_when_overloaded():
    rate, aht = 7.0, 300  # 2,100 erlangs: a whole province's peak
    need_c = erlang.agents_erlang_c(rate, aht, 0.8, 20)
    need_a = erlang.agents_erlang_a(rate, aht, 120, 0.8, 20)
    assert need_a <= need_c
    assert erlang.erlang_a_figures(need_a, rate, aht, 120, 20).service_level >= 0.8
    assert erlang.erlang_a_figures(need_a - 1, rate, aht, 120, 20).service_level < 0.8
    # Fewer agents than the load is still a steady state: callers hang up instead.
    overloaded = erlang.erlang_a_figures(1500, rate, aht, 120, 20)
    assert 0.2 < overloaded.abandon_probability < 1.0


def test_erlang_a_edge_cases():
    none = erlang.erlang_a_figures(5, 0.0, 300, 120, 20)
    assert none.service_level == 1.0 and none.abandon_probability == 0.0
    nobody = erlang.erlang_a_figures(0, 0.1, 300, 120, 20)
    assert nobody.abandon_probability == 1.0 and nobody.service_level == 0.0
    assert erlang.agents_erlang_a(0.0, 300, 120, 0.8, 20) == 0
