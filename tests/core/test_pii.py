"""Resident ID numbers (GB 11643), masking, encryption at rest and the blind index (SPEC §3.1, §3.6)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cardops.core.pii import (
    InvalidIdNumber,
    PersonalDataCipher,
    id_check_char,
    is_valid_id_number,
    mask_id_number,
    mask_phone,
    normalise_id_number,
    normalise_phone,
)

# The autouse db_session fixture is function-scoped; these properties are pure functions and need no reset.
pure = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

TODAY = date(2026, 11, 26)
regions = st.integers(min_value=110000, max_value=820000).map(str)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")


def make_id(region: str, birth: date, sequence: str) -> str:
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first17 + id_check_char(first17)


valid_ids = st.builds(make_id, regions, birth_dates, sequences)


def test_known_check_characters():
    # Worked examples: the published sample 11010519491231002X and a Putuo number ending in a digit.
    assert normalise_id_number("11010519491231002X") == "11010519491231002X"
    assert id_check_char("31010719900101123") == make_id("310107", date(1990, 1, 1), "123")[-1]


@pure
@given(valid_ids)
def test_valid_ids_are_accepted(id_number):
    assert normalise_id_number(id_number, today=TODAY) == id_number


@pure
@given(valid_ids, st.sampled_from([" ", "  ", "\t"]), st.integers(min_value=0, max_value=18))
def test_lowercase_x_and_spaces_are_normalised(id_number, space, position):
    messy = (id_number[:position] + space + id_number[position:]).lower()
    assert normalise_id_number(f" {messy} ", today=TODAY) == id_number


def test_lowercase_x_check_character():
    upper = next(make_id("310107", date(1980, 5, d), "00" + str(s)) for d in range(1, 29) for s in range(10)
                 if make_id("310107", date(1980, 5, d), "00" + str(s)).endswith("X"))
    assert normalise_id_number(upper.lower(), today=TODAY) == upper


@pure
@given(valid_ids, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_is_rejected(id_number, position, delta):
    digit = (int(id_number[position]) + delta) % 10
    changed = id_number[:position] + str(digit) + id_number[position + 1:]
    with pytest.raises(InvalidIdNumber):
        normalise_id_number(changed, today=TODAY)


@pure
@given(valid_ids, st.sampled_from("0123456789X"))
def test_wrong_check_character_is_rejected(id_number, check):
    assume(check != id_number[-1])
    with pytest.raises(InvalidIdNumber, match="校验位"):
        normalise_id_number(id_number[:17] + check, today=TODAY)


@pure
@given(regions, st.dates(min_value=TODAY + timedelta(days=1), max_value=date(2999, 12, 31)), sequences)
def test_future_birth_dates_are_rejected(region, birth, sequence):
    with pytest.raises(InvalidIdNumber, match="出生日期"):
        normalise_id_number(make_id(region, birth, sequence), today=TODAY)


@pytest.mark.parametrize("ymd", ["19900230", "19900431", "19890229", "19901301", "19900000", "18790101"])
def test_impossible_birth_dates_are_rejected(ymd):
    first17 = f"310107{ymd}123"
    with pytest.raises(InvalidIdNumber, match="出生日期"):
        normalise_id_number(first17 + id_check_char(first17), today=TODAY)


def test_leap_day_is_a_real_birth_date():
    assert normalise_id_number(make_id("310107", date(1988, 2, 29), "001"), today=TODAY)


def test_abolished_region_310108_is_accepted():
    id_number = make_id("310108", date(1950, 3, 15), "021")
    assert normalise_id_number(id_number, today=TODAY) == id_number
    assert is_valid_id_number(id_number)


@pytest.mark.parametrize("raw", [None, "", "   ", "31010719900101123", "3101071990010112345",
                                 "31010719900101123Y", "31O10719900101123X", "３１０１０７１９９００１０１１２３X"])
def test_malformed_values_are_rejected_with_a_message(raw):
    with pytest.raises(InvalidIdNumber) as raised:
        normalise_id_number(raw, today=TODAY)
    assert str(raised.value)  # a sentence a clerk can read
    assert not is_valid_id_number(raw)


@pytest.mark.parametrize(("raw", "expected"), [("13812345678", "13812345678"), (" 138 1234 5678 ", "13812345678"),
                                               ("+8613812345678", "13812345678"), ("138-1234-5678", "13812345678")])
def test_phone_normalisation(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "1381234567", "23812345678", "12812345678", "138123456789"])
def test_bad_phones_are_rejected(raw):
    with pytest.raises(ValueError):
        normalise_phone(raw)


def test_masking():
    assert mask_id_number("31010719900101123X") == "310107********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number(None) == "" and mask_phone("") == ""
    assert mask_id_number("12345") == "*****"


@pure
@given(valid_ids)
def test_mask_never_shows_the_birth_date(id_number):
    masked = mask_id_number(id_number)
    assert len(masked) == 18 and masked[:6] == id_number[:6] and masked[-4:] == id_number[-4:]
    assert id_number[6:14] not in masked


# --- encryption and blind index ----------------------------------------------------------------------------

KEY = "a-test-data-key-that-is-long-enough"


@pure
@given(valid_ids)
def test_encryption_round_trip_hides_the_plaintext(id_number):
    cipher = PersonalDataCipher(KEY)
    token = cipher.encrypt(id_number)
    assert id_number not in token and id_number[-6:] not in token
    assert cipher.decrypt(token) == id_number


def test_encryption_is_randomised_but_the_blind_index_is_deterministic():
    cipher = PersonalDataCipher(KEY)
    value = "31010719900101123X"
    assert cipher.encrypt(value) != cipher.encrypt(value)
    assert cipher.blind_index(value) == PersonalDataCipher(KEY).blind_index(value)
    assert len(cipher.blind_index(value)) == 64 and value not in cipher.blind_index(value)
    assert cipher.blind_index(value) != cipher.blind_index("31010719900101124X")


def test_blind_index_and_ciphertext_depend_on_the_key():
    value = "31010719900101123X"
    ours, theirs = PersonalDataCipher(KEY), PersonalDataCipher(KEY + "-other")
    assert ours.blind_index(value) != theirs.blind_index(value)
    with pytest.raises(RuntimeError, match="decrypt"):
        theirs.decrypt(ours.encrypt(value))


def test_blind_index_is_not_a_plain_hash_of_the_value():
    import hashlib

    value = "31010719900101123X"
    assert PersonalDataCipher(KEY).blind_index(value) != hashlib.sha256(value.encode()).hexdigest()


def test_cipher_refuses_an_empty_key():
    with pytest.raises(RuntimeError):
        PersonalDataCipher("")


def test_app_cipher_uses_the_configured_key(app):
    from cardops.core import pii

    with app.app_context():
        value = "31010719900101123X"
        assert pii.decrypt(pii.encrypt(value)) == value
        assert pii.blind_index(value) == PersonalDataCipher(app.config["CARDOPS_DATA_KEY"]).blind_index(value)
