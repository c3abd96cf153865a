"""Importing athletes from CSV: the preview says what each row will do, the confirm does exactly that."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coachportal.athletes import csv_import
from coachportal.athletes.models import Athlete
from coachportal.organizations.models import AuditEvent
from tests.factories import make_athlete

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)


def upload(client, org, content: bytes | str, filename="athletes.csv", follow=False):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        f"/o/{org.slug}/athletes/import/", {"file": SimpleUploadedFile(filename, data)}, follow=follow
    )


def preview(client, org):
    return client.get(f"/o/{org.slug}/athletes/import/preview/")


def confirm(client, org, follow=True):
    plan = preview(client, org).context["confirm"].initial
    return client.post(f"/o/{org.slug}/athletes/import/confirm/", plan, follow=follow)


def actions(response):
    return {p.row.number: (p.action, p.reason) for p in response.context["plan"].rows}


def test_a_good_file_is_previewed_then_imported(client_for, org_a, adam):
    client = client_for(adam)
    response = upload(
        client,
        org_a,
        "name,email,aikynetix_user_id,notes\n"
        "Ada Runner,ADA@example.com, u-1 ,800 m\n"
        "Ben Jumper,,u-2,\n"
        "Cleo Lifter,cleo@example.com,,\n",
    )
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org_a.slug}/athletes/import/preview/"

    page = preview(client, org_a)
    assert actions(page) == {2: ("create", ""), 3: ("create", ""), 4: ("create", "")}
    assert "3 to add" in page.text
    assert "Import 3 athletes" in page.text
    assert not Athlete.objects.exists()  # the preview writes nothing

    done = confirm(client, org_a)
    assert "Imported athletes.csv: 3 added, 0 updated." in done.text
    ada = Athlete.objects.get(name="Ada Runner")
    assert (ada.organization, ada.email, ada.aikynetix_user_id, ada.notes) == (
        org_a,
        "ada@example.com",
        "u-1",
        "800 m",
    )
    assert Athlete.objects.get(name="Cleo Lifter").aikynetix_user_id is None
    event = AuditEvent.objects.get(verb="athlete.imported")
    assert (event.organization, event.actor) == (org_a, adam)
    assert event.detail["created"] == 3
    assert event.detail["filename"] == "athletes.csv"


def test_a_mixed_file_creates_updates_and_rejects_with_reasons(client_for, org_a, olivia):
    by_id = make_athlete(org_a, name="Ada Runner", aikynetix_user_id="u-1", notes="keep me")
    by_email = make_athlete(org_a, name="Ben Jumper", email="ben@example.com")
    holder = make_athlete(org_a, name="Dan Holder", email="dan@example.com", aikynetix_user_id="u-9")
    client = client_for(olivia)
    upload(
        client,
        org_a,
        "Name,E-mail,User ID,Notes,Team\n"
        "Ada R. Runner,,u-1,,Sprint\n"  # 2: update by user id; empty notes keep "keep me"
        "Ben Jumper,ben@example.com,u-2,Long jump,Jumps\n"  # 3: update by email, gains a user id
        ",nameless@example.com,,,\n"  # 4: no name
        "Eve Bad,not-an-email,,,\n"  # 5: bad email
        "Fay Clash,fay@example.com,u-1,,\n"  # 6: same user id as row 2
        "Gus Grab,dan@example.com,u-1x,,\n"  # 7: dan's email but another user id
        "Hal Taken,ben@example.com,u-9,,\n"  # 8: same email as row 3
        "Ivy Steal,ivy@example.com,u-9,,\n"  # 9: creates? no: u-9 is Dan's and ivy@ is nobody's -> update Dan
        "Jo New,jo@example.com,u-10,,\n"  # 10: create
        "Ada Again,,u-1,,\n",  # 11: same user id as row 2
    )
    page = preview(client, org_a)
    plan = actions(page)
    assert plan[2] == ("update", "")
    assert plan[3] == ("update", "")
    assert plan[4] == ("reject", "Name is missing.")
    assert plan[5] == ("reject", "“not-an-email” is not a valid email address.")
    assert plan[6] == ("reject", "Same AiKYNETIX user id as row 2.")
    assert plan[7] == (
        "reject",
        "dan@example.com belongs to Dan Holder, whose AiKYNETIX user id is “u-9”, not “u-1x”. "
        "Change it on the athlete's page if it is wrong.",
    )
    assert plan[8] == ("reject", "Same email as row 3.")
    assert plan[9] == ("update", "")
    assert plan[10] == ("create", "")
    assert plan[11] == ("reject", "Same AiKYNETIX user id as row 2.")
    assert "Ignored columns: Team." in page.text
    assert "Name is missing." in page.text

    done = confirm(client, org_a)
    assert "3 added" not in done.text
    assert "1 added, 3 updated. 6 rejected rows were skipped." in done.text
    by_id.refresh_from_db()
    assert (by_id.name, by_id.notes) == ("Ada R. Runner", "keep me")
    by_email.refresh_from_db()
    assert (by_email.aikynetix_user_id, by_email.notes) == ("u-2", "Long jump")
    holder.refresh_from_db()
    assert (holder.name, holder.email) == ("Ivy Steal", "ivy@example.com")
    assert Athlete.objects.get(aikynetix_user_id="u-10").name == "Jo New"
    assert Athlete.objects.count() == 4


def test_a_user_id_taken_by_one_athlete_with_the_email_of_another_is_rejected(client_for, org_a, olivia):
    make_athlete(org_a, name="Ada Runner", email="ada@example.com", aikynetix_user_id="u-1")
    make_athlete(org_a, name="Ben Jumper", email="ben@example.com")
    client = client_for(olivia)
    upload(client, org_a, "name,email,user_id\nBen Jumper,ben@example.com,u-1\n")
    assert actions(preview(client, org_a))[2] == (
        "reject",
        "AiKYNETIX user id “u-1” is taken by Ada Runner, but ben@example.com belongs to Ben Jumper.",
    )


def test_an_email_shared_by_two_athletes_needs_a_user_id(client_for, org_a, olivia):
    make_athlete(org_a, name="Twin One", email="twins@example.com")
    make_athlete(org_a, name="Twin Two", email="twins@example.com")
    client = client_for(olivia)
    upload(client, org_a, "name,email\nTwin,twins@example.com\n")
    assert actions(preview(client, org_a))[2] == (
        "reject",
        "twins@example.com belongs to 2 athletes; add the AiKYNETIX user id to say which one.",
    )


def test_duplicate_user_ids_inside_the_file_are_rejected(client_for, org_a, olivia):
    client = client_for(olivia)
    upload(client, org_a, "name,aikynetix_user_id\nAda,u-1\nBen, u-1\nCleo,u-2\n")
    assert actions(preview(client, org_a)) == {
        2: ("create", ""),
        3: ("reject", "Same AiKYNETIX user id as row 2."),
        4: ("create", ""),
    }
    confirm(client, org_a)
    assert sorted(Athlete.objects.values_list("name", flat=True)) == ["Ada", "Cleo"]


def test_a_row_that_changes_nothing_is_unchanged(client_for, org_a, olivia):
    make_athlete(org_a, name="Ada Runner", email="ada@example.com")
    client = client_for(olivia)
    upload(client, org_a, "name,email\nAda Runner,ada@example.com\n")
    page = preview(client, org_a)
    assert actions(page) == {2: ("unchanged", "")}
    assert "nothing to import" in page.text
    response = confirm(client, org_a)
    assert "Nothing was imported: no row adds or changes an athlete." in response.text
    assert not AuditEvent.objects.filter(verb="athlete.imported").exists()


def test_header_aliases_are_accepted_whatever_their_case_and_spaces(client_for, org_a, olivia):
    client = client_for(olivia)
    upload(
        client, org_a, " NAME ;Email Address; AiKYNETIX user id ;NOTE\nAda Runner;ada@example.com;u-1;fast\n"
    )
    confirm(client, org_a)
    ada = Athlete.objects.get()
    assert (ada.name, ada.email, ada.aikynetix_user_id, ada.notes) == (
        "Ada Runner",
        "ada@example.com",
        "u-1",
        "fast",
    )


def test_a_file_with_a_byte_order_mark_is_read(client_for, org_a, olivia):
    client = client_for(olivia)
    upload(client, org_a, "\ufeffname,email\nZoë Ærø,zoe@example.com\n".encode())
    confirm(client, org_a)
    assert Athlete.objects.get().name == "Zoë Ærø"


def test_cells_our_own_export_protected_come_back_as_typed(client_for, org_a, olivia):
    client = client_for(olivia)
    upload(client, org_a, "name,notes\nAda,'-3 kg since May\n")
    confirm(client, org_a)
    assert Athlete.objects.get().notes == "-3 kg since May"


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        ("name,email\nZo\xeb,zoe@example.com\n".encode("latin-1"), "latin1.csv", csv_import.NOT_UTF8),
        (PNG, "photo.png", csv_import.NOT_CSV),
        (PNG, "renamed.csv", csv_import.NOT_CSV),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 20, "roster.xlsx", csv_import.WORKBOOK),
        ("name,email\n".encode("utf-16"), "utf16.csv", csv_import.NOT_CSV),
        (
            b"",
            "empty.csv",
            "This file is empty. Export the roster from your spreadsheet as CSV and try again.",
        ),
        (b"\n\n  \n", "blank.csv", csv_import.EMPTY),
        (b"\xef\xbb\xbf", "bom-only.csv", csv_import.EMPTY),
        (b"email,notes\nada@example.com,fast\n", "noname.csv", csv_import.NO_NAME_COLUMN),
        (b"name,email\n", "header-only.csv", csv_import.NO_ROWS),
        (b"name,user_id,AiKYNETIX user id\nAda,1,2\n", "twice.csv", None),
        (b'name,notes\nAda,"never closed\n', "quote.csv", None),
    ],
)
def test_a_file_that_cannot_be_imported_says_why_and_imports_nothing(
    client_for, org_a, olivia, content, filename, message
):
    client = client_for(olivia)
    response = upload(client, org_a, content, filename)
    assert response.status_code == 400
    assert 'id="id_file_error"' in response.text
    if message:
        assert message in response.context["form"].errors["file"]
    assert preview(client, org_a).status_code == 302  # no pending import
    assert not Athlete.objects.exists()


def test_two_columns_that_mean_the_same_thing_are_named(client_for, org_a, olivia):
    response = upload(client_for(olivia), org_a, "name,user_id,AiKYNETIX user id\nAda,1,2\n")
    assert response.context["form"].errors["file"] == [
        "The columns “user_id” and “AiKYNETIX user id” both mean AiKYNETIX user id. Keep one of them."
    ]


def test_a_file_over_two_megabytes_is_refused(client_for, org_a, olivia):
    big = b"name,notes\n" + b"Ada," + b"x" * (2 * 1024 * 1024) + b"\n"
    response = upload(client_for(olivia), org_a, big)
    assert response.status_code == 400
    assert "the limit is 2 MB" in response.text
    assert not Athlete.objects.exists()


def test_a_file_over_five_thousand_rows_is_refused(client_for, org_a, olivia):
    rows = "".join(f"A{n}\n" for n in range(5001))
    response = upload(client_for(olivia), org_a, "name\n" + rows)
    assert response.context["form"].errors["file"] == [csv_import.TOO_MANY_ROWS]


def test_no_file_at_all_is_a_message(client_for, org_a, olivia):
    response = client_for(olivia).post(f"/o/{org_a.slug}/athletes/import/", {})
    assert response.status_code == 400
    assert "Choose a CSV file to import." in response.text


def test_the_confirm_imports_what_the_server_kept_not_what_the_client_sends(client_for, org_a, olivia):
    client = client_for(olivia)
    upload(client, org_a, "name\nAda\n")
    response = client.post(
        f"/o/{org_a.slug}/athletes/import/confirm/", {"digest": "0" * 64, "plan": "0" * 64}, follow=True
    )
    assert "That import preview is no longer available. Upload the file again." in response.text
    assert not Athlete.objects.exists()


def test_a_confirm_without_a_preview_imports_nothing(client_for, org_a, olivia):
    response = client_for(olivia).post(
        f"/o/{org_a.slug}/athletes/import/confirm/", {"digest": "0" * 64, "plan": "0" * 64}
    )
    assert response.status_code == 302
    assert not Athlete.objects.exists()


def test_a_roster_that_changed_since_the_preview_asks_to_check_again(client_for, org_a, olivia):
    client = client_for(olivia)
    upload(client, org_a, "name,email\nAda,ada@example.com\n")
    seen = preview(client, org_a).context["confirm"].initial
    make_athlete(org_a, name="Ada Runner", email="ada@example.com")  # someone adds her meanwhile
    response = client.post(f"/o/{org_a.slug}/athletes/import/confirm/", seen, follow=True)
    assert "The roster changed since this preview. Check it again, then confirm." in response.text
    assert Athlete.objects.count() == 1
    assert actions(response) == {2: ("update", "")}


def test_a_confirmed_import_cannot_be_confirmed_twice(client_for, org_a, olivia):
    client = client_for(olivia)
    upload(client, org_a, "name\nAda\n")
    seen = preview(client, org_a).context["confirm"].initial
    client.post(f"/o/{org_a.slug}/athletes/import/confirm/", seen)
    client.post(f"/o/{org_a.slug}/athletes/import/confirm/", seen)
    assert Athlete.objects.count() == 1


def test_cancel_forgets_the_file(client_for, org_a, olivia):
    client = client_for(olivia)
    upload(client, org_a, "name\nAda\n")
    response = client.post(f"/o/{org_a.slug}/athletes/import/cancel/", follow=True)
    assert "Import cancelled; nothing was imported." in response.text
    assert preview(client, org_a).status_code == 302
    assert not Athlete.objects.exists()


def test_a_preview_for_one_organization_cannot_be_confirmed_in_another(client_for, org_a, olivia):
    from tests.factories import make_member, make_org

    other = make_org("Lakeside Lifters")
    make_member(other, "owner", user=olivia)
    client = client_for(olivia)
    upload(client, org_a, "name\nAda\n")
    seen = preview(client, org_a).context["confirm"].initial
    response = client.post(f"/o/{other.slug}/athletes/import/confirm/", seen)
    assert response.status_code == 302
    assert not Athlete.objects.exists()


def test_org_b_cannot_preview_or_confirm_org_a_imports(client_for, org_a, olivia, bruno, client):
    upload(client_for(olivia), org_a, "name\nAda\n")
    client.logout()
    intruder = client_for(bruno)
    assert intruder.get(f"/o/{org_a.slug}/athletes/import/").status_code == 404
    assert preview(intruder, org_a).status_code == 404
    response = intruder.post(f"/o/{org_a.slug}/athletes/import/confirm/", {"digest": "x", "plan": "y"})
    assert response.status_code == 404
    assert not Athlete.objects.exists()


def test_an_import_updates_only_its_own_organizations_athletes(client_for, org_a, org_b, olivia):
    theirs = make_athlete(org_b, name="Hilltop Hana", email="hana@example.com", aikynetix_user_id="u-1")
    client = client_for(olivia)
    upload(client, org_a, "name,email,user_id\nRiverside Hana,hana@example.com,u-1\n")
    assert actions(preview(client, org_a)) == {2: ("create", "")}
    confirm(client, org_a)
    theirs.refresh_from_db()
    assert theirs.name == "Hilltop Hana"
    assert Athlete.objects.get(organization=org_a).name == "Riverside Hana"
