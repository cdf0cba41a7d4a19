"""Call-centre staffing formulas: Erlang B, Erlang C (M/M/N) and Erlang A (M/M/N+M, Palm's
model with exponential patience, as in Garnett, Mandelbaum & Reiman 2002).

Pure functions, no database. Rates are per second, times in seconds. ``load`` is the offered
traffic in erlangs: arrival rate × average handle time. The formulas are in docs/WORKFORCE.md.

Why by hand: no library in the lock computes Erlang C or Erlang A (pyworkforce is not a
dependency), and the textbook forms with ``load**n / n!`` overflow a float past n ≈ 170. Here
Erlang B comes from its recurrence (every step a ratio between 0 and 1), Erlang C and A are
expressed through it, and the incomplete gamma of Erlang A is taken from scipy where its
regularised value is well away from zero and summed as a series (in ratios) where it is not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Largest number of agents the staffing search tries before giving up.
MAX_AGENTS = 5000


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of an M/M/N/N loss system (Erlang B), by the recurrence
    B(0) = 1, B(n) = a·B(n−1) / (n + a·B(n−1)): stable for any N, no factorials."""
    if agents < 0 or load < 0:
        raise ValueError("agents and load must be non-negative")
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = load * blocking / (n + load * blocking)
    return blocking


def erlang_c(agents: int, load: float) -> float:
    """Probability that a call waits in an M/M/N queue (Erlang C): N·B / (N − a·(1 − B)).
    1.0 when the agents cannot keep up (load ≥ agents)."""
    if agents <= 0 or load >= agents:
        return 1.0
    if load <= 0:
        return 0.0
    blocking = erlang_b(agents, load)
    return agents * blocking / (agents - load * (1.0 - blocking))


@dataclass(frozen=True)
class ErlangC:
    """Erlang C figures for one interval with a given number of agents."""

    agents: int
    load: float
    wait_probability: float
    service_level: float  # share of calls answered within the target time
    average_speed_of_answer: float  # seconds, over all calls
    occupancy: float


def erlang_c_figures(agents: int, rate: float, aht: float, answer_seconds: float) -> ErlangC:
    """Erlang C for ``rate`` calls a second, ``aht`` seconds of handling, ``agents`` agents:
    P(wait), service level P(answer ≤ t) = 1 − C·e^{−(N−a)t/AHT}, ASA = C·AHT/(N−a)."""
    load = rate * aht
    wait = erlang_c(agents, load)
    if agents <= load:
        return ErlangC(agents, load, 1.0, 0.0, math.inf, 1.0)
    spare = agents - load
    service_level = 1.0 - wait * math.exp(-spare * answer_seconds / aht)
    asa = wait * aht / spare
    return ErlangC(agents, load, wait, service_level, asa, load / agents)


# --- Erlang A ---------------------------------------------------------------------------------
def _log_series_a(x: float, z: float) -> float:
    """log A(x, z) for z < x + 1 by its series 1 + Σ_j z^j / ((x+1)…(x+j)): each term is the
    previous one times z/(x+j) < 1, so the sum converges without large intermediate values."""
    total, term, j = 1.0, 1.0, 0
    while True:
        j += 1
        term *= z / (x + j)
        total += term
        if term < 1e-17 * total:
            return math.log(total)


def log_a_function(x: float, z: float) -> float:
    """log A(x, z), where A(x, z) = x·e^z·z^(−x)·γ(x, z) = 1 + Σ_{j≥1} z^j / ∏_{i≤j}(x+i)
    and γ is the lower incomplete gamma function. Used by every Erlang A figure."""
    if z <= 0:
        return 0.0
    if z < x + 1:
        return _log_series_a(x, z)
    # Here z ≥ x + 1, so the regularised P(x, z) is above about 1/2 and its log is exact.
    from scipy.special import gammainc, gammaln

    return math.log(x) + z - x * math.log(z) + gammaln(x) + math.log(gammainc(x, z))


@dataclass(frozen=True)
class ErlangA:
    """Erlang A figures for one interval with a given number of agents."""

    agents: int
    load: float
    wait_probability: float  # P(W > 0): an arriving call finds every agent busy
    abandon_probability: float  # P(Ab): the caller hangs up before being answered
    service_level: float  # P(V ≤ t): the offered wait is within the target time
    average_wait: float  # E[W] in seconds, over all calls (served and abandoned)
    occupancy: float


