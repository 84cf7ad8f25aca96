"""WTForms for the web layer; each POST form carries Flask-WTF's CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, Field, HiddenField, PasswordField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from training.content.parser import MAPPING_KEYS


class SignInForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    email = EmailField("Email", validators=[DataRequired(message="Enter your email address."), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password."), Length(max=1024)])
    next = HiddenField()
    submit = SubmitField("Sign in")


class ActionForm(FlaskForm):  # type: ignore[misc]
    """A bare form for buttons that POST (sign out, mark read, start quiz): CSRF only."""


# How the evidence form names each framework key of the modules' front-matter `mappings`.
FRAMEWORK_LABELS = {
    "nist_sp_800_50r1": "NIST SP 800-50 Rev. 1",
    "nist_sp_800_53r5": "NIST SP 800-53 Rev. 5",
    "nist_sp_800_82r3": "NIST SP 800-82 Rev. 3",
    "iec_62443": "ISA/IEC 62443",
    "mitre_attack_ics": "MITRE ATT&CK for ICS",
    "nerc_cip_004": "NERC CIP-004",
    "cis_controls_v8": "CIS Controls v8",
    "pci_dss_4": "PCI DSS v4",
    "iso_27001_2022": "ISO/IEC 27001:2022",
    "nis2": "NIS2 Directive",
}


class EvidenceForm(FlaskForm):  # type: ignore[misc]
    """The audit evidence pack: a range of completion days and, optionally, one framework."""

    date_from = DateField("From", validators=[InputRequired(message="Enter the first day of the range.")])
    date_to = DateField("To", validators=[InputRequired(message="Enter the last day of the range.")])
    framework = SelectField(
        "Framework",
        choices=[SelectChoice("", "All modules")] + [SelectChoice(key, FRAMEWORK_LABELS.get(key, key)) for key in MAPPING_KEYS],
        default="",
    )
    submit = SubmitField("Download evidence pack")

    def validate_date_to(self, field: Field) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError("The last day must be on or after the first day.")
