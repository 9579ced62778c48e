"""Errors whose message is meant for a person: an English template plus its parameters."""


class UserFacingError(Exception):
    """Raised by services; the CLI or a handler translates `message` and formats `params`."""

    def __init__(self, message: str, /, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params
