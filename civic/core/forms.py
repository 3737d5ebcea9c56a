"""Form base classes. CSRF comes from Flask-WTF on every form; field errors are translated by WTForms/Babel."""

from __future__ import annotations

from flask_wtf import FlaskForm


class BaseForm(FlaskForm):
    """Flask-WTF form: CSRF token, and WTForms' own kk/ru messages through Flask-Babel's locale."""

    def add_domain_error(self, exc) -> None:
        """Show a service's DomainError next to the field it names, or as a form-level error."""
        field = getattr(self, exc.field, None) if getattr(exc, "field", None) else None
        if field is not None:
            field.errors = [*field.errors, str(exc)]
        else:
            self.form_errors.append(str(exc))


class EmptyForm(BaseForm):
    """A bare POST button: carries only the CSRF token."""
