from portal.kernel.privacy import mask_id_number, mask_name, mask_phone


def test_names_keep_first_and_last_character():
    assert mask_name("张三华") == "张*华"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳晓明") == "欧**明"


def test_id_numbers_keep_four_and_four():
    assert mask_id_number("350521199001011234") == "3505**********1234"


def test_phones_keep_three_and_four():
    assert mask_phone("13812345678") == "138****5678"