def erlang_a_figures(
    agents: int, rate: float, aht: float, patience: float, answer_seconds: float
) -> ErlangA:
    """Erlang A (M/M/N+M) for ``rate`` calls a second, ``aht`` seconds of handling, callers
    who wait ``patience`` seconds on average before hanging up.

    With x = N·μ/θ, y = λ/θ, B = Erlang B(N, λ/μ) and A = A(x, y):
    P(W>0) = A·B / (1 + (A−1)·B); P(Ab | W>0) = 1/(ρA) + 1 − 1/ρ with ρ = λ/(Nμ);
    P(V>t) = P(W>0) · γ(x, y·e^{−θt}) / γ(x, y); E[W] = P(Ab)/θ.
    """
    if rate <= 0:
        return ErlangA(agents, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    load = rate * aht
    theta = 1.0 / patience
    mu = 1.0 / aht
    x = agents * mu / theta
    y = rate / theta
    if agents == 0:
        # Nobody answers: every caller abandons, waiting ``patience`` on average.
        return ErlangA(0, load, 1.0, 1.0, 0.0, patience, 1.0)
    blocking = erlang_b(agents, load)
    log_a = log_a_function(x, y)
    a_value = math.exp(log_a) if log_a < 700 else math.inf
    # A beyond a float's range means every arriving call waits (the queue is overloaded).
    wait = 1.0 if math.isinf(a_value) else a_value * blocking / (1.0 + (a_value - 1.0) * blocking)
    rho = rate / (agents * mu)
    abandon_given_wait = 1.0 / (rho * a_value) + 1.0 - 1.0 / rho
    abandon = min(1.0, max(0.0, abandon_given_wait * wait))
    # γ(x, y·q)/γ(x, y) with q = e^{−θt}, through A: γ(x, z) = z^x·e^{−z}·A(x, z)/x.
    q = math.exp(-theta * answer_seconds)
    z = y * q
    log_ratio = x * math.log(q) - z + y + log_a_function(x, z) - log_a
    late = wait * math.exp(min(0.0, log_ratio))
    # The carried load: served calls keep an agent busy for AHT each.
    occupancy = min(1.0, load * (1.0 - abandon) / agents)
    return ErlangA(agents, load, wait, abandon, 1.0 - late, abandon / theta, occupancy)


# --- staffing ---------------------------------------------------------------------------------
def agents_erlang_c(
    rate: float, aht: float, target: float, answer_seconds: float, *, max_occupancy: float = 1.0
) -> int:
    """The fewest agents whose Erlang C service level reaches ``target`` (e.g. 0.8 within
    20 s) with occupancy at most ``max_occupancy``. 0 when no calls arrive."""
    if rate <= 0:
        return 0
    load = rate * aht
    agents = max(1, math.floor(load) + 1)
    # Erlang B is carried forward one agent at a time (the same recurrence as erlang_b), so
    # the search costs O(N) in all instead of O(N) per candidate.
    blocking = erlang_b(agents, load)
    while agents <= MAX_AGENTS:
        wait = agents * blocking / (agents - load * (1.0 - blocking))
        spare = agents - load
        service_level = 1.0 - wait * math.exp(-spare * answer_seconds / aht)
        if service_level >= target and load / agents <= max_occupancy:
            return agents
        agents += 1
        blocking = load * blocking / (agents + load * blocking)
    raise ValueError("load beyond MAX_AGENTS")


def agents_erlang_a(
    rate: float, aht: float, patience: float, target: float, answer_seconds: float
) -> int:
    """The fewest agents whose Erlang A service level P(V ≤ t) reaches ``target``. Callers who
    hang up lighten the queue, so this is at most the Erlang C figure (and may be below the
    load: an overloaded queue with impatient callers is stable)."""
    if rate <= 0:
        return 0
    upper = agents_erlang_c(rate, aht, target, answer_seconds)
    # The service level grows with the agents: search down from the Erlang C answer.
    lo, hi = 0, upper
    while lo < hi:
        mid = (lo + hi) // 2
        if erlang_a_figures(mid, rate, aht, patience, answer_seconds).service_level >= target:
            hi = mid
        else:
            lo = mid + 1
    return hi
