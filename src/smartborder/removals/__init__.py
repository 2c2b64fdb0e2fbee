"""Joint removals: removal cases (a person, the order, the destination, escorts, the travel
document), joint operations (a flight to a destination with seats for each country), each
country proposing its removees under the removals annex, the organiser's acceptance, the
manifest, and the outcome per person."""
