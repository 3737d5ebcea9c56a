"""One service call per submitted form: committed when it succeeds; rolled back, explained and nothing kept when the
service refuses (``civic.core.forms.commit_or_refuse``)."""

from __future__ import annotations

from sqlalchemy import select
from wtforms import StringField

from civic import db
from civic.core.errors import Conflict
from civic.core.forms import BaseForm, commit_or_refuse
from civic.identity.models import Category


class _Form(BaseForm):
    class Meta:
        csrf = False

    name = StringField("Name")


def _category(code: str) -> Category:
    category = Category(code=code, name_kk=code, name_ru=code, name_en=code)
    db.session.add(category)
    db.session.flush()
    return category


def _stored_codes() -> set[str]:
    db.session.remove()
    return set(db.session.scalars(select(Category.code).where(Category.code.like("t-%"))))


def test_a_successful_call_is_committed_and_its_result_returned(app):
    with app.test_request_context(method="POST"):
        outcome = commit_or_refuse(lambda: _category("t-kept"), _Form())
        assert outcome.refused is None
        assert outcome.result.code == "t-kept"
        assert _stored_codes() == {"t-kept"}


def test_a_refusal_rolls_back_and_shows_the_message_next_to_its_field(app):
    def half_written_then_refused():
        _category("t-half")
        raise Conflict("That name is taken.", field="name")

    with app.test_request_context(method="POST"):
        form = _Form()
        outcome = commit_or_refuse(half_written_then_refused, form)
        assert outcome.result is None
        assert outcome.refused.status_code == 409
        assert form.name.errors == ["That name is taken."]
        assert form.form_errors == []
        assert _stored_codes() == set()


def test_a_refusal_without_a_field_goes_above_every_form(app):
    with app.test_request_context(method="POST"):
        first, second = _Form(prefix="a"), _Form(prefix="b")
        outcome = commit_or_refuse(lambda: (_ for _ in ()).throw(Conflict("Closed.")), first, second)
        assert str(outcome.refused) == "Closed."
        assert first.form_errors == second.form_errors == ["Closed."]
