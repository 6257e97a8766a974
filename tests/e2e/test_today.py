"""The Today view and cases in the real window: flags grouped by kind with a
count in the navigation; one click opens the case; logging the contact
clears the flag at once; a bad contact date is refused in Chinese."""


import time

from selenium.webdriver.support.ui import Select, WebDriverWait


def flags(app):
    return app.all('[data-testid="flag"]')


def count_badge(app):
    return int(app.visible('[data-testid="today-count"]').text.strip())


def wait_flags(app):
    WebDriverWait(app.driver, 20).until(lambda d: flags(app))
    return flags(app)


def test_today_groups_flags_and_a_logged_contact_clears_one(app):
    app.restart(tab="today")
    shown = wait_flags(app)
    assert count_badge(app) == len(shown)
    kinds = [g.get_attribute("data-kind") for g in app.all('[data-testid="flag-group"]')]
    assert "case_contact" in kinds and "action_item" in kinds, kinds
    assert len(kinds) == len(set(kinds)), "each kind is one group"
    # Within a group, most overdue first.
    group = app.one('[data-testid="flag-group"][data-kind="case_contact"]')
    days = [int("".join(ch for ch in d.text if ch.isdigit())) for d in group.find_elements("css selector", ".days")]
    assert days == sorted(days, reverse=True), days
    app.shot("today_view")

    flag = group.find_element("css selector", '[data-testid="flag"]')
    case_id = flag.get_attribute("data-subject-id")
    before = count_badge(app)
    flag.find_element("css selector", '[data-testid="flag-open"]').click()
    app.visible('[data-testid="case-detail"]')
    WebDriverWait(app.driver, 10).until(lambda d: app.all('[data-testid="contact-row"]'))
    identity = app.one('[data-testid="case-identity"]').text
    assert "身份证" in identity, "the case's own page shows the identity"
    rows = len(app.all('[data-testid="contact-row"]'))

    # A contact in the future is refused in Chinese and nothing is saved.
    date = app.one('[data-testid="contact-date"]')
    today = date.get_attribute("value")
    date.clear()
    date.send_keys("2099-01-01")
    app.one('[data-testid="contact-save"]').click()
    error = app.visible('.field-error[data-field="date"]')
    assert "不能晚于今天" in error.text, error.text
    assert len(app.all('[data-testid="contact-row"]')) == rows

    date.clear()
    date.send_keys(today)
    Select(app.one('[data-testid="contact-kind"]')).select_by_value("home_visit")
    app.one('[data-testid="contact-note"]').send_keys("入户探访，情况稳定")
    app.one('[data-testid="contact-save"]').click()
    WebDriverWait(app.driver, 10).until(lambda d: len(app.all('[data-testid="contact-row"]')) == rows + 1)
    assert "入户探访" in app.all('[data-testid="contact-row"]')[0].text
    # The count in the navigation drops at once, without leaving the page.
    WebDriverWait(app.driver, 10).until(lambda d: count_badge(app) == before - 1)
    app.shot("case_contact_logged")

    app.one('[data-testid="tab-today"]').click()
    wait_flags(app)
    still = [
        f for f in flags(app)
        if f.get_attribute("data-rule") == "R17" and f.get_attribute("data-subject-id") == case_id
    ]
    assert not still, "the flag is gone once its cause is cleared"
    assert count_badge(app) == len(flags(app)) == before - 1

    # And it stays gone after a restart.
    app.restart(tab="today")
    wait_flags(app)
    assert count_badge(app) == before - 1


def test_one_supervisors_list_is_part_of_the_stations(app):
    app.restart(tab="today")
    everything = len(wait_flags(app))
    scope = Select(app.one('[data-testid="today-scope"]'))
    options = len(scope.options)
    assert options > 1, "the station's supervisors are offered"
    seen = []
    # From the last (an assistant supervisor's small team) upwards.
    for index in range(options - 1, 0, -1):
        Select(app.one('[data-testid="today-scope"]')).select_by_index(index)
        time.sleep(0.5)
        WebDriverWait(app.driver, 10).until(lambda d: count_badge(app) == len(flags(app)))
        seen.append(len(flags(app)))
        assert seen[-1] <= everything
    assert any(0 < n < everything for n in seen), seen
    app.shot("today_one_supervisor")


def test_case_list_shows_codes_only_and_a_new_case_checks_its_id_number(app):
    app.one('[data-testid="tab-cases"]').click()
    table = app.visible('[data-testid="cases-table"]')
    assert "身份证" not in table.text
    app.one('[data-testid="add-case"]').click()
    app.visible('[data-testid="case-form"]')
    app.one('[data-testid="case-code-input"]').send_keys("T-2026-001")
    owner = Select(app.one('[data-testid="case-owner"]'))
    owner.select_by_index(1)
    Select(app.one('[data-testid="case-category"]')).select_by_value("children")
    Select(app.one('[data-testid="case-risk"]')).select_by_value("high")
    app.one('[data-testid="id-realName"]').send_keys("测试儿童")
    app.one('[data-testid="id-idNumber"]').send_keys("430621201501010001")
    app.one('[data-testid="case-save"]').click()
    error = app.visible('.field-error[data-field="idNumber"]')
    assert "身份证号不正确" in error.text, error.text
    # The same number with its correct check character.
    box = app.one('[data-testid="id-idNumber"]')
    box.clear()
    box.send_keys(valid_id("43062120150101001"))
    app.one('[data-testid="case-save"]').click()
    app.visible('[data-testid="case-detail"]')
    assert "T-2026-001" in app.one('[data-testid="case-title"]').text
    # A child under 14 without a guardian's consent: flagged (R20) once the
    # day has passed; record the consent here.
    Select(app.one('[data-testid="consent-kind"]')).select_by_value("guardian")
    app.one('[data-testid="consent-by"]').send_keys("测试家长")
    app.one('[data-testid="consent-scope"]').send_keys("未成年人个人信息处理")
    app.one('[data-testid="consent-save"]').click()
    WebDriverWait(app.driver, 10).until(
        lambda d: app.all('[data-testid="consent"][data-kind="guardian"]')
    )
    app.shot("new_case_with_consent")

    # Correcting the identity: a bad phone number is refused in Chinese.
    app.one('[data-testid="identity-edit"]').click()
    phone = app.visible('[data-testid="identity-phone"]')
    phone.send_keys("打电话给我")
    app.one('[data-testid="identity-save"]').click()
    error = app.visible('.field-error[data-field="phone"]')
    assert "电话号码格式不对" in error.text, error.text
    phone.clear()
    phone.send_keys("13800138000")
    app.one('[data-testid="identity-save"]').click()
    WebDriverWait(app.driver, 10).until(
        lambda d: "13800138000" in app.one('[data-testid="case-identity"]').text
    )


def valid_id(body17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights)) % 11]
    return body17 + check
