"""Outgoing email over SMTP: one connection per run, opened on first use and reopened after a failure."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from types import TracebackType
from typing import Any


class SmtpMailer:
    """Send messages through one SMTP server; use it as a context manager so the connection closes."""

    def __init__(
        self, host: str, port: int, *, username: str = "", password: str = "", starttls: bool = False, timeout: float = 30.0
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpMailer:
        """From TRAINING_SMTP_* settings; env values arrive JSON-parsed, so a numeric password is made text again."""
        return cls(
            str(config["SMTP_HOST"]),
            int(config["SMTP_PORT"]),
            username=str(config.get("SMTP_USERNAME") or ""),
            password=str(config.get("SMTP_PASSWORD") or ""),
            starttls=bool(config.get("SMTP_STARTTLS")),
            timeout=float(config.get("SMTP_TIMEOUT") or 30),
        )

    def _connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send one message; raises OSError (smtplib.SMTPException included) when the server says no."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except BaseException:
            # The session may be half-way through a transaction: start afresh for the next message.
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()
