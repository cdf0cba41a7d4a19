"""Identity numbers: the GB 11643 check character and the keyed hash."""

from hotline.common.identity import check_digit, id_hash, is_valid_id_number


def test_check_character_of_the_standard_example():
    # the worked example of GB 11643-1999
    assert check_digit("11010519491231002") == "X"
    assert is_valid_id_number("11010519491231002x")
    assert is_valid_id_number(" 110105 19491231002X ")


def test_wrong_check_character_length_or_date_is_refused():
    assert not is_valid_id_number("110105194912310021")
    assert not is_valid_id_number("11010519491231002")
    assert not is_valid_id_number("11010519491331002X")  # month 13
    assert not is_valid_id_number("abc")


def test_digits_that_are_not_ascii_are_refused_not_an_error():
    # "²" passes str.isdigit() but not int(); Arabic-Indic "١" passes both.
    assert not is_valid_id_number("11010519491231002".replace("1", "²", 1) + "X")
    assert not is_valid_id_number("١1010519491231002X")


def test_hash_is_keyed_and_ignores_spacing_and_case(settings):
    settings.ID_HASH_KEY = "one"
    a = id_hash("11010519491231002x")
    assert a == id_hash(" 11010519491231002X")
    assert len(a) == 64
    settings.ID_HASH_KEY = "two"
    assert id_hash("11010519491231002X") != a
