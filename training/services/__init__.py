"""The rules of the platform; functions take a session and `now`, flush, and never commit."""


class ServiceError(Exception):
    """A rule said no; the message is safe to show to the person who asked."""


class NotFound(ServiceError):
    """The thing does not exist, or the caller may not know that it does."""
