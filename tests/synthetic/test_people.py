from __future__ import annotations

from smartborder.identity.names import detect_script
from smartborder.synthetic.people import PeopleGenerator


def test_same_seed_same_people() -> None:
    first = [p.model_dump() for p in PeopleGenerator(11, "CA").people(50)]
    second = [p.model_dump() for p in PeopleGenerator(11, "CA").people(50)]
    third = [p.model_dump() for p in PeopleGenerator(12, "CA").people(50)]
    assert first == second
    assert first != third


def test_people_are_varied_and_realistic() -> None:
    people = list(PeopleGenerator(3, "US").people(400))
    scripts = {detect_script(p.names[0].full_name) for p in people}
    assert {"Latn", "Cyrl", "Hani", "Arab"} <= scripts
    nationalities = [p.nationality for p in people]
    assert nationalities.count("USA") > len(people) * 0.2  # mostly the node's own nationals
    assert len(set(nationalities)) >= 15
    for person in people:
        if detect_script(person.names[0].full_name) != "Latn":
            assert person.names[1].name_type == "transliteration"
            assert detect_script(person.names[1].full_name) == "Latn"
        doc = person.documents[0]
        assert doc.issuer == person.nationality
        assert doc.issued_on is not None
        assert doc.issued_on < doc.expires_on
    assert any(len(p.birth_date) < 10 for p in people)  # some dates of birth are partial


def test_latin_names_look_like_passports_not_icao_codes() -> None:
    from smartborder.identity.names import detect_script
    from smartborder.screening.readings import passport_latin

    seen = 0
    for person in PeopleGenerator(5).people(400):
        if len(person.names) < 2:
            continue
        native, latin = person.names[0], person.names[1]
        assert latin.full_name.replace(" ", "").isascii()
        assert "XH" not in latin.full_name.upper()
        assert "XKH" not in latin.full_name.upper()
        if detect_script(native.full_name) == "Jpan" or person.nationality == "JPN":
            assert latin.surname == passport_latin(native.surname, "ja")
            seen += 1
    assert seen
