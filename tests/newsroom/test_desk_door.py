"""The desk's door: lock-out after failed logins, two-factor codes, and roles that require them."""

import time
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, User
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dateline.newsroom import roles
from dateline.newsroom.desk.login import login_address
from dateline.newsroom.models import Article, TwoFactorRole

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"  # what make_user gives every account


def log_in(client, username, password=PASSWORD, code="", **extra):
    return client.post("/desk/login/?next=/desk/", {
        "username": username, "password": password, "otp_token": code, "next": "/desk/",
    }, **extra)


def logged_in(client) -> bool:
    return client.get("/desk/").status_code == 200


def next_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the current step, or the next if this one was used."""
    device.refresh_from_db()
    now = int((time.time() - device.t0) // device.step)
    wanted = max(now + device.drift, device.last_t + 1)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, wanted - now):06d}"


def later(seconds: int = 3):
    """After django-otp's pause: each wrong code blocks the device for 2**(n-1) seconds."""
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=True)


def enrol(client) -> TOTPDevice:
    page = client.get("/desk/two-factor/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post("/desk/two-factor/", {"code": next_code(device)})
    assert response.status_code == 302, response.content.decode()[:2000]
    device.refresh_from_db()
    assert device.confirmed
    return device


# ---- Lock-out --------------------------------------------------------------------------------

@time_machine.travel("2026-03-02 09:10:00+00:00", tick=False)
def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_refused(client, make_user):
    make_user("Reporter", "rita")
    for _ in range(4):
        assert log_in(client, "rita", "wrong").status_code == 200  # the form, with its error
    locked = log_in(client, "rita", "still-wrong")
    page = locked.content.decode()
    assert locked.status_code == 429
    assert "Too many failed logins" in page and "Dateline desk" in page  # in the desk's look
    # 09:25 UTC is 11:25 on the desk's clock (Europe/Sofia).
    assert "for 15 minutes, until" in page and "Try again after 11:25." in page

    refused = log_in(client, "rita")  # the right password, while locked
    assert refused.status_code == 429
    assert not logged_in(client)


def test_the_lock_lifts_after_the_cool_off(client, make_user):
    make_user("Reporter", "rita")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            log_in(client, "rita", "wrong")
        assert log_in(client, "rita").status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert log_in(client, "rita").status_code == 302
        assert logged_in(client)


def test_a_stranger_s_wrong_passwords_do_not_keep_the_editor_out_from_her_own_address(
    client, make_user
):
    """Five wrong passwords for an account from anywhere locked it from everywhere: anyone
    could keep the chief editor out, five requests every quarter of an hour."""
    make_user("Chief editor", "chief")
    for _ in range(5):
        log_in(client, "chief", "guess", REMOTE_ADDR="203.0.113.7")
    assert log_in(client, "chief", REMOTE_ADDR="203.0.113.7").status_code == 429
    assert log_in(client, "chief", REMOTE_ADDR="198.51.100.20").status_code == 302
    assert logged_in(client)


def test_a_login_told_to_go_to_another_site_lands_on_the_desk(client, make_user):
    """The refused `next` sent the editor to /accounts/profile/, a page not found."""
    make_user("Editor", "edna")
    for target in ("//evil.example/", "https://evil.example/desk/", ""):
        client.logout()
        answer = client.post("/desk/login/", {"username": "edna", "password": PASSWORD,
                                              "otp_token": "", "next": target})
        assert (answer.status_code, answer["Location"]) == (302, "/desk/")


def test_a_login_clears_its_own_failures_and_nobody_elses(client, make_user):
    """A login cleared every failure from its address: four guesses at the chief editor's
    password, then any desk account's login, and four more, for ever, never locked out."""
    make_user("Chief editor", "chief")
    make_user("Contributor", "con")
    for _ in range(4):
        assert log_in(client, "chief", "guess").status_code == 200
    assert log_in(client, "con").status_code == 302
    client.logout()
    assert log_in(client, "chief", "guess").status_code == 429  # the fifth: still counted
    # Her own typos are forgotten once she is in: they do not count against her evening.
    make_user("Editor", "edna")
    for _ in range(3):
        log_in(client, "edna", "typo", REMOTE_ADDR="198.51.100.20")
    assert log_in(client, "edna", REMOTE_ADDR="198.51.100.20").status_code == 302
    client.logout()
    for _ in range(4):
        assert log_in(client, "edna", "typo", REMOTE_ADDR="198.51.100.20").status_code == 200


def test_one_address_guessing_many_accounts_is_locked_out_but_others_are_not(
    client, make_user
):
    make_user("Editor", "edna")
    for i in range(5):
        log_in(client, f"guess{i}", "wrong", REMOTE_ADDR="203.0.113.7")
    assert log_in(client, "edna", REMOTE_ADDR="203.0.113.7").status_code == 429
    assert log_in(client, "edna", REMOTE_ADDR="198.51.100.20").status_code == 302


def test_an_ipv6_client_counts_as_its_whole_64(client, make_user, settings, rf):
    make_user("Editor", "edna")
    for i in range(5):
        log_in(client, f"guess{i}", "wrong", REMOTE_ADDR=f"2001:db8:1:2::{i + 1}")
    assert log_in(client, "edna", REMOTE_ADDR="2001:db8:1:2:ffff::9").status_code == 429
    assert log_in(client, "edna", REMOTE_ADDR="2001:db8:1:3::1").status_code == 302
    assert login_address(rf.get("/", REMOTE_ADDR="::ffff:192.0.2.1")) == "192.0.2.1"


def test_behind_the_proxy_the_address_it_saw_is_counted(client, make_user, settings):
    settings.DATELINE_BEHIND_PROXY = True
    make_user("Editor", "edna")
    for i in range(5):
        log_in(client, f"guess{i}", "wrong", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
    assert log_in(client, "edna", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert log_in(client, "edna", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 302


def test_a_successful_login_forgets_earlier_typos(client, make_user):
    make_user("Reporter", "rita")
    for _ in range(3):
        log_in(client, "rita", "typo")
    assert log_in(client, "rita").status_code == 302
    client.post("/desk/logout/")
    for _ in range(3):
        log_in(client, "rita", "typo")
    assert log_in(client, "rita").status_code == 302


def test_guessing_the_old_password_on_the_change_page_counts_too(client, make_user):
    client.force_login(make_user("Reporter", "rita"))  # e.g. a session left open
    url = "/desk/password_change/"
    guess = {"new_password1": "N3w-long-passphrase", "new_password2": "N3w-long-passphrase"}
    for i in range(4):
        answer = client.post(url, {"old_password": f"guess{i}", **guess})
        assert answer.status_code == 200 and "incorrectly" in answer.content.decode()
    assert client.post(url, {"old_password": "guess5", **guess}).status_code == 429
    refused = client.post(url, {"old_password": PASSWORD, **guess})  # right, but locked
    assert refused.status_code == 200 and "Too many failed logins" in refused.content.decode()
    assert User.objects.get(username="rita").check_password(PASSWORD)
    client.logout()
    assert log_in(client, "rita").status_code == 429
    assert log_in(client, "rita", "N3w-long-passphrase").status_code == 429


def test_the_chief_editor_may_lift_a_lock_out(make_user):
    chief = make_user(roles.CHIEF_EDITOR)
    assert chief.has_perm("axes.delete_accessattempt")
    assert not make_user(roles.EDITOR).has_perm("axes.delete_accessattempt")


# ---- Two-factor ----------------------------------------------------------------------------

def test_an_account_turns_two_factor_on_and_login_then_asks_for_the_code(client, make_user):
    make_user("Reporter", "rita")
    assert log_in(client, "rita").status_code == 302
    page = client.get("/desk/two-factor/").content.decode()
    assert "<svg" in page and "<img" not in page  # the QR code is drawn inline, nothing fetched
    wrong = client.post("/desk/two-factor/", {"code": "000000"})
    assert wrong.status_code == 200 and "not the code" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    with later():
        device = enrol(client)
        assert logged_in(client)  # this session showed a code while enrolling
        client.post("/desk/logout/")

        asked = log_in(client, "rita")  # the password alone
        assert asked.status_code == 200 and "two-factor" in asked.content.decode()
        assert not logged_in(client)
        wrong = log_in(client, "rita", code="12345" + str((int(next_code(device)[-1]) + 1) % 10))
        assert wrong.status_code == 200 and "not the one" in wrong.content.decode()
        assert not logged_in(client)
    with later(6):
        assert log_in(client, "rita", code=next_code(device)).status_code == 302
        assert logged_in(client)


def test_two_factor_is_turned_off_only_with_a_code(client, make_user):
    make_user("Reporter", "rita")
    log_in(client, "rita")
    device = enrol(client)
    assert "is <strong>on</strong>" in client.get("/desk/two-factor/").content.decode()
    client.post("/desk/two-factor/", {"code": "bad"})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    with later():
        response = client.post("/desk/two-factor/", {"code": next_code(device)})
        assert response.status_code == 302
        assert not TOTPDevice.objects.exists()
        client.post("/desk/logout/")
        assert log_in(client, "rita").status_code == 302  # the password is enough again


def test_wrong_codes_count_towards_the_lock_out(client, make_user):
    user = make_user("Reporter", "rita")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    for _ in range(4):
        assert log_in(client, "rita", code="bad").status_code == 200
    assert log_in(client, "rita", code="bad").status_code == 429
    assert AccessAttempt.objects.filter(username="rita").get().failures_since_start == 5
    assert log_in(client, "rita", code=next_code(device)).status_code == 429
    assert not logged_in(client)


def test_a_session_without_the_code_does_not_open_the_desk(client, make_user):
    user = make_user("Editor", "edna")
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)  # e.g. a session from before the device was confirmed
    response = client.get("/desk/newsroom/article/")
    assert response.status_code == 302 and response.url.startswith("/desk/login/")


def test_a_role_can_require_two_factor_and_its_accounts_enrol_first(
    client, make_user, make_article
):
    article = make_article("A story")
    chief = make_user(roles.CHIEF_EDITOR, "chief")
    client.force_login(chief)
    editors = Group.objects.get(name=roles.EDITOR)
    response = client.post("/desk/newsroom/twofactorrole/add/", {"group": editors.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TwoFactorRole.objects.get().group == editors
    client.post("/desk/logout/")

    make_user(roles.EDITOR, "edna")
    assert log_in(client, "edna").status_code == 302
    for url in ("/desk/", f"/desk/newsroom/article/{article.pk}/change/",
                f"/desk/live/{article.pk}/coverage/"):
        response = client.get(url)
        assert (response.status_code, response.url) == (302, "/desk/two-factor/"), url
    page = client.get("/desk/two-factor/").content.decode()
    assert "Your role requires two-factor" in page
    enrol(client)
    assert logged_in(client)
    assert client.get(f"/desk/newsroom/article/{article.pk}/change/").status_code == 200

    # Other roles are untouched.
    client.post("/desk/logout/")
    make_user(roles.REPORTER, "rita")
    assert log_in(client, "rita").status_code == 302 and logged_in(client)


def test_only_the_chief_editor_sets_which_roles_require_two_factor(client, make_user):
    client.force_login(make_user(roles.EDITOR))
    response = client.post("/desk/newsroom/twofactorrole/add/",
                           {"group": Group.objects.get(name=roles.REPORTER).pk})
    assert response.status_code == 403
    assert not TwoFactorRole.objects.exists()


# ---- The top story ---------------------------------------------------------------------------

def test_a_contributor_cannot_make_a_story_the_top_story(client, make_user, make_section):
    client.force_login(make_user(roles.CONTRIBUTOR))
    section = make_section("World")
    form = client.get("/desk/newsroom/article/add/").content.decode()
    assert 'name="is_top_story"' not in form
    response = client.post("/desk/newsroom/article/add/", {
        "headline": "Mine on top", "slug": "", "standfirst": "", "body": "<p>Text.</p>",
        "dateline": "", "section": section.pk, "original_url": "", "is_top_story": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Article.objects.get().is_top_story is False


def test_an_editor_can(client, make_user, make_section):
    client.force_login(make_user(roles.EDITOR))
    section = make_section("World")
    assert 'name="is_top_story"' in client.get("/desk/newsroom/article/add/").content.decode()
    client.post("/desk/newsroom/article/add/", {
        "headline": "Lead", "slug": "", "standfirst": "", "body": "<p>Text.</p>",
        "dateline": "", "section": section.pk, "original_url": "", "is_top_story": "on",
    })
    assert Article.objects.get().is_top_story is True


def test_the_article_form_ignores_a_posted_top_story_from_a_contributor(
    make_user, make_section
):
    from dateline.newsroom.desk.forms import ArticleForm

    section = make_section("World")
    data = {"headline": "Mine", "body": "<p>Text.</p>", "section": section.pk,
            "is_top_story": "on"}
    form = ArticleForm(data, user=make_user(roles.CONTRIBUTOR))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["is_top_story"] is False
