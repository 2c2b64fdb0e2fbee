"""Queueing theory for checking the simulator: the M/M/c queue (Poisson arrivals, exponential
service, c servers), whose mean wait in queue is known in closed form (Erlang's C formula)."""

from __future__ import annotations


def erlang_c(servers: int, offered: float) -> float:
    """Probability that an arrival waits, for ``offered`` = arrival rate / service rate."""
    if offered >= servers:
        raise ValueError(f"unstable queue: offered load {offered} >= {servers} servers")
    term = 1.0
    total = 1.0
    for k in range(1, servers):
        term *= offered / k
        total += term
    top = term * offered / servers * servers / (servers - offered)
    return top / (total + top)


def mmc_mean_wait(arrival_rate: float, mean_service: float, servers: int) -> float:
    """Mean time in queue (same unit as ``mean_service``) of an M/M/c queue."""
    offered = arrival_rate * mean_service
    return erlang_c(servers, offered) * mean_service / (servers - offered)
