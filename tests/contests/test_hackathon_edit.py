"""Hackathons: the organiser edits and removes sponsors, metrics, datasets, agenda items and mentors; a team's captain
changes its track. Services and HTTP: the happy path, another hackathon's object (404), the wrong role (403), bad
input (4xx with nothing changed), the frozen cases and the audit trail."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from civic import db
from civic.contests import hackathons as hk
from civic.contests.models import (
    Checkpoint,
    Dataset,
    HackathonAgendaItem,
    Mentor,
    Metric,
    Sponsor,
    Team,
    Track,
)
from civic.core.errors import DomainError, PermissionDenied
from civic.core.forms import to_local
from civic.db import utc_now
from civic.identity.models import AuditEvent
from tests.contests.conftest import user


def _actions(prefix: str) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like(f"{prefix}%")).order_by(AuditEvent.id)
        )
    )


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def extras(app, cast, hackathons, tmp_path):
    """A hackathon in registration with a sponsor, two metrics, a file dataset and a second track; a second hackathon
    with its own sponsor (the "other hackathon" of the 404 checks)."""
    app.config["CONTESTS_UPLOAD_DIR"] = str(tmp_path)
    ids = hackathons.make("registration")
    other = hackathons.make("registration")
    with app.app_context():
        organiser = user(cast.organiser)
        track = db.session.get(Track, ids["track"])
        from werkzeug.datastructures import FileStorage

        upload = FileStorage(io.BytesIO(b"id,lat\n1,49.9\n"), filename="gps.csv")
        out = dict(
            hack=ids["hackathon"],
            track=track.id,
            other=other["hackathon"],
            sponsor=hk.add_sponsor(track, organiser, "KazTransCom", "https://ktc.example.kz").id,
            metric=hk.add_metric(track, organiser, "objective", "Delay", 5, "min").id,
            rubric=hk.add_metric(track, organiser, "subjective", "Usability", rubric="Easy to use").id,
            dataset=hk.add_dataset(track, organiser, "Bus GPS", "Akimat", "", upload).id,
            mentor=db.session.scalar(select(Mentor.id).where(Mentor.track_id == track.id)),
            agenda=hk.add_agenda_item(
                track.hackathon,
                organiser,
                "ceremony",
                "Welcome",
                "",
                track.hackathon.starts_at,
                track.hackathon.starts_at + timedelta(hours=1),
            ).id,
            checkpoint=hk.add_checkpoint(
                track.hackathon, organiser, "Team and idea", track.hackathon.starts_at + timedelta(hours=15)
            ).id,
            other_sponsor=hk.add_sponsor(db.session.get(Track, other["track"]), organiser, "Other sponsor", "").id,
            track2=hk.add_track(track.hackathon, organiser, "Clean air", "Smog in winter.", None).id,
        )
        out["stored"] = db.session.get(Dataset, out["dataset"]).stored_name
        db.session.commit()
        return out


# --------------------------------------------------------------------------- services


def test_service_edits_use_the_add_checks_and_are_audited(app, cast, extras):
    with app.app_context():
        organiser = user(cast.organiser)
        sponsor = db.session.get(Sponsor, extras["sponsor"])
        with pytest.raises(DomainError):
            hk.edit_sponsor(sponsor, organiser, "   ", "")
        db.session.rollback()
        with pytest.raises(DomainError):
            hk.edit_sponsor(db.session.get(Sponsor, extras["sponsor"]), organiser, "X", "ftp://bad")
        db.session.rollback()
        hk.edit_sponsor(db.session.get(Sponsor, extras["sponsor"]), organiser, "KTC", "")
        metric = db.session.get(Metric, extras["metric"])
        with pytest.raises(DomainError, match="target"):
            hk.edit_metric(metric, organiser, "objective", "Delay", None, "min")
        hk.edit_metric(metric, organiser, "subjective", "Delay felt", rubric="Riders say it is on time")
        item = db.session.get(HackathonAgendaItem, extras["agenda"])
        with pytest.raises(DomainError):
            hk.edit_agenda_item(item, organiser, "lecture", "T", "", item.ends_at, item.starts_at)
        hk.edit_agenda_item(item, organiser, "lecture", "Opening", "Akim", item.starts_at, item.ends_at)
        hk.edit_mentor(db.session.get(Mentor, extras["mentor"]), organiser, "GIS")
        db.session.commit()
        metric = db.session.get(Metric, extras["metric"])
        assert (metric.kind, metric.target, metric.unit, metric.rubric) == (
            "subjective",
            None,
            "",
            "Riders say it is on time",
        )
        assert db.session.get(Sponsor, extras["sponsor"]).url == ""
        assert db.session.get(HackathonAgendaItem, extras["agenda"]).speaker == "Akim"
        assert db.session.get(Mentor, extras["mentor"]).expertise == "GIS"
        assert _actions("contests.edit_") == [
            "contests.edit_sponsor",
            "contests.edit_metric",
            "contests.edit_agenda_item",
            "contests.edit_mentor",
        ]


def test_removing_a_dataset_deletes_its_file_only_when_the_removal_commits(app, cast, extras):
    with app.app_context():
        path = hk.DATASETS.path_of(extras["stored"])
        assert path.exists()
        hk.remove_dataset(db.session.get(Dataset, extras["dataset"]), user(cast.organiser))
        db.session.rollback()
        assert path.exists()
        assert db.session.get(Dataset, extras["dataset"]) is not None
        hk.remove_dataset(db.session.get(Dataset, extras["dataset"]), user(cast.organiser))
        db.session.commit()
        assert not path.exists()
        assert db.session.get(Dataset, extras["dataset"]) is None
        assert _actions("contests.remove_dataset") == ["contests.remove_dataset"]


def test_replacing_a_dataset_file_keeps_the_old_one_until_commit_and_drop_file_needs_a_link(app, cast, extras):
    from werkzeug.datastructures import FileStorage

    with app.app_context():
        organiser = user(cast.organiser)
        old = hk.DATASETS.path_of(extras["stored"])
        dataset = db.session.get(Dataset, extras["dataset"])
        with pytest.raises(DomainError, match="file or give a link"):
            hk.edit_dataset(dataset, organiser, "Bus GPS", "", "", None, False, drop_file=True)
        db.session.rollback()
        dataset = db.session.get(Dataset, extras["dataset"])
        new = FileStorage(io.BytesIO(b'{"a": 1}'), filename="gps.json")
        hk.edit_dataset(dataset, organiser, "Bus GPS 2", "Akimat", "https://data.example.kz", new, True)
        assert old.exists()  # not yet committed
        db.session.commit()
        dataset = db.session.get(Dataset, extras["dataset"])
        assert not old.exists()
        assert (dataset.file_name, dataset.teams_only, dataset.url) == ("gps.json", True, "https://data.example.kz")
        assert hk.dataset_path(dataset).read_bytes() == b'{"a": 1}'
        stored = hk.dataset_path(dataset)
        hk.edit_dataset(dataset, organiser, "Bus GPS 2", "", "https://data.example.kz", None, False, drop_file=True)
        assert stored.exists()  # until the commit
        db.session.commit()
        assert db.session.get(Dataset, extras["dataset"]).stored_name is None
        assert not stored.exists()


def test_metrics_freeze_once_a_team_submitted_and_datasets_after_the_deadline(app, cast, hackathons, tmp_path):
    app.config["CONTESTS_UPLOAD_DIR"] = str(tmp_path)
    ids = hackathons.make("hacking", team=True)
    with app.app_context():
        organiser = user(cast.organiser)
        track = db.session.get(Track, ids["track"])
        metric = hk.add_metric(track, organiser, "objective", "Delay", 5, "min")
        dataset = hk.add_dataset(track, organiser, "Stops", url="https://data.example.kz/stops")
        db.session.commit()
        with pytest.raises(hk.Frozen):
            hk.edit_metric(metric, organiser, "objective", "Delay", 3, "min")
        with pytest.raises(hk.Frozen):
            hk.remove_metric(metric, organiser)
        db.session.rollback()
        later = db.session.get(Track, ids["track"]).hackathon.submission_deadline + timedelta(seconds=1)
        with pytest.raises(hk.Frozen):
            hk.remove_dataset(db.session.get(Dataset, dataset.id), organiser, now=later)
        db.session.rollback()
        hk.remove_dataset(db.session.get(Dataset, dataset.id), organiser)  # still hacking: allowed
        db.session.commit()
        assert db.session.get(Metric, metric.id).target == 5.0


# --------------------------------------------------------------------------- HTTP


KINDS = ["sponsors", "metrics", "datasets", "agenda", "checkpoints", "mentors"]
GOOD = {
    "sponsors": {"name": "KTC", "url": "https://ktc.kz"},
    "metrics": {"kind": "objective", "name": "Delay", "target": "3,5", "unit": "min"},
    "datasets": {"title": "Bus GPS v2", "provider": "Akimat", "url": "", "teams_only": "y"},
    "agenda": {"kind": "lecture", "title": "Opening", "speaker": "Akim"},
    "checkpoints": {"title": "Prototype"},
    "mentors": {"expertise": "GIS"},
}
BAD = {
    "sponsors": ({"name": "", "url": ""}, "Name the sponsor."),
    "metrics": (
        {"kind": "objective", "name": "Delay", "target": "soon", "unit": "min"},
        "The target must be a number.",
    ),
    "datasets": ({"title": "X", "url": "", "drop_file": "y"}, "Upload a file or give a link."),
    "agenda": ({"kind": "lecture", "title": "T", "starts_at": "2030-01-02T10:00", "ends_at": "2030-01-02T09:00"}, None),
    "checkpoints": ({"title": "Prototype", "due_at": ""}, None),
    "mentors": ({"expertise": "x" * 201}, None),
}
MODELS = {
    "sponsors": Sponsor,
    "metrics": Metric,
    "datasets": Dataset,
    "agenda": HackathonAgendaItem,
    "checkpoints": Checkpoint,
    "mentors": Mentor,
}
ITEM = {
    "sponsors": "sponsor",
    "metrics": "metric",
    "datasets": "dataset",
    "agenda": "agenda",
    "checkpoints": "checkpoint",
    "mentors": "mentor",
}


def _snapshot(model, item_id):
    row = db.session.get(model, item_id)
    return None if row is None else {c.name: getattr(row, c.name) for c in model.__table__.columns}


@pytest.mark.parametrize("kind", KINDS)
def test_edit_page_is_prefilled_and_saves(app, client, auth, cast, extras, kind):
    url = f"/contests/hackathons/{extras['hack']}/{kind}/{extras[ITEM[kind]]}/edit"
    auth.login(cast.organiser)
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    expected = {
        "sponsors": "KazTransCom",
        "metrics": "Delay",
        "datasets": "Bus GPS",
        "agenda": "",
        "checkpoints": "Team and idea",
        "mentors": "Data",
    }
    assert f'value="{expected[kind]}' in html if expected[kind] else 'name="starts_at"' in html
    data = dict(GOOD[kind])
    if kind == "agenda":
        data.update(starts_at="2030-01-02T10:00", ends_at="2030-01-02T11:00")
    if kind == "checkpoints":
        data.update(due_at="2030-01-02T12:00")
    response = client.post(url, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(MODELS[kind], extras[ITEM[kind]])
        check = {
            "sponsors": lambda r: (r.name, r.url) == ("KTC", "https://ktc.kz"),
            "metrics": lambda r: (r.target, r.unit) == (3.5, "min"),
            "datasets": lambda r: (r.title, r.teams_only, r.stored_name) == ("Bus GPS v2", True, extras["stored"]),
            "agenda": lambda r: (r.title, r.speaker, r.kind) == ("Opening", "Akim", "lecture"),
            "checkpoints": lambda r: (r.title, to_local(r.due_at)) == ("Prototype", datetime(2030, 1, 2, 12, 0)),
            "mentors": lambda r: r.expertise == "GIS",
        }[kind]
        assert check(row)
        assert _actions("contests.edit_")


@pytest.mark.parametrize("kind", KINDS)
def test_edit_with_bad_input_answers_4xx_and_changes_nothing(app, client, auth, cast, extras, kind):
    url = f"/contests/hackathons/{extras['hack']}/{kind}/{extras[ITEM[kind]]}/edit"
    with app.app_context():
        before = _snapshot(MODELS[kind], extras[ITEM[kind]])
    auth.login(cast.organiser)
    data, message = BAD[kind]
    response = client.post(url, data=data)
    assert 400 <= response.status_code < 500
    if message:
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert _snapshot(MODELS[kind], extras[ITEM[kind]]) == before
        assert _actions("contests.edit_") == []


@pytest.mark.parametrize("kind", KINDS)
def test_remove_needs_the_confirmation_then_removes_and_audits(app, client, auth, cast, extras, kind):
    base = f"/contests/hackathons/{extras['hack']}/{kind}/{extras[ITEM[kind]]}"
    auth.login(cast.organiser)
    unconfirmed = client.post(f"{base}/remove", data={})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm the removal." in unconfirmed.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MODELS[kind], extras[ITEM[kind]]) is not None
    response = client.post(f"{base}/remove", data={"confirm": "y"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(MODELS[kind], extras[ITEM[kind]]) is None
        assert len(_actions("contests.remove_")) == 1
        if kind == "datasets":
            assert not hk.DATASETS.path_of(extras["stored"]).exists()


@pytest.mark.parametrize("kind", KINDS)
def test_another_hackathons_object_is_404_and_the_wrong_role_403(app, client, auth, cast, extras, kind):
    item = extras[ITEM[kind]]
    auth.login(cast.organiser)
    # this item under the other hackathon's address (both organised by the same person): not found
    assert client.get(f"/contests/hackathons/{extras['other']}/{kind}/{item}/edit").status_code == 404
    assert (
        client.post(f"/contests/hackathons/{extras['other']}/{kind}/{item}/remove", data={"confirm": "y"}).status_code
        == 404
    )
    auth.logout()
    for who in (cast.author, cast.other_official, cast.coauthor):  # a resident, another body's official, the mentor
        auth.login(who)
        assert client.get(f"/contests/hackathons/{extras['hack']}/{kind}/{item}/edit").status_code == 403
        assert (
            client.post(f"/contests/hackathons/{extras['hack']}/{kind}/{item}/edit", data=GOOD[kind]).status_code == 403
        )
        assert (
            client.post(
                f"/contests/hackathons/{extras['hack']}/{kind}/{item}/remove", data={"confirm": "y"}
            ).status_code
            == 403
        )
        auth.logout()
    with app.app_context():
        assert db.session.get(MODELS[kind], item) is not None
        assert _actions("contests.edit_") == []
        assert _actions("contests.remove_") == []


def test_other_hackathons_sponsor_under_this_hackathon_is_404(app, client, auth, cast, extras):
    auth.login(cast.organiser)
    url = f"/contests/hackathons/{extras['hack']}/sponsors/{extras['other_sponsor']}"
    assert client.get(f"{url}/edit").status_code == 404
    assert client.post(f"{url}/remove", data={"confirm": "y"}).status_code == 404
    with app.app_context():
        assert db.session.get(Sponsor, extras["other_sponsor"]) is not None


def test_frozen_metric_and_dataset_over_http(app, client, auth, cast, hackathons, tmp_path):
    app.config["CONTESTS_UPLOAD_DIR"] = str(tmp_path)
    ids = hackathons.make("hacking", team=True)
    with app.app_context():
        organiser = user(cast.organiser)
        track = db.session.get(Track, ids["track"])
        metric = hk.add_metric(track, organiser, "objective", "Delay", 5, "min").id
        dataset = hk.add_dataset(track, organiser, "Stops", url="https://data.example.kz/stops").id
        db.session.commit()
    auth.login(cast.organiser)
    base = f"/contests/hackathons/{ids['hackathon']}"
    page = client.get(f"{base}/metrics/{metric}/edit").get_data(as_text=True)
    assert 'id="item-frozen"' in page
    refused = client.post(f"{base}/metrics/{metric}/remove", data={"confirm": "y"})
    assert refused.status_code == 409
    assert "Teams have already submitted against this track&#39;s metrics" in refused.get_data(as_text=True)
    hackathons.move(ids["hackathon"], "review")
    refused = client.post(f"{base}/datasets/{dataset}/edit", data={"title": "New", "url": "https://x.example.kz"})
    assert refused.status_code == 409
    assert "Submissions are closed: the datasets stay" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Metric, metric) is not None
        assert db.session.get(Dataset, dataset).title == "Stops"


def test_manage_page_links_every_item_to_its_edit_page(app, client, auth, cast, extras):
    auth.login(cast.organiser)
    html = client.get(f"/contests/hackathons/{extras['hack']}/manage").get_data(as_text=True)
    for kind in KINDS:
        assert f"/contests/hackathons/{extras['hack']}/{kind}/{extras[ITEM[kind]]}/edit" in html


def test_a_checkpoint_with_progress_stays_but_can_be_corrected(app, client, auth, cast, hackathons):
    ids = hackathons.make("hacking", team=True)
    with app.app_context():
        hackathon = db.session.get(Track, ids["track"]).hackathon
        checkpoint = hk.add_checkpoint(hackathon, user(cast.organiser), "Prototype", hackathon.starts_at)
        hk.post_progress(db.session.get(Team, ids["team"]), user(cast.author), "Login works", checkpoint.id)
        db.session.commit()
        checkpoint_id = checkpoint.id
    base = f"/contests/hackathons/{ids['hackathon']}/checkpoints/{checkpoint_id}"
    auth.login(cast.organiser)
    refused = client.post(f"{base}/remove", data={"confirm": "y"})
    assert refused.status_code == 409
    assert "Teams have posted progress at this checkpoint" in refused.get_data(as_text=True)
    corrected = client.post(f"{base}/edit", data={"title": "Working prototype", "due_at": "2030-01-02T12:00"})
    assert corrected.status_code == 303
    with app.app_context():
        assert db.session.get(Checkpoint, checkpoint_id).title == "Working prototype"
        assert _actions("contests.remove_") == []


# --------------------------------------------------------------------------- a team changes its track


def _team(app, cast, hackathons, phase="registration", submitted=False):
    ids = hackathons.make("hacking", team=submitted)
    with app.app_context():
        organiser = user(cast.organiser)
        hackathon = db.session.get(Track, ids["track"]).hackathon
        air = hk.add_track(hackathon, organiser, "Clean air", "Smog in winter.", None)
        hk.add_mentor(air, organiser, cast.judge.email, "Ecology")
        if not submitted:
            author = user(cast.author)
            hk.register(hackathon, author, ["backend"])
            hk.register(hackathon, user(cast.voter2), ["frontend"])
            team = hk.create_team(hackathon, author, db.session.get(Track, ids["track"]), "Team Alpha")
            hk.join_by_code(hackathon, user(cast.voter2), team.invite_code)
            ids["team"] = team.id
        ids["air"] = air.id
        db.session.commit()
    hackathons.move(ids["hackathon"], phase)
    return ids


def test_captain_changes_the_track_and_the_new_mentors_see_the_team(app, client, auth, cast, hackathons):
    ids = _team(app, cast, hackathons)
    team_url = f"/contests/hackathons/{ids['hackathon']}/teams/{ids['team']}"
    auth.login(cast.author)
    assert 'id="change-track"' in client.get(team_url).get_data(as_text=True)
    response = client.post(f"{team_url}/track", data={"track": ids["air"]})
    assert response.status_code == 303
    page = client.get(team_url).get_data(as_text=True)
    assert "Clean air" in page
    auth.logout()
    with app.app_context():
        team = db.session.get(Team, ids["team"])
        assert team.track_id == ids["air"]
        assert hk.is_mentor(user(cast.judge), team.track_id)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contests.change_team_track"))
        assert (event.before, event.after) == ({"track": ids["track"]}, {"track": ids["air"]})
    auth.login(cast.judge)  # the new track's mentor sees the team's progress section
    assert 'id="progress"' in client.get(team_url).get_data(as_text=True)
    auth.logout()
    auth.login(cast.coauthor)  # the old track's mentor no longer does
    assert 'id="progress"' not in client.get(team_url).get_data(as_text=True)


def test_only_the_captain_changes_the_track_and_not_to_another_hackathons_track(app, client, auth, cast, hackathons):
    ids = _team(app, cast, hackathons)
    other = hackathons.make("registration")
    team_url = f"/contests/hackathons/{ids['hackathon']}/teams/{ids['team']}"
    auth.login(cast.voter2)  # a member, not the captain
    assert 'id="change-track"' not in client.get(team_url).get_data(as_text=True)
    assert client.post(f"{team_url}/track", data={"track": ids["air"]}).status_code == 403
    auth.logout()
    auth.login(cast.author)
    bad = client.post(f"{team_url}/track", data={"track": other["track"]})
    assert bad.status_code == 400
    assert "Choose the team&#39;s track." in bad.get_data(as_text=True)
    same = client.post(f"{team_url}/track", data={"track": ids["track"]})
    assert same.status_code == 400
    assert "The team is already in this track." in same.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Team, ids["team"]).track_id == ids["track"]
        assert _actions("contests.change_team_track") == []
        with pytest.raises(PermissionDenied):
            hk.change_track(db.session.get(Team, ids["team"]), user(cast.voter2), db.session.get(Track, ids["air"]))


def test_track_change_is_refused_after_submission_and_after_the_deadline(app, client, auth, cast, hackathons):
    ids = _team(app, cast, hackathons, phase="hacking", submitted=True)
    team_url = f"/contests/hackathons/{ids['hackathon']}/teams/{ids['team']}"
    auth.login(cast.author)
    assert 'id="change-track"' not in client.get(team_url).get_data(as_text=True)
    refused = client.post(f"{team_url}/track", data={"track": ids["air"]})
    assert refused.status_code == 409
    assert "The team has already submitted its solution" in refused.get_data(as_text=True)
    hackathons.move(ids["hackathon"], "review")
    late = client.post(f"{team_url}/track", data={"track": ids["air"]})
    assert late.status_code == 409
    assert "the submission deadline has passed" in late.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Team, ids["team"]).track_id == ids["track"]
        team = db.session.get(Team, ids["team"])
        with pytest.raises(hk.PhaseClosed):
            hk.change_track(
                team,
                user(cast.author),
                db.session.get(Track, ids["air"]),
                now=utc_now() + timedelta(days=30),
            )
