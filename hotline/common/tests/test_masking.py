from hotline.common.masking import mask_address, mask_id_number, mask_name, mask_phone


def test_mobile_phone():
    assert mask_phone("13812341234") == "138****1234"


def test_landline_and_short_numbers():
    assert mask_phone("0668-2281234") == "066*****1234"
    assert mask_phone("12345") == "***45"
    assert mask_phone("") == ""
    assert mask_phone(None) == ""
    assert mask_phone("1") == "*"


def test_names():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "*"
    assert mask_name("") == ""


def test_id_number():
    assert mask_id_number("440902199001011234") == "440902********1234"
    assert mask_id_number("12345") == "*****"


def test_address_keeps_the_divisions_and_hides_the_door():
    assert mask_address("茂南区公馆镇某某村3巷12号") == "茂南区公馆镇某某村****"
    whole = "广东省茂名市电白区水东街道新湖社区"
    assert mask_address(whole) == whole
    # A housing estate (小区) is not a division: its name is masked with the building.
    assert mask_address("化州市河西街道幸福小区5栋201") == "化州市河西街道****"
    assert mask_address("人民路88号") == "****"
    assert mask_address("") == mask_address(None) == ""
