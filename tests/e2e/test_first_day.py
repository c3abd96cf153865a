"""A club's first day: the owner signs up, invites a coach, and the coach joins in their own browser."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_owner_signs_up_invites_a_coach_and_the_coach_joins(live_server, page, browser, screenshot):
    page.goto(live_server.url + "/accounts/signup/")
    screenshot("signup")
    page.get_by_label("Your name").fill("Sam Starter")
    page.get_by_label("Email").fill("sam@valley.example")
    page.get_by_label("Organization").fill("Valley Velocity")
    page.get_by_label("Password", exact=True).fill("track-and-field-2026")
    page.get_by_label("Password again").fill("track-and-field-2026")
    page.get_by_role("button", name="Create account and organization").click()

    expect(page).to_have_url(re.compile(r"/o/valley-velocity/$"))
    expect(page.get_by_role("heading", name="Valley Velocity")).to_be_visible()
    expect(page.get_by_text("Valley Velocity is ready")).to_be_visible()
    screenshot("dashboard")

    page.get_by_role("navigation", name="Valley Velocity").get_by_role("link", name="Members").click()
    page.get_by_label("Email").fill("nina@valley.example")
    page.get_by_label("Role", exact=True).select_option("coach")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to nina@valley.example")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("Invitation sent")
    screenshot("members")

    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    coach = browser.new_context().new_page()
    coach.goto(link)
    expect(coach.get_by_role("heading", name="Join Valley Velocity")).to_be_visible()
    coach.get_by_label("Your name").fill("Nina New")
    coach.get_by_label("Password", exact=True).fill("sprint-coach-2026")
    coach.get_by_label("Password again").fill("sprint-coach-2026")
    coach.get_by_role("button", name="Create account and join").click()
    expect(coach).to_have_url(re.compile(r"/o/valley-velocity/$"))
    expect(coach.get_by_text("You are coach")).to_be_visible()
    # Coaches get no Settings link, and the page itself refuses them.
    expect(coach.get_by_role("link", name="Settings")).to_have_count(0)
    coach.goto(live_server.url + "/o/valley-velocity/settings/")
    expect(coach.get_by_role("heading", name="You can't do that here")).to_be_visible()


def test_a_wrong_password_shows_a_message_and_keeps_the_email(live_server, page, screenshot):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("someone@club.example")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That email and password don't match an account")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("someone@club.example")
    screenshot("login-error")
