import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civic.identity import iin

VALID = ["850808301077", "021231500332", "061211600012", "900101300811"]
INVALID = {
    "850808301073": iin.IinProblem.CHECKSUM,  # check digit should be 7
    "900101300800": iin.IinProblem.CHECKSUM,  # both passes give 10: never issued
    "851308301071": iin.IinProblem.DATE,  # month 13
    "850808701072": iin.IinProblem.CENTURY,  # 7th digit 7
    "85080830107": iin.IinProblem.FORMAT,  # 11 digits
    "8508083010777": iin.IinProblem.FORMAT,  # 13 digits
    "85080830107a": iin.IinProblem.FORMAT,
    "８５０８０８３０１０７７": iin.IinProblem.FORMAT,  # full-width digits are not ASCII
    "": iin.IinProblem.FORMAT,
}


@pytest.mark.parametrize("number", VALID)
def test_known_valid_numbers(number):
    assert iin.find_problem(number) is None
    assert iin.is_valid(number)


@pytest.mark.parametrize(("number", "problem"), INVALID.items())
def test_known_invalid_numbers_say_what_is_wrong(number, problem):
    assert iin.find_problem(number) == problem
    assert not iin.is_valid(number)


def test_second_pass_is_used_when_first_gives_ten():
    assert iin.check_digit("06121160001") == 2
    assert iin.check_digit("90010130080") is None


def test_normalise_strips_separators():
    assert iin.normalise(" 850808 301077 ") == "850808301077"
    assert iin.normalise("850-808-301-077") == "850808301077"


def test_birth_date_from_iin():
    assert iin.birth_date("021231500332").isoformat() == "2002-12-31"
    assert iin.birth_date("850808301077").isoformat() == "1985-08-08"


def test_digest_is_keyed():
    assert iin.iin_digest("850808301077", "a") != iin.iin_digest("850808301077", "b")
    assert len(iin.iin_digest("850808301077", "a")) == 64


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2099, 12, 31)),
    st.booleans(),
    st.integers(min_value=0, max_value=9999),
)
def test_exactly_one_last_digit_completes_a_plausible_prefix(born, female, serial):
    """For a real date and century digit, the number is valid for exactly the check digit (none if never issued)."""
    century_digit = (3 if born.year < 2000 else 5) + int(female)
    prefix = f"{born:%y%m%d}{century_digit}{serial:04d}"
    check = iin.check_digit(prefix)
    valid_digits = [d for d in range(10) if iin.is_valid(prefix + str(d))]
    assert valid_digits == ([] if check is None else [check])
    assert all(iin.birth_date(prefix + str(d)) == born for d in valid_digits)
