from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sinergi.identity.phones import PhoneErrorCode, PhoneResult, normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "0812-3456-7890",
        "081234567890",
        "62812 3456 7890",
        "6281234567890",
        "+62 812-3456-7890",
        "(+62) 812.3456.7890",
        "(0812) 3456 7890",
        "+62 (0) 812-3456-7890",
        "+62 0812 3456 7890",
        "0062 812 3456 7890",
        "001 62 812 3456 7890",
    ],
)
def test_it_writes_every_form_of_an_indonesian_mobile_as_e164(raw: str) -> None:
    result = normalize_phone(raw)

    assert result.ok and result.error is None
    assert result.e164 == "+6281234567890"
    assert (result.country_code, result.region) == (62, "ID")
    assert result.international == "+62 812-3456-7890"


def test_it_keeps_a_malaysian_employer_number_malaysian() -> None:
    result = normalize_phone("+60 12-345 6789")

    assert (result.e164, result.country_code, result.region) == (
        "+60123456789",
        60,
        "MY",
    )


@pytest.mark.parametrize(
    ("raw", "e164", "region"),
    [
        ("+852 9123 4567", "+85291234567", "HK"),
        ("+886 912 345 678", "+886912345678", "TW"),
        ("+65 8123 4567", "+6581234567", "SG"),
        ("+966 50 123 4567", "+966501234567", "SA"),
        ("0060 12 345 6789", "+60123456789", "MY"),
    ],
)
def test_it_normalises_destination_country_numbers(raw: str, e164: str, region: str) -> None:
    result = normalize_phone(raw)

    assert (result.e164, result.region) == (e164, region)


def test_it_accepts_a_palu_landline() -> None:
    assert normalize_phone("(0451) 421234").e164 == "+62451421234"


def test_it_reads_numbers_without_a_country_code_in_the_default_region() -> None:
    assert normalize_phone("012-345 6789", default_region="MY").e164 == "+60123456789"


def test_it_asks_for_the_country_code_of_a_foreign_number_written_without_plus() -> None:
    result = normalize_phone("60123456789")

    assert not result.ok and result.e164 is None
    assert result.error is not None
    assert result.error.code is PhoneErrorCode.INVALID_NUMBER
    assert result.error.field == "phone"
    assert "+60 for Malaysia" in result.error.message_en
    assert "+60 untuk Malaysia" in result.error.message_id


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", PhoneErrorCode.EMPTY),
        ("   ", PhoneErrorCode.EMPTY),
        ("garbage", PhoneErrorCode.INVALID_CHARACTERS),
        ("0812 ext 5", PhoneErrorCode.INVALID_CHARACTERS),
        ("Tel: 0812-3456-7890", PhoneErrorCode.INVALID_CHARACTERS),
        ("0812-CALL-ME", PhoneErrorCode.INVALID_CHARACTERS),
        ("+62+812", PhoneErrorCode.INVALID_CHARACTERS),
        ("12", PhoneErrorCode.TOO_SHORT),
        ("0812", PhoneErrorCode.TOO_SHORT),
        ("+62", PhoneErrorCode.TOO_SHORT),
        ("421234", PhoneErrorCode.TOO_SHORT),
        ("+62 812 3456 7890 / 0813 1111 2222", PhoneErrorCode.TOO_LONG),
        ("+999 1234567", PhoneErrorCode.UNKNOWN_COUNTRY_CODE),
        ("+60 99", PhoneErrorCode.TOO_SHORT),
    ],
)
def test_it_rejects_what_is_not_a_phone_number(raw: str, code: PhoneErrorCode) -> None:
    result = normalize_phone(raw)

    assert result.error is not None
    assert result.error.code is code
    assert result.e164 is None


def test_it_says_how_to_fix_a_number_that_is_too_short() -> None:
    result = normalize_phone("12")

    assert result.error is not None
    assert "0812-3456-7890" in result.error.message_en
    assert "country code" in result.error.message_en
    assert "kode negara" in result.error.message_id


def test_it_suggests_splitting_two_numbers_in_one_cell() -> None:
    result = normalize_phone("+62 812 3456 7890 / 0813 1111 2222")

    assert result.error is not None
    assert "two numbers" in result.error.message_en
    assert "dua nomor" in result.error.message_id


def test_it_refuses_an_unknown_default_region() -> None:
    with pytest.raises(ValueError):
        normalize_phone("0812-3456-7890", default_region="XX")


def test_it_holds_a_number_or_an_error_never_both() -> None:
    with pytest.raises(ValueError):
        PhoneResult()


# Operator prefixes (Telkomsel, Indosat, XL, Axis, Tri, Smartfren), without the 0.
MOBILE_RANGES = (range(811, 820), range(821, 824), range(831, 834), range(838, 839))
MORE_RANGES = (range(851, 854), range(855, 860), range(877, 879), range(881, 890))
MOBILE_PREFIXES = [str(n) for r in (*MOBILE_RANGES, *MORE_RANGES, range(895, 900)) for n in r]
SEPARATORS = st.sampled_from(["", " ", "-", ".", " - "])
COUNTRY_FORMS = st.sampled_from(["0", "62", "62 ", "+62", "+62 ", "+62-", "(+62) ", "+62 (0)", "0062 "])


@st.composite
def written_mobiles(draw: st.DrawFn) -> tuple[str, str]:
    """(a valid Indonesian mobile as someone might write it, its E.164 form)."""
    subscriber = draw(st.text(alphabet="0123456789", min_size=7, max_size=9))
    national = draw(st.sampled_from(MOBILE_PREFIXES)) + subscriber
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=len(national) - 1), max_size=3)))
    groups = [national[start:end] for start, end in zip([0, *cuts], [*cuts, len(national)], strict=True)]
    written = groups[0]
    for group in groups[1:]:
        written += draw(SEPARATORS) + group
    return draw(COUNTRY_FORMS) + written, "+62" + national


@given(written_mobiles())
def test_it_gives_every_way_of_writing_a_mobile_the_same_e164(
    case: tuple[str, str],
) -> None:
    written, e164 = case

    result = normalize_phone(written)

    assert result.error is None, result.error
    assert result.e164 == e164
    assert result.region == "ID"


@given(st.text())
def test_it_never_raises_on_arbitrary_text(raw: str) -> None:
    result = normalize_phone(raw)

    assert result.ok == (result.error is None)
    if result.error is not None:
        assert result.error.message_id and result.error.message_en
    else:
        assert result.e164 is not None and result.e164.startswith("+")
