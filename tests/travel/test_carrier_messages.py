"""Messages as carriers send them, one defect each, written for these tests: repeated TIFs,
several RCIs, infants on a lap, glued titles, groups, codeshare TVLs, through flights,
legacy character sets, wrapped lines, loose trailers; and input shaped to cost quadratic
time or unbounded memory."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from smartborder.travel.intake.edifact import MAX_PROBLEMS
from smartborder.travel.intake.parser import Outcome, parse

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 11, 21)
CARRIER = (DATA / "pnrgov_carrier.edi").read_bytes()
THROUGH = (DATA / "paxlst_through.edi").read_bytes()
PAXLST = (DATA / "paxlst_d05b.edi").read_bytes()


def reservations(outcome: Outcome) -> dict[str, object]:
    [message] = outcome.messages
    return {r.locator: r for r in message.reservations}


def people(outcome: Outcome) -> dict[str, object]:
    return {f"{t.surname}/{t.given_names}": t for t in outcome.messages[0].everyone()}


def test_a_tif_repeated_in_the_itinerary_is_the_same_traveller() -> None:
    outcome = parse(CARRIER, today=TODAY)
    doe = reservations(outcome)["ABC123"]
    assert [f"{t.surname}/{t.given_names}" for t in doe.travellers] == ["DOE/JANE"]
    assert doe.travellers[0].seat == "12A"  # the SSD after TRI + the repeated TIF
    assert len(doe.itinerary) == 3
    [misspelt] = [p for p in outcome.warnings if "DOW/JANE" in p.text]
    assert (misspelt.tag, misspelt.element, misspelt.line) == ("TIF", "2.1", 22)
    assert "DOE/JANE" in misspelt.text


def test_the_record_locator_is_the_first_rci_others_are_kept() -> None:
    doe = reservations(parse(CARRIER, today=TODAY))["ABC123"]
    assert doe.carrier == "XX"
    # the RCI's repeat, the codeshare's own locator in the segment, the split-off PNR
    assert doe.locators == ["1A:GDS777", "LH:LHX999", "XX:SPL456"]
    assert doe.created == "2026-11-01T10:15"  # HHMMSS read, to the minute


def test_an_unreadable_creation_time_is_a_located_warning() -> None:
    outcome = parse(CARRIER, today=TODAY)
    assert reservations(outcome)["NOT999"].created is None
    [bad] = [p for p in outcome.warnings if "011326" in p.text]
    assert (bad.tag, bad.element) == ("RCI", "1.4")


def test_an_infants_docs_belongs_to_the_infant_not_the_adult() -> None:
    found = people(parse(CARRIER, today=TODAY))
    john, rose = found["SMITH/JOHN"], found["SMITH/ROSE"]
    assert (john.birth_date, john.sex) == ("1980-05-05", "M")
    assert [d.number for d in john.documents] == ["111111111"]
    assert (rose.birth_date, rose.sex, rose.reservation) == ("2026-06-10", "F", "FAM001")
    assert [d.number for d in rose.documents] == ["222222222"]


def test_the_infant_first_or_with_a_tif_of_its_own() -> None:
    text = CARRIER.decode()
    infant = "SSR+DOCS:HK:1:XX:::::/P/USA/222222222/USA/10JUN26/FI/01JAN31/SMITH/ROSE'\n"
    adult = "SSR+DOCS:HK:1:XX:::::/P/USA/111111111/USA/05MAY80/M/01JAN30/SMITH/JOHN'\n"
    swapped = text.replace(adult + infant, infant + adult)
    assert swapped != text
    found = people(parse(swapped.encode(), today=TODAY))
    assert found["SMITH/JOHN"].documents[0].number == "111111111"
    assert found["SMITH/ROSE"].documents[0].number == "222222222"
    own_tif = text.replace(infant, "TIF+SMITH:I+ROSE:IN:9'\n" + infant).replace(
        "UNT+50+1'", "UNT+51+1'"
    )
    outcome = parse(own_tif.encode(), today=TODAY)
    assert sum(1 for t in outcome.messages[0].everyone() if t.given_names == "ROSE") == 1
    assert people(outcome)["SMITH/ROSE"].documents[0].number == "222222222"


def test_glued_titles_are_split_off_names_that_end_like_titles_are_not() -> None:
    names = set(people(parse(CARRIER, today=TODAY)))
    assert {"SMITH/JOHN", "SMITH/MOLLY"} <= names  # JOHNMR, MOLLYMRS
    assert "IVANOV/ALEKSANDR" in names  # ends in DR, and its DOCS says so
    assert "HOUSE/GREGORY" in names  # GREGORYDR: its DOCS shows DR is a title
    assert "HASSAN/AMR" in names  # too short to hold a title


def test_glued_title_without_evidence() -> None:
    text = CARRIER.decode().replace("TIF+HASSAN:I+AMR:A:5'", "TIF+HASSAN:I+MARCUSMR:A:5'")
    text = text.replace(
        "TIF+HOUSE:I+GREGORYDR:A:4'\nSSR+DOCS:HK:1:XX:::::/P/USA/555555555/USA/11JUN59/M/"
        "01JAN30/HOUSE/GREGORY'",
        "TIF+HOUSE:I+WILLIAMS:A:4'\nSSR+DOCS:HK:1:XX:::::/P/USA/555555555/USA/11JUN59/M/"
        "01JAN30/HOUSE/WILLIAMS'",
    )
    names = set(people(parse(text.encode(), today=TODAY)))
    assert "HASSAN/MARCUS" in names
    assert "HOUSE/WILLIAMS" in names


def test_a_group_name_is_the_group_not_a_person() -> None:
    outcome = parse(CARRIER, today=TODAY)
    group = reservations(outcome)["GRP042"]
    assert group.group == "ACME TEAM PARTY"
    assert [t.surname for t in group.travellers] == ["LEROY", "LEROY"]


def test_an_operating_flight_tvl_annotates_the_marketing_segment() -> None:
    outcome = parse(CARRIER, today=TODAY)
    family = reservations(outcome)["FAM001"]
    [segment] = family.itinerary  # not a second, empty leg
    assert (segment.carrier, segment.number, segment.operating) == ("LH", "6801", "XX123")
    assert outcome.messages[0].flight.codeshares == ["LH6801"]


def test_a_document_without_a_type_keeps_the_type_unknown() -> None:
    eve = people(parse(CARRIER, today=TODAY))["BLANC/EVE"]
    assert [(d.type, d.number) for d in eve.documents] == [("", "888888888")]
    outcome = parse(THROUGH, today=TODAY)
    [doc] = outcome.messages[0].travellers[0].documents
    assert (doc.type, doc.number) == ("", "C01X00T47")
    assert any(p.tag == "DOC" and "unknown" in p.text for p in outcome.warnings)


def test_carrier_message_counts() -> None:
    outcome = parse(CARRIER, today=TODAY)
    assert outcome.travellers() == 10
    assert len(outcome.messages[0].reservations) == 4
    assert [p.tag for p in outcome.problems] == ["TIF", "RCI"]


def test_several_tdts_file_the_flight_crossing_into_the_reporting_country() -> None:
    outcome = parse(THROUGH, today=TODAY)
    [message] = outcome.messages
    assert message.flight.designator == "XX100"
    assert [(leg.origin, leg.destination) for leg in message.flight.legs] == [("FRA", "YUL")]
    assert message.flight.date == "2026-11-22"
    assert [(b.carrier + b.number, b.origin, b.destination) for b in message.itinerary] == [
        ("XX200", "LHR", "FRA"),
        ("XX100", "YUL", "YVR"),
    ]


def test_no_leg_from_a_place_to_itself() -> None:
    text = (
        PAXLST.decode()
        .replace("LOC+87+CDG'", "LOC+92+CDG'\nLOC+87+CDG'")
        .replace("UNT+40+PAX001'", "UNT+41+PAX001'")
    )
    [message] = parse(text.encode(), today=TODAY).messages
    assert all(leg.origin != leg.destination for leg in message.flight.legs)
    assert [(leg.origin, leg.destination) for leg in message.flight.legs] == [("YUL", "CDG")]


@pytest.mark.parametrize(
    ("ending", "warning"),
    [
        ("UNZ+1+000000001", "no segment terminator"),
        ("UNZ+1+000000001'\nEND OF TRANSMISSION\n", "after the interchange's UNZ"),
        ("UNZ+1+000000001'\x1a", "after the interchange's UNZ"),
    ],
)
def test_a_complete_interchange_with_a_loose_trailer(ending: str, warning: str) -> None:
    text = PAXLST.decode().replace("UNZ+1+000000001'\n", ending)
    lenient = parse(text.encode(), today=TODAY)
    assert not lenient.failed
    assert len(lenient.messages[0].travellers) == 3
    assert any(warning in p.text for p in lenient.warnings), lenient.problems
    strict = parse(text.encode(), today=TODAY, strict=True)
    assert strict.failed
    assert any(warning in p.text for p in strict.errors)


def test_a_second_interchange_after_unz_is_still_read() -> None:
    outcome = parse(PAXLST + PAXLST, today=TODAY)
    assert len(outcome.messages) == 2


def test_declared_legacy_character_sets_and_windows_1252() -> None:
    text = PAXLST.decode()
    cyrillic = (
        text.replace("UNOA:4", "UNOE:4").replace("DUPUIS:LUC", "ПЕТРОВ:ЛУКА").encode("iso8859_5")
    )
    outcome = parse(cyrillic, today=TODAY)
    assert outcome.messages[0].travellers[2].surname == "ПЕТРОВ"
    assert any("ISO8859 5" in p.text and "UNOE" in p.text for p in outcome.warnings)
    latin = text.replace("UNOA:4", "UNOC:4").replace("DUPUIS:LUC", "D\u2019ARCY:CHLOÉ")
    outcome = parse(latin.encode("cp1252"), today=TODAY)
    crew = outcome.messages[0].travellers[2]
    assert (crew.surname, crew.given_names) == ("D\u2019ARCY", "CHLOÉ")
    everything = str(outcome.as_dict())
    assert not re.search("[\x80-\x9f]", everything)
    assert any("Windows-1252" in p.text for p in outcome.warnings)
    # UTF-8 text that carries C1 code points (Windows-1252 read as Latin-1, then re-encoded)
    outcome = parse(text.replace("DUPUIS", "D\x92ARCY").encode(), today=TODAY)
    assert outcome.messages[0].travellers[2].surname == "D\u2019ARCY"


def test_crlf_line_ends_and_segments_wrapped_across_lines() -> None:
    flat = PAXLST.decode().replace("\n", "")
    wrapped = "\r\n".join(flat[k : k + 64] for k in range(0, len(flat), 64)) + "\r\n"
    outcome = parse(wrapped.encode(), today=TODAY)
    assert outcome.problems == []
    assert outcome.messages == parse(PAXLST, today=TODAY).messages


def test_a_space_after_an_optional_tag_is_a_warning() -> None:
    text = PAXLST.decode().replace("UNG+PAXLST", "UNG +PAXLST")
    outcome = parse(text.encode(), today=TODAY)
    assert not outcome.failed
    [space] = outcome.warnings
    assert (space.tag, space.line) == ("UNG", 3)
    assert parse(text.encode(), today=TODAY, strict=True).failed


def test_newline_as_segment_terminator_reports_the_right_line() -> None:
    text = PAXLST.decode().replace("UNA:+.? '\n", "UNA:+.? \n").replace("'\n", "\n")
    text = text.replace("NAT+2+FRA", "NAT+2+QQQ")
    outcome = parse(text.encode(), today=TODAY)
    [bad] = outcome.warnings
    lines = text.splitlines()
    assert lines[bad.line - 1] == "NAT+2+QQQ"
    assert len(outcome.messages[0].travellers) == 3


def test_release_character_runs_are_read_in_one_pass() -> None:
    """Each ``??`` is one released ``?``: 2 MB of them took 24 s when each release searched
    ahead for the next terminator."""
    run = "??" * 1_000_000
    text = PAXLST.decode().replace("NAD+FL+++O?'BRIEN:MARY ANNE", f"NAD+FL+++O{run}BRIEN:MARY")
    outcome = parse(text.encode(), today=TODAY)
    mary = outcome.messages[0].travellers[0]
    assert mary.surname == "O" + "?" * 1_000_000 + "BRIEN"
    assert mary.given_names == "MARY"


def test_empty_segment_runs_are_one_problem() -> None:
    text = PAXLST.decode().replace("BGM+745'", "BGM+745'" + "'" * 200_000)
    outcome = parse(text.encode(), today=TODAY)
    [empty] = outcome.warnings
    assert "200,000 empty segments" in empty.text
    assert empty.line == 5
    assert len(outcome.messages[0].travellers) == 3


def test_problems_are_capped_with_a_count_of_the_rest() -> None:
    bad = "NAT+2+QQQ'" * 5_000
    text = PAXLST.decode().replace("NAT+2+FRA'", "NAT+2+FRA'" + bad)
    outcome = parse(text.encode(), today=TODAY)
    assert len(outcome.problems) == MAX_PROBLEMS + 1
    last = outcome.problems[-1]
    assert last.severity == "warning"
    assert "more problems not shown" in last.text
    assert f"{5_000 + 1 - MAX_PROBLEMS:,}" in last.text  # UNT's count is wrong too
    strict = parse(text.encode(), today=TODAY, strict=True)
    assert strict.failed
    assert strict.problems[-1].severity == "error"


def test_an_unreadable_interchange_date_is_a_located_warning() -> None:
    outcome = parse(PAXLST.replace(b"261121:1300", b"261321:1300"), today=TODAY)
    assert outcome.envelope.prepared is None
    [bad] = outcome.warnings
    assert (bad.tag, bad.element, bad.line) == ("UNB", "4.1", 2)


def test_pnrgov_10_and_an_infant_tif_sharing_its_adults_number() -> None:
    text = CARRIER.decode().replace("PNRGOV:11:1:IA", "PNRGOV:10:1:IA")
    infant = "SSR+DOCS:HK:1:XX:::::/P/USA/222222222/USA/10JUN26/FI/01JAN31/SMITH/ROSE'\n"
    seat = "SSR+SEAT:HK:1:XX+14C::1'\n"
    text = text.replace(infant, "TIF+SMITH:I+ROSE:IN:1'\n" + infant + seat)
    text = text.replace("UNT+50+1'", "UNT+52+1'")
    outcome = parse(text.encode(), today=TODAY)
    assert [p.tag for p in outcome.problems] == ["TIF", "RCI"]  # 10.1 is read, as 11.1 is
    found = people(outcome)
    assert found["SMITH/ROSE"].documents[0].number == "222222222"
    assert found["SMITH/ROSE"].seat is None
    assert found["SMITH/JOHN"].seat == "14C"  # reference 1 stays the adult's


def test_airimp_names_as_the_guide_shows_them() -> None:
    """The guide's own TIFs: no name qualifier, a glued title, an infant without a seat, a
    group; and a family in one TIF (the guide says one name a TIF; some send several). TRI
    gives the reference number in element 2, component 4."""
    text = (
        CARRIER.decode()
        .replace(
            "TIF+BLANC:I+EVE:A:1'\n",
            "TIF+JONES+JOHNMR:A:1'\nTIF+RUITER+MISTY:IN'\nTIF+SEETHE WORLD:G'\n"
            "TIF+BLANC+EVE:A:2+PAULMSTR:C:3'\n",
        )
        .replace("UNT+50+1'", "UNT+53+1'")
    )
    text = text.replace(
        "TRI++1'\nTIF+DOE:I+JANE MS:A:1'\nSSD+12A'", "TRI++7:::1'\nTIF+DOE:I+JANE:A'\nSSD+12A'"
    )
    outcome = parse(text.encode(), today=TODAY)
    booking = reservations(outcome)["NOT999"]
    assert [f"{t.surname}/{t.given_names}" for t in booking.travellers] == [
        "JONES/JOHN",
        "RUITER/MISTY",
        "BLANC/EVE",
        "BLANC/PAUL",
    ]
    assert booking.group == "SEETHE WORLD"
    assert booking.travellers[2].documents[0].number == "888888888"  # DOCS names EVE
    assert reservations(outcome)["ABC123"].travellers[0].seat == "12A"
    assert [p.tag for p in outcome.problems] == ["TIF", "RCI"]


def test_a_reservation_without_rci_is_a_warning_not_a_silent_loss() -> None:
    text = CARRIER.decode().replace("RCI+XX:GRP042::031126:1200'\n", "")
    outcome = parse(text.encode(), today=TODAY)
    assert "GRP042" not in reservations(outcome)
    [lost] = [p for p in outcome.warnings if "without RCI" in p.text]
    assert lost.tag == "SRC"
    assert "its 2 traveller(s) left out" in lost.text


def test_given_names_run_together_are_spaced_as_ssr_docs_gives_them() -> None:
    """AIRIMP writes a traveller's given names as one word (EVEMARIEMRS); SSR DOCS gives the
    given and middle names apart."""
    text = CARRIER.decode().replace("TIF+BLANC:I+EVE:A:1'", "TIF+BLANC+EVEMARIEMRS:A:1'")
    text = text.replace("/BLANC/EVE'", "/BLANC/EVE/MARIE'")
    outcome = parse(text.encode(), today=TODAY)
    eve = people(outcome)["BLANC/EVE MARIE"]
    assert [d.number for d in eve.documents] == ["888888888"]
